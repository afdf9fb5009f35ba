using Microsoft.Extensions.Hosting;
using StationEdge.Access;
using StationEdge.KeeperSite.Station;

namespace StationEdge.Station;

/// <summary>
/// Tells the keeper site's visit feed to look now whenever the daemon has stored a visit (a face decision written by the
/// recorder, a pass decided at the door), instead of within its poll interval. It follows the station's events through
/// its own bounded channel, so neither the access loop nor the recorder ever waits on the site.
/// </summary>
internal sealed class VisitFeedNudger(StationEvents events, IVisitFeed feed) : BackgroundService
{
    // A nudge says only "look now": when several wait, the oldest can go.
    private readonly StationEventSubscription _subscription = events.Subscribe(capacity: 16);

    public override void Dispose()
    {
        _subscription.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var stationEvent in _subscription.Reader.ReadAllAsync(stoppingToken))
            {
                if (stationEvent is VisitRecorded or PassDecided)
                {
                    feed.Nudge();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }
    }
}
