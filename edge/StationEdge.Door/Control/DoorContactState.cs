namespace StationEdge.Door.Control;

/// <summary>
/// What the door contact and the exit button say, as state on the controller's monotonic clock: whether the door is
/// open, when its opening began (the first edge, which the debounce reports later), how long it has been open, and
/// whether an exit press covers a moment. Pure bookkeeping: the alarms and relocks it leads to are the controller's.
/// Called under the controller's lock.
/// </summary>
internal sealed class DoorContactState
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _heldOpen;
    private readonly TimeSpan _exitGrace;
    private long _openedAt;
    private long? _lastExitPress;

    public DoorContactState(TimeProvider time, TimeSpan heldOpen, TimeSpan exitGrace)
    {
        _time = time;
        _heldOpen = heldOpen;
        _exitGrace = exitGrace;
    }

    public bool Open { get; private set; }

    /// <summary>When the current opening began: its first edge, or the start for a door found open.</summary>
    public long OpenedSince { get; private set; }

    /// <summary>The door as found at start-up; an open door counts as opened then.</summary>
    public void Start(bool open, long now)
    {
        Open = open;
        if (open)
        {
            _openedAt = now;
            OpenedSince = now;
        }
    }

    /// <summary>The contact settled open; the change's first edge was at <paramref name="since"/>.</summary>
    public void Opened(long since)
    {
        Open = true;
        _openedAt = _time.GetTimestamp();
        OpenedSince = since;
    }

    public void Closed() => Open = false;

    /// <summary>An exit press that began at <paramref name="since"/>.</summary>
    public void ExitPressed(long since) => _lastExitPress = since;

    /// <summary>
    /// An exit press began at or before <paramref name="timestamp"/>, within Door:ExitGraceMs (free egress by the
    /// handle); a press that began later does not count, even if it settled first.
    /// </summary>
    public bool ExitPressCovers(long timestamp) =>
        _lastExitPress is { } press && press <= timestamp && _time.GetElapsedTime(press, timestamp) <= _exitGrace;

    /// <summary>How long the door may still stay open before held-open; zero or less when it is due.</summary>
    public TimeSpan HeldOpenLeft() => _heldOpen - _time.GetElapsedTime(_openedAt);
}
