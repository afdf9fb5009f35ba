using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Door.Control;
using StationEdge.Store;

namespace StationEdge.Passes;

/// <summary>
/// The default end of a pass decision. A pass the book holds valid is then decided by the station's one rule
/// (<see cref="AccessRule.Decide(AccessRequest, Worker?, DateTimeOffset, AccessPolicy)"/>, method pass): a worker's
/// pass needs the worker enrolled, active and within their validity date, and every pass the opening hours; a
/// visitor's pass keeps its own expiry (the book's). A pass granted opens the door through
/// <see cref="DoorService.Grant"/> as <c>pass:ID</c>. Every decision, granted or refused, goes to the one recorder as a
/// visit with <c>method = pass</c> (<see cref="VisitRequested"/>: held in memory while the data folder is full), and
/// a pass the book knows is linked to the visit it became once that is stored.
/// </summary>
public sealed partial class DoorPassSink(
    DoorService door, StationStore store, PassBook book, StationEvents events, IOptions<AccessOptions> access, TimeProvider time, ILogger<DoorPassSink> logger)
    : IPassDecisionSink
{
    private readonly Lazy<AccessPolicy> _policy = new(() => access.Value.ToPolicy());

    public Task HandleAsync(PassCheck check, CancellationToken ct) => DecideAsync(check, null, ct);

    /// <summary>
    /// Acts on <paramref name="check"/> and hands the visit to the recorder; returns the visit's reason code (<c>pass</c>
    /// only when the door opened). <paramref name="whenStored"/> runs once the visit is stored.
    /// </summary>
    public async Task<string> DecideAsync(PassCheck check, Func<Visit, CancellationToken, Task>? whenStored, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        var pass = check.Pass;
        var now = time.GetUtcNow();
        var reason = check.Reason;
        if (check.Verdict == PassVerdict.Valid)
        {
            var worker = pass!.WorkerId is { } workerId ? await store.GetWorkerAsync(workerId, ct) : null;
            var decision = AccessRule.Decide(new AccessRequest(AccessMethod.Pass, $"pass:{pass.Id}") { WorkerId = pass.WorkerId }, worker, now, _policy.Value);
            if (!decision.IsGranted)
            {
                reason = ReasonOf(decision.Reason);
            }
        }

        var granted = reason == "pass" && door.Grant($"pass:{pass!.Id}");
        if (reason == "pass" && !granted)
        {
            reason = "door_refused";
        }

        var draft = new VisitDraft(granted ? VisitDecision.Granted : VisitDecision.Refused, reason, VisitMethod.Pass) { WorkerId = pass?.WorkerId, Time = now };
        events.Publish(new VisitRequested(draft)
        {
            Timestamp = time.GetTimestamp(),
            WhenStored = async (visit, token) =>
            {
                if (pass is not null)
                {
                    await book.RecordUseAsync(pass.Id, visit.Id, token);
                }

                LogDecided(logger, pass?.Id.ToString() ?? "-", visit.Reason, visit.Seq);
                if (whenStored is not null)
                {
                    await whenStored(visit, token);
                }
            },
        });
        return reason;
    }

    /// <summary>The rule's refusal as a pass visit's reason: <c>pass_</c> and the rule's code, <c>pass_worker_…</c> where the pass's own word would mislead.</summary>
    public static string ReasonOf(string ruleReason) => ruleReason switch
    {
        AccessReason.Unknown => "pass_worker_deleted",
        AccessReason.Expired => "pass_worker_expired",
        _ => "pass_" + ruleReason,
    };

    [LoggerMessage(1, LogLevel.Information, "Pass {PassId} at the door: {Reason} (visit {Seq})")]
    private static partial void LogDecided(ILogger logger, string passId, string reason, long seq);
}
