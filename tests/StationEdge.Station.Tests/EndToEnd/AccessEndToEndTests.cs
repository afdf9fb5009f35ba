using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Access;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Station.Tests.Support;
using StationEdge.Store;

namespace StationEdge.Station.Tests.EndToEnd;

/// <summary>
/// The whole station on streams of walk-ups made from the demo photos: real models, real ffmpeg, a real store, the
/// simulated GPIO chip behind System.Device.Gpio.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class AccessEndToEndTests(StationFixture fixture)
{
    /// <summary>
    /// The walk-up's first frames show the face too small for the gate (27 px between the eyes, growing ~3 px a frame):
    /// it passes from about the 6th frame, and 2 of 3 agreeing frames grant. Ten frames leaves room for a dropped frame.
    /// </summary>
    private const int GrantWithinFrames = 10;

    [Fact]
    public async Task EnrolledWorker_WalkingUp_IsGrantedWithinTenFrames_TheRelayPulsesOnce_AndOneVisitIsRecorded()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var stream = fixture.Stream("grant", fixture.Empty(1), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(2));

        await using var station = await RunningStation.StartAsync(data.Path, stream);
        var granted = await station.NextAsync<AccessGranted>();
        await station.EndOfStreamAsync();
        await station.StopAsync();

        Assert.Equal(("W001", "王芳", AccessReason.Matched), (granted.Decision.WorkerId, granted.Decision.WorkerName, granted.Decision.Reason));
        Assert.True(granted.DoorOpened && granted.Recorded);
        Assert.InRange(granted.WalkUpFrames, 2, GrantWithinFrames);
        Assert.NotNull(granted.FrameToRelay);
        Assert.Single(station.All<AccessGranted>());
        Assert.Equal(1, station.RelayPulses);
        var visit = Assert.Single(await VisitsAsync(data.Path));
        Assert.Equal(("W001", VisitDecision.Granted, "matched"), (visit.WorkerId, visit.Decision, visit.Reason));
        Assert.Equal(granted.Decision.Score, visit.Score);
    }

    [Fact]
    public async Task Strangers_WalkingUp_AreNeverGranted_AndEachWalkUpIsRecordedOnceAsUnknown()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var parts = new List<string> { fixture.Empty(1) };
        foreach (var stranger in WalkUpMedia.Strangers)
        {
            parts.Add(fixture.WalkUp(stranger));
            parts.Add(fixture.Empty(2));
        }

        await using var station = await RunningStation.StartAsync(data.Path, fixture.Stream("strangers", [.. parts]));
        await station.EndOfStreamAsync();
        await station.StopAsync();

        Assert.Empty(station.All<AccessGranted>());
        Assert.Equal(0, station.RelayPulses);
        var refused = station.All<AccessRefused>();
        Assert.All(refused, r => Assert.Equal((AccessReason.Unknown, (string?)null), (r.Decision.Reason, r.Decision.WorkerId)));
        // At most one refusal per walk-up (a stranger whose every frame fails the gate is not decided at all).
        Assert.InRange(refused.Count, 2, WalkUpMedia.Strangers.Length);
        var visits = await VisitsAsync(data.Path);
        Assert.Equal(refused.Count, visits.Count);
        Assert.All(visits, v => Assert.Equal((VisitDecision.Refused, "unknown", (string?)null), (v.Decision, v.Reason, v.WorkerId)));
    }

    [Fact]
    public async Task SuspendedWorker_WalkingUp_IsRefusedAsSuspended_AndTheDoorStaysLocked()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        await using (var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data.Path }, NullLogger<StationStore>.Instance))
        {
            await store.SetWorkerStatusAsync("W001", WorkerStatus.Suspended, new KeeperContext("test"));
        }

        var stream = fixture.Stream("suspended", fixture.Empty(1), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(2));
        await using var station = await RunningStation.StartAsync(data.Path, stream);
        var refused = await station.NextAsync<AccessRefused>();
        await station.EndOfStreamAsync();
        await station.StopAsync();

        Assert.Equal((AccessReason.Suspended, "W001"), (refused.Decision.Reason, refused.Decision.WorkerId));
        Assert.Contains("suspended", refused.Decision.Detail, StringComparison.Ordinal);
        Assert.Single(station.All<AccessRefused>());
        Assert.Empty(station.All<AccessGranted>());
        Assert.Equal(0, station.RelayPulses);
        var visit = Assert.Single(await VisitsAsync(data.Path));
        Assert.Equal(("W001", VisitDecision.Refused, "suspended"), (visit.WorkerId, visit.Decision, visit.Reason));
    }

    [Fact]
    public async Task SecondWalkUp_InsideTheCooldown_OpensTheDoorAgain_WithoutASecondVisitRow()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var walk = fixture.WalkUp(WalkUpMedia.WorkerWalk);
        var stream = fixture.Stream("cooldown", fixture.Empty(1), walk, fixture.Empty(2), walk, fixture.Empty(2));

        await using var station = await RunningStation.StartAsync(data.Path, stream);
        await station.EndOfStreamAsync();
        await station.StopAsync();

        var grants = station.All<AccessGranted>();
        Assert.Equal(2, grants.Count);
        Assert.Equal([true, false], grants.Select(g => g.Recorded));
        Assert.All(grants, g => Assert.True(g.DoorOpened));
        // Door:PulseMs is 500 here, so the door relocked between the walk-ups and the relay pulsed for each.
        Assert.Equal(2, station.RelayPulses);
        Assert.Single(await VisitsAsync(data.Path));
    }

    [Fact]
    public async Task WorkerEnrolledWhileTheStationRuns_IsGrantedWithoutARestart()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W002", "李娜", WalkUpMedia.Strangers[0]);
        var stream = fixture.Stream("enrolled-late", fixture.Empty(4), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(2));

        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["Access:RosterPollMs"] = "200" });
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var granted = await station.NextAsync<AccessGranted>();

        Assert.Equal("W001", granted.Decision.WorkerId);
        Assert.Equal(2, station.Services.GetRequiredService<StationRecords>().Gallery.WorkerCount);
    }

    private static async Task<IReadOnlyList<Visit>> VisitsAsync(string dataPath)
    {
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath }, NullLogger<StationStore>.Instance);
        return await store.ListVisitsAsync(limit: 1000);
    }
}
