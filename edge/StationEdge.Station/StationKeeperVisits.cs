using StationEdge.Access;
using StationEdge.KeeperSite.Station;
using StationEdge.Store;

namespace StationEdge.Station;

/// <summary>
/// The daemon's end of a keeper's opening: the visit goes to the one recorder (<see cref="VisitRequested"/>), as a face's
/// or a pass's does, so a full data folder keeps it in memory instead of losing it; the recorder's
/// <see cref="VisitRecorded"/> nudges the live pages.
/// </summary>
internal sealed class StationKeeperVisits(StationEvents events, TimeProvider time) : IKeeperVisits
{
    public Task RecordOpeningAsync(VisitDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        events.Publish(new VisitRequested(draft.Time is null ? draft with { Time = time.GetUtcNow() } : draft) { Timestamp = time.GetTimestamp() });
        return Task.CompletedTask;
    }
}
