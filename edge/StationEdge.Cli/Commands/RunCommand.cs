using System.Device.Gpio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Cli.Commands.Run;
using StationEdge.Configuration;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Station;
using StationEdge.Store;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>run [--camera SRC] [--gpio sim|libgpiod|libgpiod2] [--for SECONDS] [--json] [--data DIR] [--config F] [--models DIR]</c>:
/// the station daemon (<see cref="StationDaemon"/>: the station, the pass reader and the keeper's site in one process)
/// until SIGTERM or SIGINT, or for SECONDS. Decisions, door and camera
/// events and greetings are printed on stdout as they happen (JSON lines with --json); logs go to stderr. A stop by signal
/// is the daemon's normal end: the relay is dropped first, then exit 0.
/// </summary>
internal static class RunCommand
{
    private const string Name = "run";

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse(Name, argv, [.. StationCli.Flags, "--camera", "--gpio", "--for"]);
        var overrides = new Dictionary<string, string?>();
        if (args.Value("--camera") is { } camera)
        {
            // A file or folder named relative to where the command was typed, whatever folder the host works in.
            var isPath = !camera.Contains("://", StringComparison.Ordinal) && !camera.StartsWith("lavfi:", StringComparison.Ordinal) && camera != "rpicam";
            overrides["Camera:Source"] = isPath ? Path.GetFullPath(camera) : camera;
        }

        if (args.Value("--gpio") is { } gpio)
        {
            overrides["Gpio:Driver"] = gpio is "sim" or "libgpiod" or "libgpiod2" or "auto"
                ? gpio
                : throw CliError.BadInput($"--gpio must be sim, libgpiod, libgpiod2 or auto (was '{gpio}')");
        }

        var runFor = args.Value("--for") is null ? (TimeSpan?)null : TimeSpan.FromSeconds(args.Double("--for", 0, 0.1, 31_536_000));
        var sources = StationCli.Sources(args, overrides);
        StationDaemon daemon;
        try
        {
            daemon = StationDaemon.Create(sources);
        }
        catch (ConfigFileException failure)
        {
            throw CliError.BadInput($"--config {failure.Message}");
        }
        catch (OptionsValidationException failure)
        {
            throw BadSettings(sources, failure);
        }

        await using var _ = daemon;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        RunPrinter printer;
        Task printing;
        try
        {
            var services = daemon.Services;
            var chip = (services.GetRequiredService<GpioDriver>() as SimulatedGpioDriver)?.Chip;
            printer = new RunPrinter(args.Json, stdout, services.GetRequiredService<StationEvents>(), services.GetRequiredService<TimeProvider>(),
                services.GetRequiredService<IOptions<DoorOptions>>().Value, chip);
            printing = printer.RunAsync();
        }
        catch (OptionsValidationException failure)
        {
            throw BadSettings(sources, failure);
        }
        catch (GpioException failure)
        {
            throw CliError.Fault(failure.Message);
        }

        if (runFor is { } duration)
        {
            stop.CancelAfter(duration);
        }

        try
        {
            // A start that fails has stopped what did start: the relay is at rest.
            await daemon.StartAsync(stop.Token);
            // Until a signal, --for, or the host stopping by itself (its own signal handling).
            using var running = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, daemon.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            await Task.Delay(Timeout.Infinite, running.Token);
        }
        catch (OperationCanceledException)
        {
            // A signal, --for, or the host's own stop: the normal end.
        }
        catch (OptionsValidationException failure)
        {
            throw BadSettings(sources, failure);
        }
        catch (StoreException failure)
        {
            throw StationCli.Error(failure);
        }
        catch (GpioException failure)
        {
            throw CliError.Fault(failure.Message);
        }
        catch (IOException failure)
        {
            // The keeper's site cannot listen (the port is taken): a fault of the machine, not of the command line.
            throw CliError.Fault(Program.OneLine(failure.Message));
        }

        await daemon.StopAsync();
        await printing;
        await printer.SummaryAsync(daemon.Services.GetRequiredService<AccessLoop>().Statistics, daemon.Services.GetRequiredService<AccessRecorder>().Backlog);
        return 0;
    }

    private static CliError BadSettings(StationSources sources, OptionsValidationException failure) =>
        CliError.BadInput((sources.ConfigFile is { } file ? $"--config {file}: " : "") + Program.OneLine(failure.Message));
}
