using System.Text;
using StationEdge.Store;
using StationEdge.Sync.Contracts;
using LinkEvent = StationEdge.Sync.Contracts.StationEvent;

namespace StationEdge.Access;

/// <summary>
/// The outbox item of a visit (a <see cref="VisitRecord"/> on <c>stations/{id}/visits</c>) and of a door event (a
/// <see cref="LinkEvent"/> on <c>…/events</c>), in the link's own contract. The item's <c>seq</c> is written as 0
/// here: the outbox row's seq, given in the same transaction, is the one the sync agent sends. Every visit the station
/// records goes through here — a face at the door, a pass, a keeper's open — so the county's review sees them all.
/// </summary>
public sealed class SyncMessages(string stationId)
{
    public string StationId { get; } = stationId;

    public OutboxDraft Visit(Visit visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        var record = new VisitRecord(0, visit.Id, visit.Seq, visit.Time, VisitCodes.Of(visit.Decision), visit.Reason, VisitCodes.Of(visit.Method))
        {
            WorkerId = visit.WorkerId,
            Score = visit.Score,
            Margin = visit.Margin,
            Liveness = visit.Liveness,
        };
        return new(Topics.Visits(StationId), Encoding.UTF8.GetString(SyncJson.Write(record)));
    }

    public OutboxDraft DoorEvent(DoorEvent doorEvent)
    {
        ArgumentNullException.ThrowIfNull(doorEvent);
        var item = new LinkEvent(0, Guid.CreateVersion7(doorEvent.Time), doorEvent.Time, doorEvent.Type) { Details = doorEvent.Details };
        return new(Topics.Events(StationId), Encoding.UTF8.GetString(SyncJson.Write(item)));
    }
}
