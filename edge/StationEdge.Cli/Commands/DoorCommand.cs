using System.Device.Gpio;
using System.Text.Json;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>station-edge door --pulse|--rest [--gpio auto|libgpiod|libgpiod2|sim] [--config F]</c>.
/// <c>--pulse</c> energises the relay for one Door:PulseMs pulse on the configured chip, to check the wiring, under
/// the same controller and limits as the daemon, printing the door's events (and, on the simulated chip, its output
/// changes) as JSON lines; SIGINT/SIGTERM end the pulse early with the relay dropped. <c>--rest</c> drives the relay to
/// its rest (de-energised) level and exits: the systemd unit's ExecStopPost, so a crashed daemon's relay never stays on.
/// </summary>
internal static class DoorCommand
{
    private const string Name = "door";
    private const string Grantor = "door --pulse";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var parsed = CliArgs.Parse(Name, args, ["--config", "--gpio"], ["--pulse", "--rest"]);
        var (pulse, rest) = (parsed.Has("--pulse"), parsed.Has("--rest"));
        if (pulse == rest)
        {
            throw CliError.BadInput(pulse
                ? $"{Name}: --pulse and --rest exclude each other"
                : $"{Name}: nothing to do; --pulse energises the relay for one pulse, --rest drives it to its rest level");
        }

        var settings = DoorCommandLine.LoadSettings(Name, parsed.Value("--config"));
        DoorCommandLine.OverrideDriver(Name, settings, parsed.Value("--gpio"));
        var time = TimeProvider.System;
        try
        {
            using var driver = GpioDriverFactory.Create(settings.Gpio, time);
            var sim = driver as SimulatedGpioDriver;
            if (sim is not null)
            {
                SimulatedDoorWiring.Wire(sim.Chip, settings.Door);
            }

            return rest
                ? Rest(driver, settings.Door, stdout)
                : await PulseAsync(driver, sim?.Chip, settings.Door, time, stdout, cancellationToken);
        }
        catch (GpioException failure)
        {
            throw CliError.Fault($"{Name}: {failure.Message}");
        }
    }

    private static int Rest(GpioDriver driver, DoorOptions door, TextWriter stdout)
    {
        var level = DoorRest.Drive(driver, door);
        var line = JsonSerializer.Serialize(new
        {
            @event = "rested",
            line = door.Relay.Line,
            level = level == PinValue.High ? "high" : "low",
            state = "de-energised",
        });
        stdout.WriteLine(line);
        return 0;
    }

    private static async Task<int> PulseAsync(GpioDriver driver, SimulatedGpioChip? chip, DoorOptions door, TimeProvider time, TextWriter stdout, CancellationToken cancellationToken)
    {
        var relocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var controller = new DoorController(driver, door, time);
        var lines = new DoorJsonLines(controller.Events, time, door, chip)
        {
            Seen = e =>
            {
                if (e is DoorRelocked)
                {
                    relocked.TrySetResult();
                }
            },
        };
        var printing = lines.WriteAllAsync(stdout);
        controller.Start();
        var granted = controller.Grant(Grantor);
        try
        {
            if (granted)
            {
                // The cap relocks whatever happens; past it (and a margin) something is badly wrong.
                await relocked.Task.WaitAsync(TimeSpan.FromMilliseconds(door.MaxUnlockMs) + TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            controller.Dispose();
            await printing;
            throw new CliError(CliError.InterruptedCode, $"{Name}: interrupted; relay de-energised");
        }
        catch (TimeoutException)
        {
            controller.Dispose();
            await printing;
            throw CliError.Fault($"{Name}: the relay did not relock within Door:MaxUnlockMs; it is de-energised now");
        }

        controller.Dispose();
        await printing;
        return granted ? 0 : throw CliError.Fault($"{Name}: the grant was refused (see the grant_refused line); relay de-energised");
    }
}
