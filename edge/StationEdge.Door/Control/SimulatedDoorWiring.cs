using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The world around a simulated door: relay, buzzer and LED boards that stay off when their pin floats, a closed
/// door, a released exit button and a healthy relay whose read-back follows it. door-sim and the daemon's
/// <c>Gpio:Driver = sim</c> wire the simulated chip this way before the controller starts.
/// </summary>
public static class SimulatedDoorWiring
{
    public static void Wire(SimulatedGpioDriver chip, DoorOptions options)
    {
        ArgumentNullException.ThrowIfNull(chip);
        ArgumentNullException.ThrowIfNull(options);
        var relay = options.Relay.Line!.Value;

        // Fail-safe or not, a released relay pin leaves the coil de-energised: that is what the board's pull is for.
        chip.SetRestLevel(relay, options.Relay.ActiveLevel.Invert());
        foreach (var output in new[] { options.Buzzer, options.Led })
        {
            if (output?.Line is { } line)
            {
                chip.SetRestLevel(line, output.ActiveLevel.Invert());
            }
        }

        chip.DriveInput(options.Contact.Line!.Value, options.Contact.ClosedLevel);
        chip.DriveInput(options.ExitButton.Line!.Value, options.ExitButton.ActiveLevel.Invert());
        if (options.RelayReadback?.Line is { } readback)
        {
            chip.Loop(relay, readback, invert: options.RelayReadback.ActiveLevel != options.Relay.ActiveLevel);
        }
    }
}
