namespace StationEdge.Door.Control;

/// <summary>
/// The unlock and cap state machine, pure bookkeeping on the controller's monotonic clock: it owns when the current
/// unlock ends, when the cap ends it, the cap lock-out, and the recent unlocks an opening is judged against. It
/// touches no line and arms no timer; the controller writes the relay first and then tells it what happened.
/// Not thread-safe: the controller calls it under its lock.
/// </summary>
internal sealed class UnlockCycle
{
    // An opening is judged at the moment it began, which the debounce reports later: a few recent unlocks suffice.
    private const int History = 8;

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxUnlock;
    private readonly TimeSpan _capLockout;

    // Recent unlocks (start, end) on the monotonic clock; the current one ends at long.MaxValue.
    private readonly List<(long Start, long End)> _unlocks = [];
    private bool _clippedByCap;
    private long _lockoutUntil = long.MinValue;

    public UnlockCycle(TimeProvider time, TimeSpan maxUnlock, TimeSpan capLockout)
    {
        _time = time;
        _maxUnlock = maxUnlock;
        _capLockout = capLockout;
    }

    public bool Unlocked { get; private set; }

    /// <summary>When the current unlock's pulse ends; never later than <see cref="CapDeadline"/>.</summary>
    public long Deadline { get; private set; }

    /// <summary>The hard end of the current unlock, fixed when it began and never moved by a grant.</summary>
    public long CapDeadline { get; private set; }

    /// <summary>The door opened during the current unlock (or was open when it began): closing it relocks.</summary>
    public bool OpenedDuringUnlock { get; private set; }

    /// <summary>Why a pulse that has run out relocks: the cap when a grant asked for more than it allowed.</summary>
    public RelockReason PulseEndReason => _clippedByCap ? RelockReason.Cap : RelockReason.PulseEnded;

    public bool LockedOut(long now) => now < _lockoutUntil;

    // The cap is decided here and only here: every deadline an unlock can have comes out of Begin or Extend, both
    // clip it to CapDeadline, and CapDeadline is set once per unlock and never moved. The controller's pulse and cap
    // timers only act on these values (each re-checks its deadline when it fires), so no caller, grant or late timer
    // can ask the relay for more than Door:MaxUnlockMs. One place, because two copies of the cap could drift apart
    // and the safety tests could then prove the one that does not hold the relay.

    /// <summary>A new unlock from <paramref name="now"/> for <paramref name="pulse"/>, clipped to the cap.</summary>
    public void Begin(long now, TimeSpan pulse, bool doorOpen)
    {
        var wanted = _time.After(now, pulse);
        var cap = _time.After(now, _maxUnlock);
        Unlocked = true;
        CapDeadline = cap;
        Deadline = Math.Min(wanted, cap);
        _clippedByCap = wanted > cap;
        OpenedDuringUnlock = doorOpen;
        _unlocks.Add((now, long.MaxValue));
        if (_unlocks.Count > History)
        {
            _unlocks.RemoveAt(0);
        }
    }

    /// <summary>A grant while unlocked: moves the deadline later, never past the cap.</summary>
    /// <returns>True when the deadline moved.</returns>
    public bool Extend(long now, TimeSpan pulse)
    {
        var wanted = _time.After(now, pulse);
        if (wanted > CapDeadline)
        {
            _clippedByCap = true;
            wanted = CapDeadline;
        }

        if (wanted <= Deadline)
        {
            return false;
        }

        Deadline = wanted;
        return true;
    }

    public void NoteOpened() => OpenedDuringUnlock |= Unlocked;

    /// <summary>The unlock ended at <paramref name="now"/> (the relay has been written, or a fault ended it).</summary>
    public void End(long now)
    {
        Unlocked = false;
        if (_unlocks.Count > 0 && _unlocks[^1].End == long.MaxValue)
        {
            _unlocks[^1] = (_unlocks[^1].Start, now);
        }
    }

    /// <summary>The cap relocked at <paramref name="now"/>: grants (not the exit button) wait out Door:CapLockoutMs.</summary>
    public void StartLockout(long now) => _lockoutUntil = _time.After(now, _capLockout);

    /// <summary>An unlock was on at <paramref name="timestamp"/>.</summary>
    public bool WasUnlockedAt(long timestamp)
    {
        foreach (var (start, end) in _unlocks)
        {
            if (start <= timestamp && timestamp <= end)
            {
                return true;
            }
        }

        return false;
    }
}
