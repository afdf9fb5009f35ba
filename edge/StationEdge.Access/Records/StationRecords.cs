using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Store;

namespace StationEdge.Access;

/// <summary>
/// The station's store and gallery for the daemon: opened when the host starts (first of the station's services, so a
/// damaged database stops start-up with the store's message, which names the file and <c>station-edge store recover</c>),
/// closed when it has stopped. The gallery holds the current embedder's templates. When the composition registered a
/// <see cref="StationStore"/> it opened itself (the daemon, whose keeper site needs the store before the host starts),
/// that one is used and left to its owner to close.
/// </summary>
public sealed class StationRecords(
    IOptions<StoreOptions> storeOptions,
    IOptions<AccessOptions> accessOptions,
    StationVision vision,
    ILoggerFactory loggers,
    TimeProvider time,
    StationStore? opened = null) : IHostedService, IAsyncDisposable, IStationStoreSource
{
    private StationStore? _store;
    private StationGallery? _gallery;

    public StationStore Store => _store ?? throw NotOpen();

    public StationGallery Gallery => _gallery ?? throw NotOpen();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _store = opened ?? await StationStore.OpenAsync(storeOptions.Value, loggers.CreateLogger<StationStore>(), time, cancellationToken);
        var policy = accessOptions.Value.ToPolicy();
        _gallery = await vision.LoadGalleryAsync(_store, policy, loggers.CreateLogger<StationGallery>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        _gallery?.Dispose();
        if (_store is not null && opened is null)
        {
            await _store.DisposeAsync();
        }
    }

    private static InvalidOperationException NotOpen() => new("the station's records are not open yet: the host has not started");
}

/// <summary>The store the recorder writes to: the daemon's records once started, or a store opened by the caller.</summary>
public interface IStationStoreSource
{
    StationStore Store { get; }
}

/// <summary>A store its owner opened (a composition without the face path: the pass reader on its own).</summary>
public sealed class OpenedStationStore(StationStore store) : IStationStoreSource
{
    public StationStore Store => store;
}

/// <summary>Reloads the gallery when the roster changed in the store (a command beside the daemon, the keeper site), every <c>Access:RosterPollMs</c>.</summary>
public sealed partial class GalleryRefresher(StationRecords records, IOptions<AccessOptions> options, TimeProvider time, ILogger<GalleryRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.RosterPollMs);
        string? lastProblem = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stoppingToken);
                try
                {
                    await records.Gallery.ReloadIfChangedAsync(stoppingToken);
                    lastProblem = null;
                }
                catch (StoreException failure) when (failure.Message != lastProblem)
                {
                    // Once per problem: the door keeps working on the roster it has.
                    lastProblem = failure.Message;
                    LogReloadFailed(logger, failure.Message);
                }
                catch (StoreException)
                {
                    // The same problem again: logged already.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Gallery: the roster could not be read again ({Problem}); the door goes on with the roster it has")]
    private static partial void LogReloadFailed(ILogger logger, string problem);
}
