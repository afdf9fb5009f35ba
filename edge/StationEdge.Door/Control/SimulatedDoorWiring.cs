using System.Device.Gpio;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The world around a simulated door: relay, buzzer, LED and beeper boards that stay off when their pin floats, a
/// closed door, a released exit button, nobody in front of the PIR and a healthy relay whose read-back follows it.
/// door-sim and the daemon's <c>Gpio:Driver = sim</c> wire the simulated chip this way before the controller starts.
/// </summary>
public static class SimulatedDoorWiring
{
    public static void Wire(SimulatedGpioChip chip, DoorOptions options)
    {
        ArgumentNullException.ThrowIfNull(chip);
        ArgumentNullException.ThrowIfNull(options);
        var relay = options.Relay.Line!.Value;

        // Fail-safe or not, a released relay pin leaves the coil de-energised: that is what the board's pull is for.
        chip.SetRestLevel(relay, !options.Relay.ActiveLevel.ToPinValue());
        foreach (var output in new[] { options.Buzzer, options.Led })
        {
            if (output?.Line is { } line)
            {
                chip.SetRestLevel(line, !output.ActiveLevel.ToPinValue());
            }
        }

        if (options.Beeper is { Line: { } beeper } beeperOptions)
        {
            chip.SetRestLevel(beeper, beeperOptions.Kind == BeeperKind.Pwm ? PinValue.Low : !beeperOptions.ActiveLevel.ToPinValue());
        }

        chip.DriveInput(options.Contact.Line!.Value, options.Contact.ClosedLevel.ToPinValue());
        chip.DriveInput(options.ExitButton.Line!.Value, !options.ExitButton.ActiveLevel.ToPinValue());
        if (options.Presence?.Line is { } presence)
        {
            chip.DriveInput(presence, PinValue.Low);
        }

        if (options.RelayReadback?.Line is { } readback)
        {
            chip.Loop(relay, readback, invert: options.RelayReadback.ActiveLevel != options.Relay.ActiveLevel);
        }
    }
}
