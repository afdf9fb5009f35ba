using System.Device.Gpio;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The optional relay read-back (<c>Door:RelayReadback</c>): raises <see cref="DoorAlarm.RelayStuck"/> when what the
/// read-back says disagrees with what the relay was told, <c>Door:ReadbackGraceMs</c> after a change of the relay or
/// whenever the read-back changes on its own, and clears it when they agree. It only watches; it never writes the
/// relay. Called under the controller's lock (its input's and timer's callbacks run guarded).
/// </summary>
internal sealed class RelayReadbackCheck : IDisposable
{
    private readonly DebouncedInput _input;
    private readonly PinValue _energisedLevel;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly Func<bool> _commandedEnergised;
    private readonly DoorAlarms _alarms;
    private readonly ITimer _timer;
    private long _lastRelayChange;

    /// <param name="commandedEnergised">Whether the relay is meant to be energised now (a released line is not).</param>
    /// <param name="timer">Makes a timer whose callback runs guarded under the controller's lock.</param>
    public RelayReadbackCheck(
        InputLineOptions readback,
        GpioController gpio,
        DoorTimings timings,
        TimeSpan grace,
        Action<Action> runGuarded,
        Action<Exception> edgeFailed,
        Func<Action, ITimer> timer,
        Func<bool> commandedEnergised,
        DoorAlarms alarms)
    {
        _energisedLevel = readback.ActiveLevel.ToPinValue();
        _time = timings.Time;
        _grace = grace;
        _commandedEnergised = commandedEnergised;
        _alarms = alarms;
        _input = new DebouncedInput(gpio, readback.Line!.Value, readback.Bias, timings, null, runGuarded, edgeFailed, OnReadback);
        _timer = timer(CheckWhenSettled);
    }

    /// <summary>The relay was written at <paramref name="now"/>: check it once the grace has passed.</summary>
    public void RelayWritten(long now)
    {
        NoteRelayChange(now);
        _timer.Change(_grace, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The relay line changed hands (released or requested again) at <paramref name="now"/>; no check is due for it.</summary>
    public void NoteRelayChange(long now) => _lastRelayChange = now;

    /// <summary>No more checks: the controller is stopping.</summary>
    public void StopChecking() => _timer.Dispose();

    /// <summary>Releases the read-back line.</summary>
    public void Dispose() => _input.Dispose();

    private void OnReadback(PinValue level, long since)
    {
        // Right after a relay change the read-back may still be moving; the grace timer checks then.
        if (_time.GetElapsedTime(_lastRelayChange) >= _grace)
        {
            Check();
        }
    }

    private void CheckWhenSettled()
    {
        var settled = _time.GetElapsedTime(_lastRelayChange);
        if (settled < _grace)
        {
            _timer.Change(_grace - settled, Timeout.InfiniteTimeSpan);
            return;
        }

        Check();
    }

    private void Check()
    {
        var seen = _input.Stable == _energisedLevel;
        if (_commandedEnergised() == seen)
        {
            _alarms.Clear(DoorAlarm.RelayStuck);
        }
        else
        {
            _alarms.Raise(DoorAlarm.RelayStuck);
        }
    }
}
