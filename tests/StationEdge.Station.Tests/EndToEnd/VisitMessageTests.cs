using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.Access;
using StationEdge.Cli.Commands.Bench;
using StationEdge.KeeperSite.Station;
using StationEdge.Passes;
using StationEdge.Station.Tests.Support;
using StationEdge.Store;
using StationEdge.Sync;

namespace StationEdge.Station.Tests.EndToEnd;

/// <summary>
/// Every visit the daemon records, whatever its method, reaches the outbox with the one sync message the recorder builds:
/// a face at the door, a pass, a keeper's opening from the site and a county unlock.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class VisitMessageTests(StationFixture fixture)
{
    private static readonly string[] Required = ["seq", "id", "visit_seq", "time", "decision", "reason", "method"];

    [Fact]
    public async Task AVisitByFace_ByPass_ByKeeper_AndByCounty_EachCarryTheSameMessageShapeInTheOutbox()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var stream = fixture.Stream("visit-messages", fixture.Empty(1), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(1));
        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["KeeperSite:Enabled"] = "true" });
        using var bound = new CancellationTokenSource(RunningStation.Patience);

        var face = (await station.NextAsync<VisitRecorded>(v => v.Visit.Method == VisitMethod.Face)).Visit;
        await station.EndOfStreamAsync();

        var book = station.Services.GetRequiredService<PassBook>();
        var pass = await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li", bound.Token);
        await station.Services.GetRequiredService<DoorPassSink>().DecideAsync(book.Verify(book.CodeOf(pass))!, null, bound.Token);
        var byPass = (await station.NextAsync<VisitRecorded>(v => v.Visit.Method == VisitMethod.Pass)).Visit;

        await station.Services.GetRequiredService<IKeeperVisits>().RecordOpeningAsync(new VisitDraft(VisitDecision.Granted, "opened by keeper", VisitMethod.Keeper), bound.Token);
        var byKeeper = (await station.NextAsync<VisitRecorded>(v => v.Visit.Reason == "opened by keeper")).Visit;

        await station.Services.GetRequiredService<IStationControl>().RecordOpeningAsync(new VisitDraft(VisitDecision.Granted, "county_unlock", VisitMethod.Keeper) { Time = DateTimeOffset.UtcNow }, bound.Token);
        var byCounty = (await station.NextAsync<VisitRecorded>(v => v.Visit.Reason == "county_unlock")).Visit;

        var outbox = await station.Services.GetRequiredService<StationStore>().PeekOutboxAsync(1000, bound.Token);
        var messages = new SyncMessages("test-station");
        foreach (var (visit, method) in new[] { (face, "face"), (byPass, "pass"), (byKeeper, "keeper"), (byCounty, "keeper") })
        {
            var queued = Assert.Single(outbox, m => m.VisitId == visit.Id);
            Assert.Equal("stations/test-station/visits", queued.Topic);
            using var payload = JsonDocument.Parse(queued.PayloadJson);
            var keys = payload.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.Superset(Required.ToHashSet(), keys);
            Assert.Equal((visit.Id.ToString(), visit.Seq, method), (payload.RootElement.GetProperty("id").GetString(), payload.RootElement.GetProperty("visit_seq").GetInt64(), payload.RootElement.GetProperty("method").GetString()));
            // Built by the one builder, from the visit as stored: not a second copy of the mapping elsewhere.
            Assert.Equal(messages.Visit(visit).PayloadJson, queued.PayloadJson);
        }

        Assert.Equal(("W001", "W001"), (face.WorkerId, byPass.WorkerId));
    }
}
