using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// An input that counts a new level only once it has held still for the debounce time: every edge restarts the
/// wait, and when it ends the line is read. A contact that bounces makes one change; a glitch that returns to the
/// old level makes none (a noise spike on the exit button must not open the door).
/// </summary>
internal sealed class DebouncedInput : IDisposable
{
    private readonly GpioInput _line;
    private readonly TimeSpan _debounce;
    private readonly TimeProvider _time;
    private readonly Lock _gate;
    private readonly Action<GpioLevel, DateTimeOffset> _settled;
    private readonly ITimer _timer;

    // Edges come on the driver's thread, which a release joins: they take only this lock, never the controller's.
    private readonly Lock _edgeGate = new();
    private DateTimeOffset? _firstEdge;
    private bool _disposed;

    /// <param name="settled">Called under <paramref name="gate"/> with the new level and the time of the first edge of the change.</param>
    public DebouncedInput(GpioInput line, TimeSpan debounce, TimeProvider time, Lock gate, Action<GpioLevel, DateTimeOffset> settled)
    {
        _line = line;
        _debounce = debounce;
        _time = time;
        _gate = gate;
        _settled = settled;
        _timer = time.CreateTimer(_ => Settle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        line.EdgeDetected += OnEdge;
        Stable = line.Read();
    }

    public GpioLevel Stable { get; private set; }

    public void Dispose()
    {
        lock (_edgeGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _line.EdgeDetected -= OnEdge;
            _timer.Dispose();
        }

        _line.Dispose();
    }

    private void OnEdge(object? sender, GpioEdgeEvent edge)
    {
        lock (_edgeGate)
        {
            if (_disposed)
            {
                return;
            }

            _firstEdge ??= _time.GetUtcNow();
            _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private void Settle()
    {
        lock (_gate)
        {
            DateTimeOffset since;
            lock (_edgeGate)
            {
                if (_disposed || _firstEdge is not { } first)
                {
                    return;
                }

                since = first;
                _firstEdge = null;
            }

            var level = _line.Read();
            if (level != Stable)
            {
                Stable = level;
                _settled(level, since);
            }
        }
    }
}
