namespace StationEdge.Sync;

/// <summary>What the county's station page shows beside the outbox: read from the door, the camera and the models.</summary>
public sealed record StationFacts(
    IReadOnlyDictionary<string, string>? Models,
    double? CameraFps,
    IReadOnlyList<string>? OpenAlarms,
    int? GallerySize);

/// <summary>
/// The station's side of the status: the composition supplies it, so the link needs no reference to the door or the
/// camera. Read on every status and once a second for a change of alarms, so it must be cheap and never block.
/// </summary>
public interface IStationFacts
{
    StationFacts Read();
}
