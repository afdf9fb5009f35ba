using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Store;

namespace StationEdge.Station;

/// <summary>Whether the station has a link to its county (<c>Sync:Broker</c> set): retention keeps unacknowledged visits only then.</summary>
public sealed record RetentionLink(bool On);

/// <summary>What one retention pass removed.</summary>
public sealed record RetentionRun(RetentionResult Visits, int UnknownFacesDeleted);

/// <summary>
/// Applies the station's retention at start, then daily: visits older than <c>Store:RetentionDays</c> — with the link
/// on, only those the county has acknowledged; with it off, all of them (nothing will ever send them) — and unknown
/// faces older than <c>Access:UnknownFacesRetentionDays</c> in <c>Access:UnknownFacesFolder</c>. A pass that fails is
/// logged and tried again at the next.
/// </summary>
public sealed partial class RetentionService(
    StationStore store, IOptions<AccessOptions> access, RetentionLink link, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromDays(1);

    private readonly TaskCompletionSource<RetentionRun> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The pass made at start (a health figure, and what the tests wait on).</summary>
    public Task<RetentionRun> FirstRun => _first.Task;

    /// <summary>One pass over the visits and the unknown faces.</summary>
    public async Task<RetentionRun> RunOnceAsync(CancellationToken ct)
    {
        var visits = await store.ApplyRetentionAsync(linkOff: !link.On, ct);
        var faces = 0;
        if (access.Value.UnknownFacesFolder is { } folder)
        {
            faces = UnknownFaces.DeleteOlderThan(folder, time.GetUtcNow() - TimeSpan.FromDays(access.Value.UnknownFacesRetentionDays));
        }

        LogApplied(logger, visits.Deleted, visits.KeptUnsynced, faces, link.On ? "acknowledged by the county" : "the link is off");
        return new RetentionRun(visits, faces);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    _first.TrySetResult(await RunOnceAsync(stoppingToken));
                }
                catch (Exception failure) when (failure is StoreException or IOException or UnauthorizedAccessException)
                {
                    _first.TrySetException(failure);
                    LogFailed(logger, failure.Message);
                }

                await Task.Delay(Every, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
            _first.TrySetCanceled(stoppingToken);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Retention: {Visits} old visits deleted ({Kept} kept until the county acknowledges them), {Faces} unknown faces deleted; old visits go when {Rule}")]
    private static partial void LogApplied(ILogger logger, int visits, int kept, int faces, string rule);

    [LoggerMessage(2, LogLevel.Warning, "Retention: not applied this time ({Problem}); tried again in a day")]
    private static partial void LogFailed(ILogger logger, string problem);
}
