using System.Diagnostics;
using System.Reflection;
using StationEdge.Camera;
using StationEdge.Store;
using StationEdge.Vision.Models;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// <see cref="IStationHealth"/> from the camera, the store, the models the door loaded and the file system. Without the
/// door (the site alone, in tests) it lists the site's own models.
/// </summary>
public sealed class StationHealthProbe(FrameSource camera, StationStore store, SiteVision vision, TimeProvider time, IDoorModels? door = null) : IStationHealth
{
    public async Task<StationHealthReport> ReadAsync(CancellationToken ct)
    {
        var outbox = await store.OutboxStatsAsync(ct);
        var workers = await store.ListWorkersAsync(ct);
        var drive = new DriveInfo(store.DataPath);
        using var process = Process.GetCurrentProcess();
        var version = typeof(StationHealthProbe).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        return new StationHealthReport(
            camera.Health,
            Models(),
            (int)Math.Min(int.MaxValue, outbox.Depth),
            null,
            drive.AvailableFreeSpace,
            drive.TotalSize,
            time.GetUtcNow() - process.StartTime.ToUniversalTime(),
            version,
            store.DataPath,
            workers.Count);
    }

    /// <summary>What is loaded, not what could be: a folder whose models cannot be loaded lists nothing.</summary>
    private IReadOnlyList<(string File, string Sha256)> Models()
    {
        if (door is not null)
        {
            return door.Loaded;
        }

        try
        {
            return vision.Pipeline.Models.Loaded;
        }
        catch (ModelIntegrityException)
        {
            return [];
        }
    }
}
