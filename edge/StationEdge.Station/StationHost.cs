using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Configuration;
using StationEdge.Door.Control;

namespace StationEdge.Station;

public static class StationHost
{
    /// <summary>
    /// Composes the station daemon on any <see cref="IHostApplicationBuilder"/> — <c>Host.CreateApplicationBuilder</c> for
    /// <c>station-edge run</c>, a <c>WebApplicationBuilder</c> for the keeper site in the same process: the configuration
    /// from <paramref name="sources"/> (unknown sections refused here, every section validated at start-up naming the key),
    /// logs on stderr (journald's format under systemd), UseSystemd (READY=1, STOPPING=1), the watchdog fed by the access
    /// loop, and the services in the order that makes the host stop the door first: its relay drops before anything else
    /// stops.
    /// </summary>
    /// <exception cref="ConfigFileException">A config file cannot be used.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A section is unknown.</exception>
    public static IHostApplicationBuilder AddStation(this IHostApplicationBuilder builder, StationSources sources)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        configuration.Sources.Clear();
        configuration.AddStationSources(sources);
        StrictConfiguration.RefuseUnknownSections(configuration, StationConfiguration.KnownSections);

        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        // The host's own "failed to start" error repeats, with a stack trace, what the command reports in one line; a
        // background service that crashes is still logged (critical).
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // stdout belongs to the command's output (run --json): every log line goes to stderr.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        builder.Services.AddSystemd();
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Services.TryAddSingleton<IWatchdogPing, SystemdWatchdog>();

        // Start order is registration order, stop order the reverse: the door last in, first out.
        builder.Services.AddStationAccess(configuration);
        builder.Services.AddGalleryLearner();
        builder.Services.AddStationCamera(configuration);
        builder.Services.AddStationDoor(configuration);
        return builder;
    }
}
