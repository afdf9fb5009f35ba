using System.Text.Json;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class VisitTests
{
    [Fact]
    public async Task RecordVisit_StoresEveryField_AndReturnsWhatIsReadBack()
    {
        await using var test = await TestStore.OpenAsync();

        var granted = await test.Store.RecordVisitAsync(TestStore.Granted("W001") with { Method = VisitMethod.Face });
        var unknown = await test.Store.RecordVisitAsync(TestStore.Unknown() with { Liveness = null });
        var byKeeper = await test.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "opened by keeper", VisitMethod.Keeper));

        Assert.Equal([byKeeper, unknown, granted], await test.Store.ListVisitsAsync());
        Assert.Equal(("W001", VisitDecision.Granted, "matched", 0.81f, 0.3f, 0.92f), (granted.WorkerId, granted.Decision, granted.Reason, granted.Score, granted.Margin, granted.Liveness));
        Assert.Null(unknown.WorkerId);
        Assert.Null(unknown.Liveness);
        Assert.Equal(test.Clock.GetUtcNow(), granted.Time);
        Assert.Equal(TimeSpan.Zero, granted.Time.Offset);
    }

    [Fact]
    public async Task SequenceNumbers_AreNeverReused_AcrossRestartsAndDeletions()
    {
        await using var test = await TestStore.OpenAsync(o => o.RetentionDays = 1);
        for (var i = 0; i < 5; i++)
        {
            await test.Store.RecordVisitAsync(TestStore.Unknown());
        }

        test.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(5, (await test.Store.ApplyRetentionAsync()).Deleted);
        Assert.Empty(await test.Store.ListVisitsAsync());
        await test.ReopenAsync();

        var next = await test.Store.RecordVisitAsync(TestStore.Unknown());

        Assert.Equal(6, next.Seq);
    }

    [Fact]
    public async Task VisitIds_AreUuidV7InTheOrderTheyWereMade_EvenWhenTheClockStepsBack()
    {
        await using var test = await TestStore.OpenAsync();
        var visits = new List<Visit>();
        for (var i = 0; i < 20; i++)
        {
            visits.Add(await test.Store.RecordVisitAsync(TestStore.Unknown()));
        }

        test.Clock.Advance(TimeSpan.FromHours(-3));
        await test.ReopenAsync();
        visits.Add(await test.Store.RecordVisitAsync(TestStore.Unknown()));

        Assert.All(visits, v => Assert.Equal(7, v.Id.Version));
        var texts = visits.Select(v => v.Id.ToString()).ToList();
        Assert.Equal(texts.Order(StringComparer.Ordinal), texts);
        Assert.Equal(visits.Count, texts.Distinct().Count());
        Assert.Equal(test.Clock.GetUtcNow() + TimeSpan.FromHours(3), UuidV7.Timestamp(visits[0].Id));
    }

    [Fact]
    public async Task ListVisits_IsNewestFirst_WithSinceAndLimit()
    {
        await using var test = await TestStore.OpenAsync();
        var start = test.Clock.GetUtcNow();
        for (var i = 0; i < 10; i++)
        {
            await test.Store.RecordVisitAsync(TestStore.Unknown());
            test.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        var recent = await test.Store.ListVisitsAsync(since: start.AddMinutes(6));
        Assert.Equal([10L, 9, 8, 7], recent.Select(v => v.Seq));
        Assert.Equal([10L, 9], (await test.Store.ListVisitsAsync(limit: 2)).Select(v => v.Seq));
        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.ListVisitsAsync(limit: 0));
        Assert.Equal("limit must be between 1 and 100000 (was 0)", e.Message);
    }

    [Fact]
    public async Task Visit_AsJson_HasTheFieldsTheVisitsCommandPrints()
    {
        await using var test = await TestStore.OpenAsync();
        var unknown = await test.Store.RecordVisitAsync(TestStore.Unknown());

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(unknown));
        var root = json.RootElement;

        Assert.Equal(unknown.Id.ToString(), root.GetProperty("id").GetString());
        Assert.Equal(1, root.GetProperty("seq").GetInt64());
        Assert.Equal("2026-12-01T08:00:00+00:00", root.GetProperty("time").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("worker_id").ValueKind);
        Assert.Equal("refused", root.GetProperty("decision").GetString());
        Assert.Equal("unknown", root.GetProperty("reason").GetString());
        Assert.Equal("face", root.GetProperty("method").GetString());
        Assert.Equal(0.21, root.GetProperty("score").GetDouble(), 3);
    }

    [Fact]
    public async Task VisitAndItsOutboxMessage_AreOneTransaction()
    {
        await using var test = await TestStore.OpenAsync();
        var visit = await test.Store.RecordVisitAsync(TestStore.Granted("W001"), v => new OutboxDraft("stations/s1/visits", $$"""{"id":"{{v.Id}}","seq":{{v.Seq}}}"""));
        var message = Assert.Single(await test.Store.PeekOutboxAsync());
        Assert.Equal(visit.Id, message.VisitId);
        Assert.Equal($$"""{"id":"{{visit.Id}}","seq":1}""", message.PayloadJson);

        // A message that cannot be queued takes its visit with it.
        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.RecordVisitAsync(TestStore.Unknown(), _ => new OutboxDraft("stations/s1/visits", "{not json")));

        Assert.StartsWith("outbox payload for stations/s1/visits is not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.Single(await test.Store.ListVisitsAsync());
        Assert.Single(await test.Store.PeekOutboxAsync());
    }

    [Fact]
    public async Task DoorEvents_AreRecordedNewestFirst_WithTheirMessage()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.RecordDoorEventAsync(new DoorEventDraft("held_open", "open 31 s"));
        test.Clock.Advance(TimeSpan.FromSeconds(5));
        var forced = await test.Store.RecordDoorEventAsync(new DoorEventDraft("forced"), e => new OutboxDraft("stations/s1/events", $$"""{"type":"{{e.Type}}","id":{{e.Id}}}"""));

        Assert.Equal(["forced", "held_open"], (await test.Store.ListDoorEventsAsync()).Select(e => e.Type));
        Assert.Equal($$"""{"type":"forced","id":{{forced.Id}}}""", Assert.Single(await test.Store.PeekOutboxAsync()).PayloadJson);
        var bad = await Assert.ThrowsAsync<StoreException>(() => test.Store.RecordDoorEventAsync(new DoorEventDraft("Forced Open")));
        Assert.StartsWith("door event type 'Forced Open' is not valid", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeeperActions_AreAudited_WithWhoWhatAndWhere()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.RecordKeeperActionAsync(new KeeperContext("keeper-li", "192.168.1.20"), "door.unlock", "front door", "by hand");

        var entry = Assert.Single(await test.Store.ListAuditAsync());

        Assert.Equal(("keeper-li", "door.unlock", "front door", "by hand", "192.168.1.20", test.Clock.GetUtcNow()),
            (entry.Keeper, entry.Action, entry.Target, entry.Details, entry.Address, entry.Time));
    }
}
