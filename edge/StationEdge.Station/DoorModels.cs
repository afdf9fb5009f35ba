using StationEdge.Access;
using StationEdge.KeeperSite.Station;

namespace StationEdge.Station;

/// <summary>The device page lists the models the door runs on, not the keeper site's own copies.</summary>
internal sealed class DoorModels(StationVision vision) : IDoorModels
{
    public IReadOnlyList<(string File, string Sha256)> Loaded => vision.Pipeline.Models.Loaded;
}
