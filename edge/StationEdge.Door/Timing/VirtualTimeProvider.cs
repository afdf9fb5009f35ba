namespace StationEdge.Door.Timing;

/// <summary>
/// A clock that moves only when told to. Timers fire synchronously, in due order, on the thread that calls
/// <see cref="Advance"/>, <see cref="AdvanceTo"/> or <see cref="RunUntilIdle"/>; each callback sees the clock at its own due time.
/// door-sim runs the door controller on it so that a scenario's output is exact and repeatable.
/// </summary>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now;
    private long _sequence;

    public VirtualTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public VirtualTimeProvider(DateTimeOffset start)
    {
        _now = start;
        Start = start;
    }

    /// <summary>The instant the clock started at.</summary>
    public DateTimeOffset Start { get; }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Time since <see cref="Start"/>.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Start;

    /// <summary>When the earliest scheduled timer is due, or null when nothing is scheduled.</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return Earliest()?.Due;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => (GetUtcNow() - Start).Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        AdvanceTo(GetUtcNow() + delta);
    }

    /// <summary>Moves the clock to <paramref name="target"/>, firing every timer due on the way (including those due exactly then).</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        while (true)
        {
            VirtualTimer? due;
            lock (_gate)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(target, _now);
                due = Earliest();
                if (due is null || due.Due > target)
                {
                    _now = target;
                    return;
                }

                _now = due.Due;
                due.Reschedule();
            }

            due.Fire();
        }
    }

    /// <summary>
    /// Fires timers in due order until none is scheduled or the next one lies beyond <paramref name="limit"/>;
    /// returns false in the latter case (a periodic timer never lets the clock go idle).
    /// </summary>
    public bool RunUntilIdle(TimeSpan limit)
    {
        var end = GetUtcNow() + limit;
        while (NextDue is { } next)
        {
            if (next > end)
            {
                return false;
            }

            AdvanceTo(next);
        }

        return true;
    }

    private VirtualTimer? Earliest()
    {
        VirtualTimer? best = null;
        foreach (var timer in _timers)
        {
            if (best is null || timer.Due < best.Due || (timer.Due == best.Due && timer.Sequence < best.Sequence))
            {
                best = timer;
            }
        }

        return best;
    }

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;
        private bool _disposed;

        public DateTimeOffset Due { get; private set; }

        public long Sequence { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
            ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
            lock (owner._gate)
            {
                if (_disposed)
                {
                    return false;
                }

                owner._timers.Remove(this);
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    Due = owner._now + dueTime;
                    Sequence = ++owner._sequence;
                    owner._timers.Add(this);
                }

                return true;
            }
        }

        // Called under the owner's lock when the timer comes due: a periodic timer goes round again, a one-shot one stops.
        public void Reschedule()
        {
            owner._timers.Remove(this);
            if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
            {
                Due += _period;
                Sequence = ++owner._sequence;
                owner._timers.Add(this);
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                _disposed = true;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
