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
/// the station daemon (<see cref="StationHost"/>) until SIGTERM or SIGINT, or for SECONDS. Decisions, door and camera
/// events and greetings are printed on stdout as they happen (JSON lines with --json); logs go to stderr. A stop by signal
/// is the daemon's normal end: the relay is dropped first, then exit 0.
/// </summary>
internal static class RunCommand
{
    private const string Name = "run";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

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
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = Directory.GetCurrentDirectory() });
        try
        {
            builder.AddStation(sources);
        }
        catch (ConfigFileException failure)
        {
            throw CliError.BadInput($"--config {failure.Message}");
        }
        catch (OptionsValidationException failure)
        {
            throw BadSettings(sources, failure);
        }

        using var host = builder.Build();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        RunPrinter printer;
        Task printing;
        try
        {
            var time = host.Services.GetRequiredService<TimeProvider>();
            var chip = (host.Services.GetRequiredService<GpioDriver>() as SimulatedGpioDriver)?.Chip;
            printer = new RunPrinter(args.Json, stdout, host.Services.GetRequiredService<StationEvents>(), time,
                host.Services.GetRequiredService<IOptions<DoorOptions>>().Value, chip);
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
            await host.StartAsync(stop.Token);
            // Until a signal, --for, or the host stopping by itself (its own signal handling).
            using var running = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            await Task.Delay(Timeout.Infinite, running.Token);
        }
        catch (OperationCanceledException)
        {
            // A signal, --for, or the host's own stop: the normal end.
        }
        catch (OptionsValidationException failure)
        {
            await StopAsync(host);
            throw BadSettings(sources, failure);
        }
        catch (StoreException failure)
        {
            await StopAsync(host);
            throw StationCli.Error(failure);
        }
        catch (GpioException failure)
        {
            await StopAsync(host);
            throw CliError.Fault(failure.Message);
        }
        catch
        {
            await StopAsync(host);
            throw;
        }

        await StopAsync(host);
        await printing;
        await printer.SummaryAsync(host.Services.GetRequiredService<AccessLoop>().Statistics, host.Services.GetRequiredService<AccessRecorder>().Backlog);
        return 0;
    }

    /// <summary>Stops the host (the door first), bounded: a stop that hangs must not keep the process alive.</summary>
    private static async Task StopAsync(IHost host)
    {
        using var bound = new CancellationTokenSource(StopTimeout);
        try
        {
            await host.StopAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the relay was dropped first; what is left ends with the process.
        }
    }

    private static CliError BadSettings(StationSources sources, OptionsValidationException failure) =>
        CliError.BadInput((sources.ConfigFile is { } file ? $"--config {file}: " : "") + Program.OneLine(failure.Message));
}
