namespace StationEdge.Camera;

/// <summary>
/// The newest frame, and nothing older: the reader publishes each frame over the previous one, the access loop takes
/// the newest it has not had yet, and any other reader (a preview) leases the newest without disturbing either.
/// A frame replaced before the access loop took it is counted as dropped. The lock guards only reference swaps and
/// counters; waiters are woken after it is released.
/// </summary>
internal sealed class LatestFrameSlot
{
    private const int RateCapacity = 512;
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly long[] _arrivals = new long[RateCapacity];
    private FrameBuffer? _latest;
    private TaskCompletionSource? _signal;
    private long _sequence;
    private long _lastTaken;
    private long _dropped;
    private long _firstArrival;
    private int _arrivalCount;
    private bool _ended;

    public LatestFrameSlot(TimeProvider time)
    {
        _time = time;
    }

    public long Received
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    public long Dropped
    {
        get
        {
            lock (_lock)
            {
                return _dropped;
            }
        }
    }

    /// <summary>The newest frame's arrival timestamp, or 0 before the first.</summary>
    public long LastArrival
    {
        get
        {
            lock (_lock)
            {
                return _arrivalCount == 0 ? 0 : _arrivals[(_arrivalCount - 1) % RateCapacity];
            }
        }
    }

    /// <summary>Publishes a filled buffer, taking over the filler's reference; returns its sequence number.</summary>
    public long Publish(FrameBuffer buffer, long timestamp)
    {
        FrameBuffer? previous;
        TaskCompletionSource? wake;
        long sequence;
        lock (_lock)
        {
            sequence = ++_sequence;
            buffer.Stamp(sequence, timestamp);
            previous = _latest;
            if (previous is not null && _lastTaken > 0 && previous.Sequence > _lastTaken)
            {
                _dropped++;
            }

            _latest = buffer;
            if (_arrivalCount == 0)
            {
                _firstArrival = timestamp;
            }

            _arrivals[_arrivalCount++ % RateCapacity] = timestamp;
            wake = _signal;
            _signal = null;
        }

        previous?.Release();
        wake?.TrySetResult();
        return sequence;
    }

    /// <summary>Forgets the newest frame (the camera was lost: its last picture is no longer what is in front of it).</summary>
    public void Clear()
    {
        FrameBuffer? previous;
        lock (_lock)
        {
            previous = _latest;
            _latest = null;
        }

        previous?.Release();
    }

    /// <summary>
    /// No frame will come any more: readers get the newest frame if they have not had it, then null. A finished
    /// recording keeps its last frame; a stopped camera (<paramref name="keepLast"/> false) leaves none.
    /// </summary>
    public void End(bool keepLast)
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _ended = true;
            wake = _signal;
            _signal = null;
        }

        if (!keepLast)
        {
            Clear();
        }

        wake?.TrySetResult();
    }

    /// <summary>A lease on the newest frame, or null when there is none.</summary>
    public CameraFrame? TryGetLatest()
    {
        lock (_lock)
        {
            return _latest is null ? null : new CameraFrame(_latest);
        }
    }

    /// <summary>The access loop's read: the newest frame it has not taken yet, waiting for one if needed; null once ended.</summary>
    public ValueTask<CameraFrame?> TakeNextAsync(CancellationToken ct) => NextAsync(afterSequence: null, ct);

    /// <summary>Another reader's wait: the newest frame after <paramref name="afterSequence"/>; null once ended.</summary>
    public ValueTask<CameraFrame?> WaitNewerAsync(long afterSequence, CancellationToken ct) => NextAsync(afterSequence, ct);

    /// <summary>Frames per second over the last five seconds (less at the start), falling to 0 when frames stop.</summary>
    public double FramesPerSecond()
    {
        var now = _time.GetTimestamp();
        var windowStart = now - (long)(RateWindow.TotalSeconds * _time.TimestampFrequency);
        lock (_lock)
        {
            if (_arrivalCount == 0)
            {
                return 0;
            }

            var count = 0;
            for (var i = 1; i <= Math.Min(_arrivalCount, RateCapacity); i++)
            {
                if (_arrivals[(_arrivalCount - i) % RateCapacity] < windowStart)
                {
                    break;
                }

                count++;
            }

            var span = Math.Min(RateWindow.TotalSeconds, _time.GetElapsedTime(_firstArrival, now).TotalSeconds);
            return span <= 0 ? 0 : count / span;
        }
    }

    private async ValueTask<CameraFrame?> NextAsync(long? afterSequence, CancellationToken ct)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                var after = afterSequence ?? _lastTaken;
                if (_latest is not null && _latest.Sequence > after)
                {
                    if (afterSequence is null)
                    {
                        _lastTaken = _latest.Sequence;
                    }

                    return new CameraFrame(_latest);
                }

                if (_ended)
                {
                    return null;
                }

                _signal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _signal.Task;
            }

            await wait.WaitAsync(ct);
        }
    }
}
