using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Station.Tests.Support;
using StationEdge.Store;

namespace StationEdge.Station.Tests.EndToEnd;

[Collection(StationCollection.Name)]
public sealed class FaultEndToEndTests(StationFixture fixture)
{
    [Fact]
    public async Task FfmpegKilled_CameraIsLostAndBack_AndGrantsResume()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var stream = fixture.Stream("looping", fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(2));

        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["Camera:Loop"] = "true" });
        await station.NextAsync<AccessGranted>();
        var pid = station.Services.GetRequiredService<FrameSource>().Health.ProcessId;
        Assert.NotNull(pid);
        using (var ffmpeg = Process.GetProcessById(pid.Value))
        {
            ffmpeg.Kill();
        }

        var lost = await station.NextAsync<CameraActivity>(c => c.Event is CameraLost);
        var back = await station.NextAsync<CameraActivity>(c => c.Event is CameraBack);
        var again = await station.NextAsync<AccessGranted>();

        Assert.Equal(CameraLossReason.Exited, ((CameraLost)lost.Event).Reason);
        Assert.True(back.Timestamp > lost.Timestamp && again.Timestamp > back.Timestamp);
        Assert.Equal("W001", again.Decision.WorkerId);
        Assert.True(again.DoorOpened);
        await station.StopAsync();
        var doorEvents = await DoorEventsAsync(data.Path);
        Assert.Contains(doorEvents, e => e.Type == "camera_lost");
        Assert.Contains(doorEvents, e => e.Type == "camera_back");
    }

    [TmpfsFact]
    public async Task FullDisk_TheDoorStillOpens_TheErrorIsLoggedOnce_AndTheVisitsAreWrittenWhenSpaceReturns()
    {
        using var mount = SmallTmpfs.Mount(sizeMiB: 4);
        var dataPath = Path.Combine(mount.Path, "data");
        await fixture.EnrollAsync(dataPath, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var walk = fixture.WalkUp(WalkUpMedia.WorkerWalk);
        var stranger = fixture.WalkUp(WalkUpMedia.Strangers[0]);
        var stream = fixture.Stream("full-disk", fixture.Empty(1), walk, fixture.Empty(2), stranger, fixture.Empty(2), walk, fixture.Empty(2));
        // Two grants recorded (no cooldown) and a stranger's refusal: three visits, all while the disk is full.
        var settings = new Dictionary<string, string?> { ["Access:CooldownSeconds"] = "0" };

        await using var station = await RunningStation.StartAsync(dataPath, stream, settings);
        var filler = Path.Combine(mount.Path, "filler");
        SmallTmpfs.FillUp(filler);
        station.ExpectedError = e => e.Contains("is full", StringComparison.Ordinal);
        await station.EndOfStreamAsync();

        Assert.Equal(2, station.All<AccessGranted>().Count);
        Assert.All(station.All<AccessGranted>(), g => Assert.True(g.DoorOpened));
        Assert.Equal(2, station.RelayPulses);
        var full = Assert.Single(station.Errors);
        Assert.Contains($"the data folder {dataPath} is full", full, StringComparison.Ordinal);
        var recorder = station.Services.GetRequiredService<AccessRecorder>();
        Assert.True(recorder.Backlog >= 3, $"{recorder.Backlog} writes waiting");

        File.Delete(filler);
        await WaitUntilAsync(() => recorder.Backlog == 0);
        await station.StopAsync();

        var visits = await VisitsAsync(dataPath);
        Assert.Equal(["granted", "granted", "refused"], visits.Select(v => v.Decision == VisitDecision.Granted ? "granted" : "refused").Order());
        // Written late, with the times they were decided at, in order.
        Assert.Equal(visits.Select(v => v.Time).OrderDescending(), visits.Select(v => v.Time));
        Assert.Contains(station.Logs.Entries, e => e.Message.Contains("writes succeed again", StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < RunningStation.Patience, "the backlog was not written within " + RunningStation.Patience);
            await Task.Delay(50);
        }
    }

    private static async Task<IReadOnlyList<Visit>> VisitsAsync(string dataPath)
    {
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath }, NullLogger<StationStore>.Instance);
        return await store.ListVisitsAsync(limit: 1000);
    }

    private static async Task<IReadOnlyList<StationEdge.Store.DoorEvent>> DoorEventsAsync(string dataPath)
    {
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath }, NullLogger<StationStore>.Instance);
        return await store.ListDoorEventsAsync(limit: 1000);
    }
}
