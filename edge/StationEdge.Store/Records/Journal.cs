using System.Text.Json.Serialization;

namespace StationEdge.Store;

[JsonConverter(typeof(JsonStringEnumConverter<VisitDecision>))]
public enum VisitDecision
{
    [JsonStringEnumMemberName("granted")]
    Granted,

    [JsonStringEnumMemberName("refused")]
    Refused,
}

/// <summary>The codes a visit's decision and method have in the store and on the link: one mapping for both.</summary>
public static class VisitCodes
{
    public static string Of(VisitDecision decision) => decision == VisitDecision.Granted ? "granted" : "refused";

    public static string Of(VisitMethod method) => method switch
    {
        VisitMethod.Pass => "pass",
        VisitMethod.Keeper => "keeper",
        _ => "face",
    };
}

/// <summary>How the worker was recognised: by face, a pass (card or code) or let in by the keeper.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VisitMethod>))]
public enum VisitMethod
{
    [JsonStringEnumMemberName("face")]
    Face,

    [JsonStringEnumMemberName("pass")]
    Pass,

    [JsonStringEnumMemberName("keeper")]
    Keeper,
}

/// <summary>A decision to record. <see cref="WorkerId"/> null: an unknown face. <see cref="Time"/> unset: now.</summary>
public sealed record VisitDraft(VisitDecision Decision, string Reason, VisitMethod Method = VisitMethod.Face)
{
    public string? WorkerId { get; init; }

    public float? Score { get; init; }

    public float? Margin { get; init; }

    public float? Liveness { get; init; }

    public DateTimeOffset? Time { get; init; }
}

/// <summary>A recorded visit: a UUIDv7 id (the sync's idempotency key) and the station's sequence number (never reused).</summary>
public sealed record Visit(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("worker_id")] string? WorkerId,
    [property: JsonPropertyName("decision")] VisitDecision Decision,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("method")] VisitMethod Method,
    [property: JsonPropertyName("score")] float? Score,
    [property: JsonPropertyName("margin")] float? Margin,
    [property: JsonPropertyName("liveness")] float? Liveness);

/// <summary>A door event to record (<c>forced</c>, <c>held_open</c>, <c>relay_stuck</c>, <c>camera_lost</c> …). <see cref="Time"/> unset: now.</summary>
public sealed record DoorEventDraft(string Type, string? Details = null)
{
    public DateTimeOffset? Time { get; init; }
}

public sealed record DoorEvent(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("details")] string? Details);

/// <summary>One keeper action (enroll, suspend, delete, unlock by hand, login …).</summary>
public sealed record AuditEntry(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("keeper")] string Keeper,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("target")] string? Target,
    [property: JsonPropertyName("details")] string? Details,
    [property: JsonPropertyName("address")] string? Address);

/// <summary>A message for the sync to deliver: an MQTT topic and a JSON payload.</summary>
public sealed record OutboxDraft(string Topic, string PayloadJson);

/// <summary>
/// A queued message. <see cref="Seq"/>: the station's outbox sequence number, monotonic and never reused (the link's
/// ack counts by it). <see cref="VisitId"/>: the visit it describes, kept from retention until the message is acknowledged.
/// </summary>
public sealed record OutboxMessage(long Seq, Guid Id, string Topic, string PayloadJson, DateTimeOffset CreatedAt, int Attempts, Guid? VisitId);

/// <summary>The outbox at a glance, for the station's status: how many messages wait and since when the oldest visit.</summary>
public sealed record OutboxStats(long Depth, DateTimeOffset? OldestVisitQueuedAt);

/// <summary>What retention did: visits before <see cref="Cutoff"/> deleted, and those kept because their outbox message is still pending.</summary>
public sealed record RetentionResult(DateTimeOffset Cutoff, int Deleted, int KeptUnsynced);
