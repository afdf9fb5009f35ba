using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Sync;

namespace StationEdge.Station;

/// <summary>The status the county sees, from the services the daemon already runs; nothing here touches the store.</summary>
internal sealed class StationFactsProbe(StationRecords records, StationVision vision, FrameSource camera, DoorService door) : IStationFacts
{
    public StationFacts Read()
    {
        int? gallery = null;
        try
        {
            gallery = records.Gallery.WorkerCount;
        }
        catch (InvalidOperationException)
        {
            // Not open yet (the link starts before the first gallery load finishes on a slow Pi): said as unknown.
        }

        return new StationFacts(
            vision.Pipeline.Models.Loaded.ToDictionary(m => m.File, m => m.Sha256, StringComparer.Ordinal),
            camera.Health?.FramesPerSecond,
            door.Status is { } status ? [.. status.Alarms.Select(Name).Order(StringComparer.Ordinal)] : null,
            gallery);
    }

    /// <summary>The link's names for the door's alarms (snake_case, as the events carry them).</summary>
    internal static string Name(DoorAlarm alarm) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(alarm.ToString());
}
