using System.Globalization;
using StationEdge.Store;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access;

/// <summary>
/// The one rule that decides a face, for the door (on the frame that completes a walk-up's agreement) and for
/// <c>identify</c> (on one photo). In order: the gallery must have decided the match known — its score at the threshold
/// for the gallery as it stands (<see cref="Match.Threshold"/>, calibrated for its size unless fixed) and ahead of the
/// next worker by the margin — else <c>unknown</c>, naming nobody; the worker must still be enrolled; liveness, when it
/// was scored, must pass;
/// then the worker must be active, within their validity dates, and the station open. The first failing check is the
/// reason.
/// </summary>
public static class AccessRule
{
    public static FrameDecision Decide(Match match, Worker? worker, DateTimeOffset now, AccessPolicy policy, LivenessResult? liveness = null)
    {
        ArgumentNullException.ThrowIfNull(match);
        ArgumentNullException.ThrowIfNull(policy);
        if (!match.IsKnown || match.WorkerId is null || worker is null || !string.Equals(worker.Id, match.WorkerId, StringComparison.Ordinal))
        {
            var why = match.WorkerId is null ? "nobody is enrolled"
                : match.Score < match.Threshold ? Format($"best score {match.Score:0.00} is below the threshold {match.Threshold:0.00}")
                : !match.IsKnown ? Format($"the best two workers are within {match.Margin:0.00} of each other (margin {policy.Gallery.MinMargin:0.00})")
                : $"worker {match.WorkerId} is no longer enrolled";
            return Decision(AccessDecision.Refused, AccessReason.Unknown, null, match, now, "unknown face: " + why);
        }

        var name = worker.Name;
        if (liveness is { IsLive: false })
        {
            return Decision(AccessDecision.Refused, AccessReason.Liveness, worker.Id, match, now,
                Format($"{worker.Id} matched, but the liveness model calls the face a spoof (score {liveness.Score:0.00}, live below {liveness.Threshold:0.00})"), name, liveness);
        }

        if (CheckWorker(worker, now, policy, selfService: true) is { } refusal)
        {
            return Decision(AccessDecision.Refused, refusal.Reason, worker.Id, match, now, refusal.Detail, name, liveness);
        }

        return Decision(AccessDecision.Granted, AccessReason.Matched, worker.Id, match, now, Format($"{worker.Id} matched (score {match.Score:0.00})"), name, liveness);
    }

    /// <summary>
    /// The same rule for every way in other than a face: a worker's pass, a visitor's pass, the keeper's opening and
    /// the county's remote unlock. When the request names a worker, the worker must still be enrolled (else
    /// <c>unknown</c>), active, and within their validity date; the opening hours bind the self-service methods (face,
    /// pass), not an opening a person decided and answers for (keeper, remote: <see cref="AccessRequest.By"/> is
    /// recorded). A visitor's pass names no worker: its own expiry is the pass book's, and only the hours apply here.
    /// The method's own checks (the pass's signature and expiry, the keeper's login) come before this; the reason codes
    /// are the face's (<see cref="AccessReason"/>), which a method may prefix for its own records.
    /// </summary>
    public static FrameDecision Decide(AccessRequest request, Worker? worker, DateTimeOffset now, AccessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        var selfService = request.Method is AccessMethod.Face or AccessMethod.Pass;
        if (request.WorkerId is { } id)
        {
            if (worker is null || !string.Equals(worker.Id, id, StringComparison.Ordinal))
            {
                return Refused(AccessReason.Unknown, null, $"worker {id} is no longer enrolled");
            }

            if (CheckWorker(worker, now, policy, selfService) is { } refusal)
            {
                return Refused(refusal.Reason, worker.Id, refusal.Detail, worker.Name);
            }
        }
        else if (selfService && CheckHours(now, policy) is { } closed)
        {
            return Refused(closed.Reason, null, closed.Detail);
        }

        return new FrameDecision(AccessDecision.Granted, AccessReason.Matched, worker?.Id, null, null)
        {
            WorkerName = worker?.Name,
            Time = now,
            Detail = $"{request.Method.Code()} by {request.By}" + (worker is null ? "" : $" for {worker.Id}"),
        };

        FrameDecision Refused(string reason, string? workerId, string detail, string? name = null) =>
            new(AccessDecision.Refused, reason, workerId, null, null) { WorkerName = name, Time = now, Detail = detail };
    }

    /// <summary>What every method checks of a worker it names: active, within the validity date, and (self-service) the hours.</summary>
    private static (string Reason, string Detail)? CheckWorker(Worker worker, DateTimeOffset now, AccessPolicy policy, bool selfService)
    {
        if (worker.Status == WorkerStatus.Suspended)
        {
            return (AccessReason.Suspended, $"{worker.Id} is suspended");
        }

        var local = policy.ToLocal(now);
        if (worker.ValidUntil is { } validUntil && DateOnly.FromDateTime(local.DateTime) > validUntil)
        {
            return (AccessReason.Expired, Format($"{worker.Id} was valid until {validUntil:yyyy-MM-dd}"));
        }

        return selfService ? CheckHours(now, policy) : null;
    }

    private static (string Reason, string Detail)? CheckHours(DateTimeOffset now, AccessPolicy policy)
    {
        var local = policy.ToLocal(now);
        return policy.Hours.IsOpen(TimeOnly.FromDateTime(local.DateTime))
            ? null
            : (AccessReason.OutsideHours, Format($"the station is open {policy.Hours}; it is {local:HH\\:mm}"));
    }

    /// <summary>
    /// An unknown face decided over a walk-up rather than one frame (no worker reached agreement in its frames):
    /// refused, naming nobody, with the last frame's best score.
    /// </summary>
    public static FrameDecision Unknown(Match match, DateTimeOffset now, string detail)
    {
        ArgumentNullException.ThrowIfNull(match);
        return Decision(AccessDecision.Refused, AccessReason.Unknown, null, match, now, "unknown face: " + detail);
    }

    private static FrameDecision Decision(AccessDecision decision, string reason, string? workerId, Match match, DateTimeOffset now, string detail, string? name = null, LivenessResult? liveness = null) =>
        new(decision, reason, workerId, match.WorkerId is null ? null : match.Score, match.WorkerId is null ? null : match.Margin)
        {
            WorkerName = name,
            Liveness = liveness?.Score,
            Time = now,
            Detail = detail,
        };

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
