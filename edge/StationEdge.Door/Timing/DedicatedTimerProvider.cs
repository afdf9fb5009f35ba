namespace StationEdge.Door.Timing;

/// <summary>
/// Real time whose timers fire on one thread of their own instead of the thread pool: a door's cap must not wait for a
/// pool that blocking work elsewhere in the daemon (or in a test run) has starved — seen here as a 300 ms cap held for
/// 670 ms while other tests blocked pool threads. Time itself (wall and monotonic) comes from the inner provider.
/// </summary>
internal sealed class DedicatedTimerProvider : TimeProvider, IDisposable
{
    private readonly TimeProvider _inner;
    private readonly object _sync = new();
    private readonly List<DedicatedTimer> _timers = [];
    private bool _disposed;

    public DedicatedTimerProvider(TimeProvider inner, string threadName)
    {
        _inner = inner;
        new Thread(Run) { IsBackground = true, Name = threadName, Priority = ThreadPriority.AboveNormal }.Start();
    }

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => _inner.GetUtcNow();

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new DedicatedTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Ends the timer thread; timers not yet due never fire.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            _timers.Clear();
            Monitor.PulseAll(_sync);
        }
    }

    private long After(TimeSpan span) => _inner.GetTimestamp() + (long)(span.Ticks * (_inner.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    private void Run()
    {
        lock (_sync)
        {
            while (!_disposed)
            {
                DedicatedTimer? next = null;
                foreach (var timer in _timers)
                {
                    if (next is null || timer.Due < next.Due)
                    {
                        next = timer;
                    }
                }

                if (next is null)
                {
                    Monitor.Wait(_sync);
                    continue;
                }

                var now = _inner.GetTimestamp();
                if (next.Due > now)
                {
                    Monitor.Wait(_sync, _inner.GetElapsedTime(now, next.Due));
                    continue;
                }

                _timers.Remove(next);
                if (next.Period > TimeSpan.Zero)
                {
                    next.Due = After(next.Period);
                    _timers.Add(next);
                }

                Monitor.Exit(_sync);
                try
                {
                    next.Fire();
                }
                catch (Exception)
                {
                    // The door's callbacks turn their own failures into faults; whatever slips past must not end the
                    // thread every deadline rides on.
                }
                finally
                {
                    Monitor.Enter(_sync);
                }
            }
        }
    }

    private sealed class DedicatedTimer(DedicatedTimerProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public long Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, Timeout.InfiniteTimeSpan);
            ArgumentOutOfRangeException.ThrowIfLessThan(period, Timeout.InfiniteTimeSpan);
            lock (owner._sync)
            {
                if (_disposed || owner._disposed)
                {
                    return false;
                }

                owner._timers.Remove(this);
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    Due = owner.After(dueTime);
                    owner._timers.Add(this);
                }

                Monitor.PulseAll(owner._sync);
                return true;
            }
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._sync)
            {
                _disposed = true;
                owner._timers.Remove(this);
                Monitor.PulseAll(owner._sync);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
