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

        if (worker.Status == WorkerStatus.Suspended)
        {
            return Decision(AccessDecision.Refused, AccessReason.Suspended, worker.Id, match, now, $"{worker.Id} is suspended", name, liveness);
        }

        var local = policy.ToLocal(now);
        if (worker.ValidUntil is { } validUntil && DateOnly.FromDateTime(local.DateTime) > validUntil)
        {
            return Decision(AccessDecision.Refused, AccessReason.Expired, worker.Id, match, now,
                Format($"{worker.Id} was valid until {validUntil:yyyy-MM-dd}"), name, liveness);
        }

        if (!policy.Hours.IsOpen(TimeOnly.FromDateTime(local.DateTime)))
        {
            return Decision(AccessDecision.Refused, AccessReason.OutsideHours, worker.Id, match, now,
                Format($"the station is open {policy.Hours}; it is {local:HH\\:mm}"), name, liveness);
        }

        return Decision(AccessDecision.Granted, AccessReason.Matched, worker.Id, match, now, Format($"{worker.Id} matched (score {match.Score:0.00})"), name, liveness);
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
