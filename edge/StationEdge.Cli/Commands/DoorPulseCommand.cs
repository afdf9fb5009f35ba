using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>station-edge door --pulse [--gpio sim|libgpiod] [--config F]</c>: energises the relay for one Door:PulseMs pulse on the configured
/// chip, to check the wiring, under the same controller and limits as the daemon. Prints the door's events (and, on
/// the simulated chip, its output changes) as JSON lines. SIGINT/SIGTERM end the pulse early with the relay dropped.
/// </summary>
internal static class DoorPulseCommand
{
    private const string Name = "door";
    private const string Grantor = "door --pulse";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (DoorCommandLine.Parse(Name, args, stderr, hardwareFlags: true) is not { } parsed)
        {
            return 2;
        }

        if (!parsed.Pulse)
        {
            await stderr.WriteLineAsync($"{Name}: nothing to do; --pulse energises the relay for one pulse");
            return 2;
        }

        if (DoorCommandLine.LoadSettings(Name, parsed.ConfigPath, stderr) is not { } settings)
        {
            return 2;
        }

        if (parsed.Gpio is { } driverKind)
        {
            settings.Gpio.Driver = driverKind;
        }

        var time = TimeProvider.System;
        var printer = new DoorJsonWriter(stdout, time.GetUtcNow(), settings.Door);
        try
        {
            using var driver = GpioDriverFactory.Create(settings.Gpio, time);
            if (driver is SimulatedGpioDriver sim)
            {
                SimulatedDoorWiring.Wire(sim, settings.Door);
                sim.OutputChanged += (_, change) => printer.Write(change);
            }

            var relocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var controller = new DoorController(driver, settings.Door, time);
            controller.EventRaised += (_, e) =>
            {
                printer.Write(e);
                if (e is DoorRelocked)
                {
                    relocked.TrySetResult();
                }
            };

            controller.Start();
            controller.Grant(Grantor);
            try
            {
                // Yield so that a cancel raised from inside a door event handler never runs Dispose within that handler.
                await relocked.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
            catch (OperationCanceledException)
            {
                controller.Dispose();
                await stderr.WriteLineAsync($"{Name}: interrupted; relay de-energised");
                return 130;
            }

            return 0;
        }
        catch (GpioException failure)
        {
            await stderr.WriteLineAsync($"{Name}: {failure.Message}");
            return CliError.FaultCode;
        }
    }
}
