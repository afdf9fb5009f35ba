using StationEdge.Access;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.Station;

/// <summary>
/// The daemon's end of a pass decided at the door: <see cref="DoorPassSink"/> opens the daemon's door and stores the
/// visit (<c>method = pass</c>) in the daemon's store; the decision then joins the station's events as
/// <see cref="PassDecided"/>, so <c>run</c> prints it beside the face decisions and the keeper's live pages show it at once.
/// </summary>
internal sealed class StationPassSink(DoorPassSink door, StationStore store, StationEvents events, TimeProvider time) : IPassDecisionSink
{
    public async Task HandleAsync(PassCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        var visit = await door.DecideAsync(check, ct);
        var workerName = visit.WorkerId is { } id ? (await store.GetWorkerAsync(id, ct))?.Name : null;
        events.Publish(new PassDecided(visit, check.Pass?.Id, workerName, check.Pass?.VisitorName) { Timestamp = time.GetTimestamp() });
    }
}
