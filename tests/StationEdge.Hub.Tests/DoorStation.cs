using System.Collections;
using System.Device.Gpio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Door.Gpio;
using StationEdge.Station;
using StationEvent = StationEdge.Access.StationEvent;

namespace StationEdge.Hub.Tests;

/// <summary>
/// A whole station of the test bed's county, composed as <c>station-edge run</c> composes it (<see cref="StationDaemon"/>),
/// with its <c>Sync</c> section pointing at the bed's broker: real models, ffmpeg playing <paramref name="camera"/>, a
/// real SQLite store, the simulated GPIO chip. The same data folder may be started again with another door stream, as a
/// station restarted keeps its records. Disposing stops it and fails the test on any logged error.
/// </summary>
internal sealed class DoorStation : IAsyncDisposable
{
    /// <summary>How long the test waits for any one thing at the door: generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly StationDaemon _daemon;
    private readonly StationEventSubscription _events;
    private readonly List<StationEvent> _seen = [];
    private readonly SimulatedGpioChip _chip;
    private bool _stopped;
    private bool _disposed;

    private DoorStation(string id, StationDaemon daemon, LogCollector logs, StationEventSubscription events, SimulatedGpioChip chip)
    {
        Id = id;
        _daemon = daemon;
        Logs = logs;
        _events = events;
        _chip = chip;
    }

    public string Id { get; }

    public LogCollector Logs { get; }

    public IServiceProvider Services => _daemon.Services;

    public StationEdge.Store.StationStore Store => _daemon.Store;

    /// <summary>The gallery the door matches against, as the running daemon holds it.</summary>
    public StationGallery Gallery => Services.GetRequiredService<StationRecords>().Gallery;

    /// <summary>How often the relay (line 17, active high) was energised.</summary>
    public int RelayPulses => _chip.OutputHistory.Count(c => c.Offset == 17 && c.Level == PinValue.High);

    public IReadOnlyList<T> All<T>() => [.. _seen.OfType<T>()];

    /// <summary>Station <paramref name="id"/> (user <c>st-{id}</c> of the bed's broker) on <paramref name="dataPath"/>.</summary>
    public static async Task<DoorStation> StartAsync(TestBed bed, string id, string dataPath, string camera)
    {
        var user = $"st-{id.ToLowerInvariant()}";
        var passwordFile = bed.Folder.File($"{user}-password");
        await File.WriteAllTextAsync(passwordFile, $"{id.ToLowerInvariant()}-pw\n");
        var overrides = new Dictionary<string, string?>
        {
            ["Gpio:Driver"] = "sim",
            ["Camera:Source"] = camera,
            ["Store:DataPath"] = dataPath,
            ["Vision:ModelsPath"] = RepoPaths.Models,
            ["Door:PulseMs"] = "500",
            ["Greeting:Enabled"] = "false",
            ["KeeperSite:Enabled"] = "false",
            ["Access:StationId"] = id,
            // A keeper's enrolment reaches the door's gallery at the next poll.
            ["Access:RosterPollMs"] = "200",
            ["Sync:Broker"] = bed.Broker.Uri,
            ["Sync:StationId"] = id,
            ["Sync:County"] = TestBed.County,
            ["Sync:Username"] = user,
            ["Sync:PasswordFile"] = passwordFile,
            ["Sync:CountyPublicKey"] = bed.SigningKeyFile + ".pub",
            // Every station of the county holds the template key: A seals a county-consent template with it, B opens it.
            ["Sync:TemplateKeyFile"] = bed.Folder.File("template.key"),
            ["Sync:BatchAgeMs"] = "50",
            ["Sync:MaxBackoffSeconds"] = "2",
        };
        var logs = new LogCollector();
        var daemon = StationDaemon.Create(new StationSources { AppSettingsFolder = null, Environment = new Hashtable(), Overrides = overrides }, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
        });
        var events = daemon.Services.GetRequiredService<StationEvents>().Subscribe(capacity: null);
        var chip = ((SimulatedGpioDriver)daemon.Services.GetRequiredService<GpioDriver>()).Chip;
        var station = new DoorStation(id, daemon, logs, events, chip);
        try
        {
            using var timeout = new CancellationTokenSource(Patience);
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

    /// <summary>The next event of type <typeparamref name="T"/> that satisfies <paramref name="where"/>; others before it are kept.</summary>
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
            throw new TimeoutException($"{Id}: no {typeof(T).Name} within {Patience.TotalSeconds} s; seen: {string.Join(" | ", _seen.Select(Describe))}");
        }
    }

    /// <summary>Waits for the door stream to play out: every frame of it has been offered to the access loop by then.</summary>
    public Task<CameraActivity> EndOfStreamAsync() => NextAsync<CameraActivity>(c => c.Event is CameraEnded);

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _daemon.StopAsync();
        while (_events.Reader.TryRead(out var late))
        {
            _seen.Add(late);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The test disposes a station to start its data folder again, and once more on its way out.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        _events.Dispose();
        await _daemon.DisposeAsync();
        var errors = Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, $"{Id} logged errors: " + string.Join(" | ", errors));
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
