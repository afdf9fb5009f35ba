using System.Device.Gpio;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// An input that counts a new level only once it has held still for the debounce time: every edge restarts the
/// wait, and when it ends the line is read. A contact that bounces makes one change; a glitch that returns to the
/// old level makes none (a noise spike on the exit button must not open the door). The wait is bounded: an input
/// that keeps changing for MaxSettle counts as <c>whenChattering</c> (the door contact: open), or keeps its level
/// when that is null, so that chatter can never hide a change for ever. All times are monotonic timestamps.
/// </summary>
internal sealed class DebouncedInput : IDisposable
{
    private readonly GpioController _gpio;
    private readonly int _pin;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _maxSettle;
    private readonly PinValue? _whenChattering;
    private readonly TimeProvider _time;
    private readonly Action<Action> _runGuarded;
    private readonly Action<Exception> _edgeFailed;
    private readonly Action<PinValue, long> _settled;
    private readonly ITimer _timer;

    // Edges come on the driver's thread, which releasing the line may join: they take only this lock, never the controller's.
    private readonly Lock _edgeGate = new();
    private long? _firstEdge;
    private long _lastEdge;
    private bool _disposed;

    /// <param name="runGuarded">Runs the settle under the controller's lock, turning an exception into a fault.</param>
    /// <param name="edgeFailed">Told about an exception on the driver's edge thread (it must not take the controller's lock there).</param>
    /// <param name="settled">Called (under the lock) with the new level and the timestamp of the change's first edge.</param>
    public DebouncedInput(
        GpioController gpio,
        int pin,
        InputBias bias,
        DoorTimings timings,
        PinValue? whenChattering,
        Action<Action> runGuarded,
        Action<Exception> edgeFailed,
        Action<PinValue, long> settled)
    {
        _gpio = gpio;
        _pin = pin;
        _debounce = timings.Debounce;
        _maxSettle = timings.MaxSettle;
        _whenChattering = whenChattering;
        _time = timings.Time;
        _runGuarded = runGuarded;
        _edgeFailed = edgeFailed;
        _settled = settled;
        gpio.OpenPin(pin, bias.ToPinMode());
        _timer = _time.CreateTimer(_ => _runGuarded(Settle), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            Stable = gpio.Read(pin);
            gpio.RegisterCallbackForPinValueChangedEvent(pin, PinEventTypes.Rising | PinEventTypes.Falling, OnEdge);
        }
        catch
        {
            _timer.Dispose();
            gpio.ClosePin(pin);
            throw;
        }
    }

    public PinValue Stable { get; private set; }

    public void Dispose()
    {
        lock (_edgeGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
        }

        try
        {
            _gpio.UnregisterCallbackForPinValueChangedEvent(_pin, OnEdge);
        }
        finally
        {
            _gpio.ClosePin(_pin);
        }
    }

    private void OnEdge(object sender, PinValueChangedEventArgs edge)
    {
        try
        {
            lock (_edgeGate)
            {
                if (_disposed)
                {
                    return;
                }

                var now = _time.GetTimestamp();
                _firstEdge ??= now;
                _lastEdge = now;
                _timer.Change(Min(_debounce, _maxSettle - _time.GetElapsedTime(_firstEdge.Value, now)), Timeout.InfiniteTimeSpan);
            }
        }
        catch (Exception failure)
        {
            _edgeFailed(failure);
        }
    }

    // Runs under the controller's lock.
    private void Settle()
    {
        long first, last;
        lock (_edgeGate)
        {
            if (_disposed || _firstEdge is not { } pending)
            {
                return;
            }

            first = pending;
            last = _lastEdge;
        }

        var now = _time.GetTimestamp();
        if (_time.GetElapsedTime(last, now) >= _debounce)
        {
            lock (_edgeGate)
            {
                _firstEdge = null;
            }

            PinValue level;
            try
            {
                level = _gpio.Read(_pin);
            }
            catch
            {
                // Read again after another debounce: the change must not be lost with the failed read.
                lock (_edgeGate)
                {
                    _firstEdge ??= first;
                    _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
                }

                throw;
            }

            Report(level, first);
            return;
        }

        var changing = _time.GetElapsedTime(first, now);
        if (changing < _maxSettle)
        {
            // A late callback: wait out the rest.
            lock (_edgeGate)
            {
                _timer.Change(Min(_debounce - _time.GetElapsedTime(last, now), _maxSettle - changing), Timeout.InfiniteTimeSpan);
            }

            return;
        }

        // Still chattering after MaxSettle: count it, and start a new window for whatever comes next.
        lock (_edgeGate)
        {
            _firstEdge = now;
            _timer.Change(Min(_debounce, _maxSettle), Timeout.InfiniteTimeSpan);
        }

        if (_whenChattering is { } assumed)
        {
            Report(assumed, first);
        }
    }

    private void Report(PinValue level, long since)
    {
        if (level != Stable)
        {
            Stable = level;
            _settled(level, since);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b)
    {
        var shortest = a < b ? a : b;
        return shortest < TimeSpan.Zero ? TimeSpan.Zero : shortest;
    }
}

/// <summary>The clock and the input timings every debounced input of one door shares.</summary>
internal sealed record DoorTimings(TimeProvider Time, TimeSpan Debounce, TimeSpan MaxSettle);
