using StationEdge.Access;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.Station;

/// <summary>
/// The daemon's end of a pass decided at the door: <see cref="DoorPassSink"/> decides by the station's rule, opens the
/// daemon's door and hands the visit (<c>method = pass</c>) to the one recorder; once stored, the decision joins the
/// station's events as <see cref="PassDecided"/>, so <c>run</c> prints it beside the face decisions and the keeper's live
/// pages show it at once.
/// </summary>
internal sealed class StationPassSink(DoorPassSink door, StationStore store, StationEvents events, TimeProvider time) : IPassDecisionSink
{
    public async Task HandleAsync(PassCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        await door.DecideAsync(check, async (visit, token) =>
        {
            var workerName = visit.WorkerId is { } id ? (await store.GetWorkerAsync(id, token))?.Name : null;
            events.Publish(new PassDecided(visit, check.Pass?.Id, workerName, check.Pass?.VisitorName) { Timestamp = time.GetTimestamp() });
        }, ct);
    }
}
