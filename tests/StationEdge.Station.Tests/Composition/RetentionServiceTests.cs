using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Store;

namespace StationEdge.Station.Tests.Composition;

/// <summary>The daemon's retention over a real store with visits older than the retention, and a folder of old unknown faces.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RetentionServiceTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new("retention-");
    private readonly StepClock _clock = new(new DateTimeOffset(2026, 9, 1, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task AtStart_LinkOn_DeletesOnlyOldVisitsTheCountyAcknowledged_LinkOff_AllOldVisits_AndOldUnknownFaces()
    {
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = Path.Combine(_folder.Path, "data"), RetentionDays = 90 }, NullLogger<StationStore>.Instance, _clock);
        var acknowledged = await Visit(store);
        var pending = await Visit(store);
        await store.AcknowledgeAsync([.. (await store.PeekOutboxAsync()).Where(m => m.VisitId == acknowledged.Id).Select(m => m.Id)]);
        _clock.Now += TimeSpan.FromDays(95);
        var recent = await Visit(store);

        var faces = Path.Combine(_folder.Path, "faces");
        Directory.CreateDirectory(faces, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var oldFace = Face(faces, _clock.Now - TimeSpan.FromDays(8));
        var newFace = Face(faces, _clock.Now - TimeSpan.FromDays(6));
        var access = Options.Create(new AccessOptions { UnknownFacesFolder = faces });

        var linkOn = await RunAsync(store, access, linkOn: true);

        Assert.Equal((1, 1, 1), (linkOn.Visits.Deleted, linkOn.Visits.KeptUnsynced, linkOn.UnknownFacesDeleted));
        Assert.Equal([recent.Id, pending.Id], (await store.ListVisitsAsync()).Select(v => v.Id));
        Assert.False(File.Exists(oldFace));
        Assert.True(File.Exists(newFace));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(faces));

        var linkOff = await RunAsync(store, access, linkOn: false);

        Assert.Equal((1, 0), (linkOff.Visits.Deleted, linkOff.Visits.KeptUnsynced));
        Assert.Equal([recent.Id], (await store.ListVisitsAsync()).Select(v => v.Id));
        Assert.Equal([recent.Id], (await store.PeekOutboxAsync()).Select(m => m.VisitId));
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<RetentionRun> RunAsync(StationStore store, IOptions<AccessOptions> access, bool linkOn)
    {
        using var service = new RetentionService(store, access, new RetentionLink(linkOn), _clock, NullLogger<RetentionService>.Instance);
        using var timeout = new CancellationTokenSource(Bound);
        await service.StartAsync(timeout.Token);
        var run = await service.FirstRun.WaitAsync(timeout.Token);
        await service.StopAsync(timeout.Token);
        return run;
    }

    private static Task<Visit> Visit(StationStore store) =>
        store.RecordVisitAsync(new VisitDraft(VisitDecision.Refused, "unknown"), v => new OutboxDraft("stations/s1/visits", $$"""{"id":"{{v.Id}}"}"""));

    private static string Face(string folder, DateTimeOffset written)
    {
        var path = Path.Combine(folder, $"unknown-{Guid.NewGuid()}.jpg");
        File.WriteAllBytes(path, [0xFF, 0xD8, 0xFF, 0xD9]);
        File.SetLastWriteTimeUtc(path, written.UtcDateTime);
        return path;
    }

    private sealed class StepClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
