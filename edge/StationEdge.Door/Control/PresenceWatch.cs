using System.Device.Gpio;
using Iot.Device.Hcsr501;

namespace StationEdge.Door.Control;

/// <summary>
/// The optional HC-SR501 PIR sensor (<c>Door:Presence</c>) on the door's <see cref="GpioController"/>: each change
/// of what it sees becomes a <see cref="DoorPresenceChanged"/> event, for the camera loop to wake on. Not debounced:
/// the sensor's own trimmers set its hold time. It never touches the relay.
/// </summary>
internal sealed class PresenceWatch : IDisposable
{
    private readonly Hcsr501 _sensor;
    private readonly DoorLines _lines;
    private readonly int _line;
    private readonly TimeProvider _time;
    private readonly Action<DoorEvent> _emit;
    private readonly ITimer? _timer;
    private int _high;

    /// <param name="timer">Makes a timer whose callback runs guarded under the controller's lock.</param>
    /// <param name="emit">Sends an event (called under the controller's lock).</param>
    public PresenceWatch(int line, DoorLines lines, TimeProvider time, Func<Action, ITimer> timer, Action<DoorEvent> emit)
    {
        _lines = lines;
        _line = line;
        _time = time;
        _emit = emit;
        _sensor = new Hcsr501(line, lines.Gpio, shouldDispose: false);
        try
        {
            Detected = _sensor.IsMotionDetected;
            _high = Detected ? 1 : 0;
            _sensor.Hcsr501ValueChanged += OnEdge;
            _timer = timer(Due);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public bool Detected { get; private set; }

    /// <summary>No more reports: the controller is stopping.</summary>
    public void StopReporting() => _timer?.Dispose();

    /// <summary>Hands the sensor's line back. Never throws for the line itself.</summary>
    public void Dispose()
    {
        _sensor.Hcsr501ValueChanged -= OnEdge;
        _lines.Quietly(() => _lines.Gpio.ClosePin(_line));
        _sensor.Dispose();
    }

    private void OnEdge(object sender, Hcsr501ValueChangedEventArgs e)
    {
        // On the driver's thread, which must not wait for the controller's lock: note the level, let a timer report
        // it under the lock.
        Volatile.Write(ref _high, e.PinValue == PinValue.High ? 1 : 0);
        _lines.Quietly(() => _timer?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    private void Due()
    {
        var detected = Volatile.Read(ref _high) == 1;
        if (detected != Detected)
        {
            Detected = detected;
            _emit(new DoorPresenceChanged(_time.GetUtcNow(), detected));
        }
    }
}
