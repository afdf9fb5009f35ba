namespace StationEdge.Door.Timing;

/// <summary>
/// A clock that moves only when told to. It has two faces, as a real machine does: a monotonic one
/// (<see cref="GetTimestamp"/>, <see cref="Elapsed"/>, every timer) and a wall clock (<see cref="GetUtcNow"/>), which
/// <see cref="StepWallClock"/> can step (NTP, an RTC-less Pi booting in 1970, a keeper setting the time) without moving
/// the monotonic one. Timers fire synchronously, in due order, on the thread that calls <see cref="Advance"/>,
/// <see cref="AdvanceTo"/> or <see cref="RunUntilIdle"/>; each callback sees the clock at its own due time.
/// door-sim runs the door controller on it so that a scenario's output is exact and repeatable.
/// </summary>
public sealed class VirtualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private TimeSpan _elapsed;
    private TimeSpan _wallStep;
    private long _sequence;

    public VirtualTimeProvider()
        : this(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public VirtualTimeProvider(DateTimeOffset start) => Start = start;

    /// <summary>The wall-clock instant the clock started at.</summary>
    public DateTimeOffset Start { get; }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Monotonic time since the start.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return _elapsed;
            }
        }
    }

    /// <summary>When (in <see cref="Elapsed"/> time) the earliest scheduled timer is due, or null when nothing is scheduled.</summary>
    public TimeSpan? NextDue
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
            return Start + _elapsed + _wallStep;
        }
    }

    public override long GetTimestamp() => Elapsed.Ticks;

    /// <summary>Steps the wall clock by <paramref name="by"/> (either way); monotonic time and timers do not move.</summary>
    public void StepWallClock(TimeSpan by)
    {
        lock (_gate)
        {
            _wallStep += by;
        }
    }

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
        AdvanceTo(Elapsed + delta);
    }

    /// <summary>Moves monotonic time to <paramref name="elapsed"/>, firing every timer due on the way (including those due exactly then).</summary>
    public void AdvanceTo(TimeSpan elapsed)
    {
        while (true)
        {
            VirtualTimer? due;
            lock (_gate)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(elapsed, _elapsed);
                due = Earliest();
                if (due is null || due.Due > elapsed)
                {
                    _elapsed = elapsed;
                    return;
                }

                _elapsed = due.Due;
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
        var end = Elapsed + limit;
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

        public TimeSpan Due { get; private set; }

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
                    Due = owner._elapsed + dueTime;
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
