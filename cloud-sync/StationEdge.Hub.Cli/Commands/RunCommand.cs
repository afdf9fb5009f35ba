using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using StationEdge.CountySite;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>run [--config F] [--for SECONDS] [--json]</c>: the ingest on the Generic Host (systemd notify: READY=1 once
/// started, STOPPING=1, and WATCHDOG=1 from the ingest loop's heartbeat when the unit sets WatchdogSec), after
/// migrating the schema. One line per stored batch on stdout (a JSON line with --json);
/// logs on stderr. SIGTERM or SIGINT stop it cleanly (exit 0): what was not acknowledged stays with the broker.
/// </summary>
internal static partial class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, ["--for"]);
        var runFor = args.Value("--for") is null ? (TimeSpan?)null : TimeSpan.FromSeconds(args.Double("--for", 0.1, 31_536_000)!.Value);
        var path = HubConfig.PathOf(args);
        var configuration = HubConfig.Read(path);
        var options = HubConfig.Load(path, HubOptionsValidator.ForIngest);
        var (from, to) = await DatabaseCall.RunAsync(options, db => db.MigrateAsync(ct), ct);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        // stdout carries the batch lines: every log line goes to stderr.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSystemd();
        builder.Services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        builder.Services.AddSingleton<IHubWatchdog, SystemdWatchdog>();
        builder.Services.AddSingleton<IIngestObserver>(new BatchPrinter(stdout, args.Json));
        builder.Services.AddCountyHubIngest(builder.Configuration);
        builder.AddCountySite();
        using var host = builder.Build();
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("county-hub");
        if (from != to)
        {
            LogMigrated(log, from, to);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (runFor is { } span)
        {
            stop.CancelAfter(span);
        }

        try
        {
            await host.StartAsync(stop.Token);
        }
        catch (OptionsValidationException e)
        {
            throw HubCliError.BadInput($"{path}: {string.Join("; ", e.Failures)}");
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM, SIGINT or --for: a normal end.
        }

        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(bounded.Token);
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "county-hub: schema migrated from version {From} to {To}")]
    private static partial void LogMigrated(ILogger logger, int from, int to);

    /// <summary>Writes one line per stored batch (the demo shows them).</summary>
    private sealed class BatchPrinter(TextWriter stdout, bool json) : IIngestObserver
    {
        private readonly Lock _gate = new();

        public void Stored(BatchStored b)
        {
            var ms = Math.Max(0, (b.StoredAt - b.FirstMadeAt).TotalMilliseconds);
            string line;
            if (json)
            {
                line = JsonSerializer.Serialize(new
                {
                    kind = b.Kind,
                    station_id = b.StationId,
                    count = b.Count,
                    stored = b.Inserted,
                    first_seq = b.FirstSeq,
                    last_seq = b.LastSeq,
                    ms_after_first_made = Math.Round(ms),
                    acked_seq = b.AckedSeq,
                });
            }
            else
            {
                var what = b.Inserted == b.Count
                    ? $"stored {b.Count} {b.Kind}"
                    : $"stored {b.Inserted} of {b.Count} {b.Kind} ({b.Count - b.Inserted} held already)";
                line = string.Create(CultureInfo.InvariantCulture,
                    $"{what} from {b.StationId} (seq {b.FirstSeq}-{b.LastSeq}), {ms:0} ms after the first was made; acked {b.AckedSeq}");
            }

            lock (_gate)
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }
        }
    }
}
