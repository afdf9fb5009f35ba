using Microsoft.Extensions.Logging;
using StationEdge.Door.Control;
using StationEdge.Store;

namespace StationEdge.Passes;

/// <summary>
/// The default end of a pass decision: a valid pass (of a worker who is still enrolled and active) opens the door
/// through <see cref="DoorService.Grant"/> as <c>pass:ID</c>; every decision, granted or refused, is a visit with
/// <c>method = pass</c>, and a pass the book knows is linked to the visit it became.
/// </summary>
public sealed partial class DoorPassSink(DoorService door, StationStore store, PassBook book, ILogger<DoorPassSink> logger) : IPassDecisionSink
{
    public Task HandleAsync(PassCheck check, CancellationToken ct) => DecideAsync(check, ct);

    /// <summary>Acts on <paramref name="check"/> and returns the visit it became (granted only when the door opened).</summary>
    public async Task<Visit> DecideAsync(PassCheck check, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        var pass = check.Pass;
        var reason = check.Reason;
        if (check.Verdict == PassVerdict.Valid && pass!.WorkerId is { } workerId)
        {
            var worker = await store.GetWorkerAsync(workerId, ct);
            reason = worker is null ? "pass_worker_deleted" : worker.Status == WorkerStatus.Suspended ? "pass_suspended" : reason;
        }

        var granted = reason == "pass" && door.Grant($"pass:{pass!.Id}");
        if (reason == "pass" && !granted)
        {
            reason = "door_refused";
        }

        var visit = await store.RecordVisitAsync(
            new VisitDraft(granted ? VisitDecision.Granted : VisitDecision.Refused, reason, VisitMethod.Pass) { WorkerId = pass?.WorkerId }, ct: ct);
        if (pass is not null)
        {
            await book.RecordUseAsync(pass.Id, visit.Id, ct);
        }

        LogDecided(logger, pass?.Id.ToString() ?? "-", reason, visit.Seq);
        return visit;
    }

    [LoggerMessage(1, LogLevel.Information, "Pass {PassId} at the door: {Reason} (visit {Seq})")]
    private static partial void LogDecided(ILogger logger, string passId, string reason, long seq);
}
