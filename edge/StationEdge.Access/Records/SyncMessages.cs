using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using StationEdge.Store;

namespace StationEdge.Access;

/// <summary>
/// The messages the sync delivers to the county for this station: one visit on <c>stations/{id}/visits</c>, one door
/// event on <c>stations/{id}/events</c>. Every visit the station records goes through here — a face at the door, a pass,
/// a keeper's open — so the county's review sees them all.
/// </summary>
public sealed class SyncMessages(string stationId)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string StationId { get; } = stationId;

    public OutboxDraft Visit(Visit visit) => new(
        $"stations/{StationId}/visits",
        JsonSerializer.Serialize(new { schema = "stationedge.visits.v1", station_id = StationId, visits = new[] { visit } }, Json));

    public OutboxDraft DoorEvent(DoorEvent doorEvent) => new(
        $"stations/{StationId}/events",
        JsonSerializer.Serialize(new { schema = "stationedge.events.v1", station_id = StationId, events = new[] { doorEvent } }, Json));
}
