using System.Device.Gpio;
using Microsoft.Extensions.Logging;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The door's output lines on one <see cref="GpioController"/>: the relay (always requested at its locked level,
/// so not even the request can pulse it), the LED and the alarm buzzer. It knows the wiring (active levels,
/// fail-safe) and nothing of the door's state; the controller decides what to write and calls it under its lock.
/// </summary>
internal sealed class DoorLines
{
    private readonly GpioDriver _driver;
    private readonly DoorOptions _options;
    private readonly ILogger _logger;

    // The output lines held, in request order (the relay first); released in reverse.
    private readonly List<int> _outputs = [];

    public DoorLines(GpioDriver driver, DoorOptions options, ILogger logger)
    {
        _driver = driver;
        _options = options;
        _logger = logger;

        // Not disposed here: disposing a GpioController disposes its driver, which belongs to the caller.
        Gpio = new GpioController(driver);
    }

    public GpioController Gpio { get; }

    public GpioDriver Driver => _driver;

    public int Relay => _options.Relay.Line!.Value;

    /// <summary>The relay line is requested; false after a write failed and it was handed back to the board's pull.</summary>
    public bool RelayHeld { get; private set; }

    // Fail-secure: energised = unlocked. Fail-safe: energised = locked.
    public bool RelayEnergisedWhen(bool unlocked) => unlocked != _options.FailSafe;

    /// <summary>Requests the relay at its locked level.</summary>
    public void OpenRelay()
    {
        GpioRequests.OpenOutput(Gpio, _driver, Relay, LockedLevel);
        _outputs.Add(Relay);
        RelayHeld = true;
    }

    /// <summary>Requests an optional output (LED, buzzer) off.</summary>
    public void OpenOutput(OutputLineOptions output)
    {
        var line = output.Line!.Value;
        GpioRequests.OpenOutput(Gpio, _driver, line, !output.ActiveLevel.ToPinValue());
        _outputs.Add(line);
    }

    /// <summary>Writes the relay for a locked or unlocked door.</summary>
    public void WriteRelay(bool unlocked) => Gpio.Write(Relay, RelayLevel(RelayEnergisedWhen(unlocked)));

    /// <summary>Writes the relay de-energised, the rest state (fail-safe: released).</summary>
    public void DeEnergiseRelay() => Gpio.Write(Relay, RelayLevel(energised: false));

    /// <summary>
    /// After a failed write: gives the relay line back, so that the kernel and the board's pull take it. Never throws.
    /// </summary>
    public void DropRelay()
    {
        Quietly(() => Gpio.ClosePin(Relay));
        _outputs.Remove(Relay);
        RelayHeld = false;
    }

    /// <summary>Requests the dropped relay again at its locked level.</summary>
    /// <exception cref="Exception">The line still cannot be requested.</exception>
    public void ReopenRelay()
    {
        GpioRequests.OpenOutput(Gpio, _driver, Relay, LockedLevel);
        RelayHeld = true;
        _outputs.Insert(0, Relay);
    }

    /// <summary>Switches an optional output that is held; nothing for one that is not configured or not held.</summary>
    public void SetOutput(OutputLineOptions? output, bool on)
    {
        if (output?.Line is not { } line || !_outputs.Contains(line))
        {
            return;
        }

        var active = output.ActiveLevel.ToPinValue();
        Gpio.Write(line, on ? active : !active);
    }

    /// <summary>Releases the outputs, the relay last: if anything throws, the relay is still held at the level just written.</summary>
    public void ReleaseOutputs()
    {
        for (var i = _outputs.Count - 1; i >= 0; i--)
        {
            var line = _outputs[i];
            Quietly(() => Gpio.ClosePin(line));
        }

        _outputs.Clear();
        RelayHeld = false;
    }

    /// <summary>Runs a release step; a failure is logged, never thrown, so the remaining lines are still released.</summary>
    public void Quietly(Action release)
    {
        try
        {
            release();
        }
        catch (Exception failure)
        {
            DoorLog.ReleaseFailed(_logger, failure);
        }
    }

    private PinValue LockedLevel => RelayLevel(RelayEnergisedWhen(unlocked: false));

    private PinValue RelayLevel(bool energised)
    {
        var active = _options.Relay.ActiveLevel.ToPinValue();
        return energised ? active : !active;
    }
}
