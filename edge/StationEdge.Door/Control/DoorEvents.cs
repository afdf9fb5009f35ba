namespace StationEdge.Door.Control;

public enum DoorAlarm
{
    /// <summary>The door opened while locked with no exit press just before.</summary>
    ForcedOpen,

    /// <summary>The door stayed open longer than Door:HeldOpenMs.</summary>
    HeldOpen,

    /// <summary>The relay read-back disagrees with what the relay was told to do.</summary>
    RelayStuck,

    /// <summary>
    /// A timer, edge or GPIO call failed inside the controller: the door was relocked (if the relay write itself failed,
    /// its line was released to the board's pull). Cleared when the next unlock has ended with a good relay write.
    /// </summary>
    Fault,
}

public enum RelockReason
{
    PulseEnded,
    DoorClosed,

    /// <summary>The unlock reached Door:MaxUnlockMs; grants are refused for Door:CapLockoutMs.</summary>
    Cap,

    /// <summary>The controller stopped (dispose, cancellation, SIGTERM/SIGINT).</summary>
    Stopped,

    /// <summary>A fault inside the controller ended the unlock (see <see cref="DoorAlarm.Fault"/>).</summary>
    Fault,
}

/// <summary>
/// Something that happened at the door; the daemon logs and syncs these. <paramref name="At"/> is wall-clock time for
/// the records; <see cref="Timestamp"/> is the controller clock's monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>),
/// which orders events and measures between them whatever the wall clock does.
/// </summary>
public abstract record DoorEvent(DateTimeOffset At)
{
    public long Timestamp { get; init; }
}

/// <summary>The controller took the lines; the door is locked.</summary>
public sealed record DoorStarted(DateTimeOffset At, bool DoorOpen) : DoorEvent(At);

/// <summary>A grant: a worker id, <see cref="DoorController.ExitButton"/>, or a keeper ("keeper:…").</summary>
public sealed record DoorGranted(DateTimeOffset At, string By) : DoorEvent(At);

public sealed record DoorGrantRefused(DateTimeOffset At, string By, string Reason) : DoorEvent(At);

/// <summary>The relay is switched for an unlock; <paramref name="Until"/> is <paramref name="At"/> plus the pulse.</summary>
public sealed record DoorUnlocked(DateTimeOffset At, DateTimeOffset Until) : DoorEvent(At);

/// <summary>A grant while unlocked moved the relock time later (never beyond the cap).</summary>
public sealed record DoorUnlockExtended(DateTimeOffset At, DateTimeOffset Until) : DoorEvent(At);

public sealed record DoorOpened(DateTimeOffset At) : DoorEvent(At);

public sealed record DoorClosed(DateTimeOffset At) : DoorEvent(At);

public sealed record DoorRelocked(DateTimeOffset At, RelockReason Reason) : DoorEvent(At);

public sealed record DoorAlarmRaised(DateTimeOffset At, DoorAlarm Alarm) : DoorEvent(At);

public sealed record DoorAlarmCleared(DateTimeOffset At, DoorAlarm Alarm) : DoorEvent(At);

/// <summary>The PIR sensor started or stopped seeing someone at the door.</summary>
public sealed record DoorPresenceChanged(DateTimeOffset At, bool Detected) : DoorEvent(At);

/// <summary>
/// The controller let go of the lines and the relay is de-energised. <paramref name="LeftUnlocked"/> is true in
/// fail-safe wiring, where a de-energised relay means the maglock is released.
/// </summary>
public sealed record DoorStopped(DateTimeOffset At, bool LeftUnlocked) : DoorEvent(At);

/// <summary>A snapshot of the door.</summary>
public sealed record DoorStatus(bool Unlocked, DateTimeOffset? UnlockedUntil, bool DoorOpen, IReadOnlyList<DoorAlarm> Alarms, bool PresenceDetected = false);
