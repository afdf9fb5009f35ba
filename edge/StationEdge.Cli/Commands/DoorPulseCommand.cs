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

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var parsed = CliArgs.Parse(Name, args, ["--config", "--gpio"], ["--pulse"]);
        if (!parsed.Has("--pulse"))
        {
            throw CliError.BadInput($"{Name}: nothing to do; --pulse energises the relay for one pulse");
        }

        var settings = DoorCommandLine.LoadSettings(Name, parsed.Value("--config"));
        settings.Gpio.Driver = parsed.Value("--gpio") switch
        {
            null => settings.Gpio.Driver,
            "sim" => GpioDriverKind.Sim,
            "libgpiod" => GpioDriverKind.Libgpiod,
            var other => throw CliError.BadInput($"{Name}: --gpio must be sim or libgpiod (was '{other}')"),
        };

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
                throw new CliError(CliError.InterruptedCode, $"{Name}: interrupted; relay de-energised");
            }

            return 0;
        }
        catch (GpioException failure)
        {
            throw CliError.Fault($"{Name}: {failure.Message}");
        }
    }
}
