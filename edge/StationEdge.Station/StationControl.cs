using StationEdge.Access;
using StationEdge.Door.Control;
using StationEdge.Store;
using StationEdge.Sync;

namespace StationEdge.Station;

/// <summary>The county's roster and commands on the daemon's door and gallery: the link itself references neither.</summary>
internal sealed class StationControl(StationRecords records, StationVision vision, DoorService door, StationEvents events, TimeProvider time) : IStationControl
{
    public string EmbedderSha256 => vision.Pipeline.EmbedderSha256;

    /// <summary>The same path as a keeper's enrolment: the roster stamp moved in the store, so the gallery reloads; now rather than at its next poll.</summary>
    public async Task RosterChangedAsync(CancellationToken ct) => await records.Gallery.ReloadIfChangedAsync(ct);

    /// <summary>
    /// The keeper's remote opening (<c>DoorServiceDoor.OpenByKeeper</c>) with the county's name for who asked; the one
    /// access rule for every method, when it comes, is asked here first.
    /// </summary>
    public bool Unlock(string by) => door.Grant("county:" + by);

    /// <summary>To the one recorder, as a keeper's opening from the site goes.</summary>
    public Task RecordOpeningAsync(VisitDraft draft, CancellationToken ct) => new StationKeeperVisits(events, time).RecordOpeningAsync(draft, ct);
}
