using System.Collections;
using System.Device.Gpio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Door.Gpio;

namespace StationEdge.Station.Tests.Support;

/// <summary>
/// The whole station in this process, composed as <c>station-edge run</c> composes it (<see cref="StationDaemon"/>) on the
/// simulated GPIO chip: real models, real ffmpeg, a real SQLite store in a temporary data folder, the pass reader, and
/// — when <c>KeeperSite:Enabled</c> is set true — the keeper's site on a free loopback port. Disposing stops it
/// (bounded) and fails the test on any logged error the test did not expect.
/// </summary>
internal sealed class RunningStation : IAsyncDisposable
{
    /// <summary>How long a test waits for any one thing: generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly StationDaemon _daemon;
    private readonly StationEventSubscription _events;
    private readonly List<StationEvent> _seen = [];
    private bool _stopped;

    private RunningStation(StationDaemon daemon, LogCollector logs, StationEventSubscription events, SimulatedGpioChip chip)
    {
        _daemon = daemon;
        Logs = logs;
        _events = events;
        Chip = chip;
    }

    public LogCollector Logs { get; }

    /// <summary>Every error (and worse) logged so far, with its category.</summary>
    public IReadOnlyList<string> Errors => [.. Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}")];

    public SimulatedGpioChip Chip { get; }

    public IServiceProvider Services => _daemon.Services;

    /// <summary>The keeper site's address (a free loopback port), when the site is on.</summary>
    public Uri SiteUrl => _daemon.SiteUrls[0];

    /// <summary>Events read so far, in order.</summary>
    public IReadOnlyList<StationEvent> Seen => _seen;

    /// <summary>Error lines the test expects (a full disk); any other fails it at the end.</summary>
    public Func<string, bool> ExpectedError { get; set; } = _ => false;

    /// <summary>How often the relay (line 17, active high) was energised.</summary>
    public int RelayPulses => Chip.OutputHistory.Count(c => c.Offset == 17 && c.Level == PinValue.High);

    /// <summary>Starts the daemon; <paramref name="adjust"/> runs on its builder last (a test's own seam implementation).</summary>
    public static async Task<RunningStation> StartAsync(
        string dataPath, string camera, IReadOnlyDictionary<string, string?>? settings = null, Action<IHostApplicationBuilder>? adjust = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Gpio:Driver"] = "sim",
            ["Camera:Source"] = camera,
            ["Store:DataPath"] = dataPath,
            ["Vision:ModelsPath"] = RepoPaths.Models,
            ["Door:PulseMs"] = "500",
            ["Greeting:Enabled"] = "false",
            ["Access:StationId"] = "test-station",
            // Most tests follow the door, not the pages: those that want the site turn it on.
            ["KeeperSite:Enabled"] = "false",
            ["KeeperSite:Urls"] = $"http://127.0.0.1:{LoopbackPort.Free()}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var logs = new LogCollector();
        var daemon = StationDaemon.Create(new StationSources { AppSettingsFolder = null, Environment = new Hashtable(), Overrides = overrides }, builder =>
        {
            // The test reads the log; the console would only fill the test run's output.
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            adjust?.Invoke(builder);
        });
        var events = daemon.Services.GetRequiredService<StationEvents>().Subscribe(capacity: null);
        var chip = ((SimulatedGpioDriver)daemon.Services.GetRequiredService<GpioDriver>()).Chip;
        var station = new RunningStation(daemon, logs, events, chip);
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
            // A start that fails stops what did start (ffmpeg, say).
            await daemon.StartAsync(timeout.Token);
            return station;
        }
        catch
        {
            events.Dispose();
            await daemon.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next event of type <typeparamref name="T"/> that satisfies <paramref name="where"/>; others before it are kept in <see cref="Seen"/>.</summary>
    public async Task<T> NextAsync<T>(Func<T, bool>? where = null)
        where T : StationEvent
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(timeout.Token);
                _seen.Add(next);
                if (next is T wanted && (where is null || where(wanted)))
                {
                    return wanted;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {typeof(T).Name} within {Patience.TotalSeconds} s; seen: {string.Join(" | ", _seen.Select(Describe))}");
        }
    }

    /// <summary>Waits for the camera's stream to play out (every frame of it has been offered to the loop by then).</summary>
    public Task<CameraActivity> EndOfStreamAsync() => NextAsync<CameraActivity>(c => c.Event is CameraEnded);

    /// <summary>Every event of type <typeparamref name="T"/> seen so far.</summary>
    public IReadOnlyList<T> All<T>() => [.. _seen.OfType<T>()];

    public async Task StopAsync()
    {
        _stopped = true;
        await _daemon.StopAsync();
        // What the stop let through (the door's last events, the recorder's last writes).
        while (_events.Reader.TryRead(out var late))
        {
            _seen.Add(late);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        _events.Dispose();
        await _daemon.DisposeAsync();
        var errors = Errors.Where(e => !ExpectedError(e)).ToList();
        Assert.True(errors.Count == 0, "logged errors: " + string.Join(" | ", errors));
    }


    private static string Describe(StationEvent e) => e switch
    {
        AccessGranted g => $"granted {g.Decision.WorkerId}",
        AccessRefused r => $"refused {r.Decision.Reason} {r.Decision.WorkerId}",
        DoorActivity d => d.Event.GetType().Name,
        CameraActivity c => c.Event.Name,
        _ => e.GetType().Name,
    };
}
