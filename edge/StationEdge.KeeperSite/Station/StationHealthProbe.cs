using System.Diagnostics;
using System.Reflection;
using StationEdge.Camera;
using StationEdge.Store;
using StationEdge.Vision.Models;

namespace StationEdge.KeeperSite.Station;

/// <summary><see cref="IStationHealth"/> from the camera, the store, the models folder's lock and the file system.</summary>
public sealed class StationHealthProbe(FrameSource camera, StationStore store, SiteVision vision, TimeProvider time) : IStationHealth
{
    private static readonly string[] ModelIds = ["blazeface-front", "blazeface-back", "mobilefacenet", "antispoof"];

    public async Task<StationHealthReport> ReadAsync(CancellationToken ct)
    {
        var outbox = await store.PeekOutboxAsync(10_000, ct);
        var workers = await store.ListWorkersAsync(ct);
        var drive = new DriveInfo(store.DataPath);
        using var process = Process.GetCurrentProcess();
        var version = typeof(StationHealthProbe).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        return new StationHealthReport(
            camera.Health,
            Models(),
            outbox.Count,
            null,
            drive.AvailableFreeSpace,
            drive.TotalSize,
            time.GetUtcNow() - process.StartTime.ToUniversalTime(),
            version,
            store.DataPath,
            workers.Count);
    }

    /// <summary>Each runtime model the lock pins, with its sha256; a folder that cannot be opened lists nothing.</summary>
    private List<(string File, string Sha256)> Models()
    {
        try
        {
            var folder = ModelDirectory.Open(vision.ModelsPath);
            return [.. ModelIds.Select(id => folder.Lock.Runtime(id)).Select(a => (a.RuntimeFile, a.RuntimeSha256))];
        }
        catch (ModelIntegrityException)
        {
            return [];
        }
    }
}
