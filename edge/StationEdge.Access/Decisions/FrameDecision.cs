using System.Text.Json.Serialization;

namespace StationEdge.Access;

[JsonConverter(typeof(JsonStringEnumConverter<AccessDecision>))]
public enum AccessDecision
{
    [JsonStringEnumMemberName("granted")]
    Granted,

    [JsonStringEnumMemberName("refused")]
    Refused,
}

/// <summary>
/// The stable reason codes of a decision, as they appear in visits, events and <c>identify --json</c>. A refusal for a
/// face that could not be used gives the quality gate's code instead (<c>no_face</c>, <c>too_small</c>, …).
/// </summary>
public static class AccessReason
{
    /// <summary>Granted: the face matched an active worker, within the validity dates and opening hours.</summary>
    public const string Matched = "matched";

    /// <summary>No enrolled worker reached the threshold with the margin over the next one.</summary>
    public const string Unknown = "unknown";

    /// <summary>The worker is suspended.</summary>
    public const string Suspended = "suspended";

    /// <summary>The worker's last valid day (<c>valid_until</c>) has passed.</summary>
    public const string Expired = "expired";

    /// <summary>The station is closed at this time (opening hours).</summary>
    public const string OutsideHours = "outside_hours";

    /// <summary>The liveness model called the matched face a spoof (a photo or a screen).</summary>
    public const string Liveness = "liveness";
}

/// <summary>
/// What the access rule decided for one face. <see cref="WorkerId"/> is the worker the face matched (null for an unknown
/// face, even when a worker came closest: a near miss names nobody); <see cref="Score"/> and <see cref="Margin"/> are the
/// gallery's (best cosine similarity, and its lead over the next worker), null when no face was compared.
/// </summary>
public sealed record FrameDecision(
    [property: JsonPropertyName("decision")] AccessDecision Decision,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("worker_id")] string? WorkerId,
    [property: JsonPropertyName("score")] float? Score,
    [property: JsonPropertyName("margin")] float? Margin)
{
    [JsonPropertyName("worker_name")]
    public string? WorkerName { get; init; }

    /// <summary>The liveness model's spoof score on the matched face (lower is more live), when it ran.</summary>
    [JsonPropertyName("liveness")]
    public float? Liveness { get; init; }

    [JsonPropertyName("time")]
    public DateTimeOffset Time { get; init; }

    /// <summary>One sentence for a person: "W001 is suspended", "valid until 2026-11-30".</summary>
    [JsonPropertyName("detail")]
    public string Detail { get; init; } = "";

    [JsonIgnore]
    public bool IsGranted => Decision == AccessDecision.Granted;

    /// <summary>A refusal with no face compared (no usable face in the frame), e.g. for the quality gate's refusals.</summary>
    public static FrameDecision RefusedWithoutMatch(string reason, string detail, DateTimeOffset time) =>
        new(AccessDecision.Refused, reason, null, null, null) { Detail = detail, Time = time };
}
