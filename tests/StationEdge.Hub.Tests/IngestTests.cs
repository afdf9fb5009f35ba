using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Tests;

/// <summary>
/// The ingest end to end: real stations (SQLite store and sync agent) → Debian's Mosquitto → the hub → PostgreSQL 15.
/// Each test counts what the county holds against what the stations made, so a loss or a duplicate fails it.
/// </summary>
public sealed class IngestTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    [Theory]
    [InlineData(VisitInsert.Unnest)]
    [InlineData(VisitInsert.Copy)]
    public async Task Visits_from_two_stations_arrive_once_in_seq_order_and_the_acks_empty_the_outboxes(VisitInsert insert)
    {
        await using var bed = await TestBed.StartAsync(pg);
        var hub = await bed.StartHubAsync(insert: insert);
        Assert.Equal(insert, hub.Services.GetRequiredService<HubDatabase>().Insert);
        var a = await bed.StartStationAsync("A");
        var b = await bed.StartStationAsync("B");
        await Task.WhenAll(a.MakeVisitsAsync(300), b.MakeVisitsAsync(300));

        await bed.WaitForAllAsync(600, TimeSpan.FromSeconds(60));

        Assert.Equal(600, await bed.CountAsync("SELECT count(*) FROM visits"));
        Assert.Equal(600, await bed.CountAsync("SELECT count(DISTINCT (station_id, seq)) FROM visits"));
        foreach (var station in new[] { "A", "B" })
        {
            var seqs = await bed.SeqsAsync(station);
            Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), seqs);
        }

        Assert.Equal(300, await bed.CountAsync("SELECT acked_seq FROM station_progress WHERE station_id = 'A'"));
        Assert.True(await bed.CountAsync("SELECT count(*) FROM pg_inherits WHERE inhparent = 'visits'::regclass") >= 2, "a month's partition beside the default");
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM visits_default"));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM dead_letters"));
        await TestBed.WaitForAsync(() => bed.CountAsync("SELECT count(*) FROM stations WHERE online").Result == 2, TimeSpan.FromSeconds(10), "both stations online in the registry");
        bed.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task A_malformed_payload_and_a_station_writing_as_another_land_in_the_dead_letters_and_ingest_goes_on()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        using (var raw = await bed.ConnectAsAsync("st-a", "a-pw"))
        {
            var asB = new VisitBatch(Schemas.V(Schemas.VisitBatch), "B", 1, DateTimeOffset.UtcNow,
                [new VisitRecord(1, Guid.CreateVersion7(), 1, DateTimeOffset.UtcNow, "granted", "recognised", "face")]);
            await TestBed.PublishAsync(raw, Topics.Visits("A"), Encoding.UTF8.GetBytes("{not json"));
            await TestBed.PublishAsync(raw, Topics.Visits("A"), SyncJson.Write(asB));
            await TestBed.PublishAsync(raw, Topics.Visits("A"), SyncJson.Write(asB with { Schema = "stationedge.visits/2.0", StationId = "A" }));
            await TestBed.PublishAsync(raw, Topics.Visits("A"), new byte[SyncJson.MaxPayloadBytes + 10]);
        }

        var a = await bed.StartStationAsync("A");
        await a.MakeVisitsAsync(100);
        await bed.WaitForAllAsync(100, TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), await bed.SeqsAsync("A"));
        Assert.Equal(4, await bed.CountAsync("SELECT count(*) FROM dead_letters WHERE topic = 'stations/A/visits'"));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM dead_letters WHERE reason LIKE 'payload is not a valid VisitBatch%'"));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM dead_letters WHERE reason = 'station_id ''B'' is not the topic''s station ''A'''"));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM dead_letters WHERE reason LIKE '%has major version 2%'"));
        Assert.Equal(1, await bed.CountAsync($"SELECT count(*) FROM dead_letters WHERE reason LIKE '%over the limit%' AND payload_bytes = {SyncJson.MaxPayloadBytes + 10} AND length(payload) = {HubDatabase.DeadLetterPayloadBytes}"));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM visits WHERE station_id = 'B'"));
        bed.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_60_s_then_started_still_gives_exactly_every_visit()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        var a = await bed.StartStationAsync("A", ackTimeoutSeconds: 3);
        var b = await bed.StartStationAsync("B", ackTimeoutSeconds: 3);
        await Task.WhenAll(a.MakeVisitsAsync(150), b.MakeVisitsAsync(150));
        await bed.WaitForAllAsync(300, TimeSpan.FromSeconds(60));

        await pg.Postgres.StopAsync();
        var down = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(a.MakeVisitsAsync(200), b.MakeVisitsAsync(200));
            await TestBed.WaitForAsync(() => bed.Logs.Entries.Any(e => e.Message.Contains("PostgreSQL is unavailable", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(20), "the hub says the database is away");
            // The stations' ack timeout passes while the database is away, so they send everything again.
            await TestBed.WaitForAsync(() => bed.Logs.Entries.Any(e => e.Message.Contains("no acknowledgement", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(20), "a station sends again for want of an ack");
            // Nothing leaves either station while the county cannot commit it. The outage the issue names is a minute: long enough for many ack timeouts and resends and for the hub's
            // retry to reach its backoff cap, which a few seconds' outage never exercises.
            var rest = TimeSpan.FromSeconds(60) - down.Elapsed;
            if (rest > TimeSpan.Zero)
                await Task.Delay(rest);
            Assert.Equal(200, (await a.Store.OutboxStatsAsync()).Depth);
            Assert.Equal(200, (await b.Store.OutboxStatsAsync()).Depth);
        }
        finally
        {
            await pg.Postgres.StartAgainAsync();
        }

        await bed.WaitForAllAsync(700, TimeSpan.FromSeconds(90));
        Assert.Equal(700, await bed.CountAsync("SELECT count(*) FROM visits"));
        Assert.Equal(Enumerable.Range(1, 350).Select(i => (long)i), (await bed.SeqsAsync("A")).Order());
        Assert.Equal(Enumerable.Range(1, 350).Select(i => (long)i), (await bed.SeqsAsync("B")).Order());
        Assert.Single(bed.Logs.Entries, e => e.Message.Contains("PostgreSQL is unavailable", StringComparison.Ordinal));
        Assert.Contains(bed.Logs.Entries, e => e.Message.Contains("PostgreSQL is back", StringComparison.Ordinal));
        bed.Logs.AssertNoErrors();
    }

    [Theory]
    [InlineData(VisitInsert.Unnest)]
    [InlineData(VisitInsert.Copy)]
    public async Task Two_hub_processes_on_the_shared_subscription_store_each_visit_once_and_share_the_load(VisitInsert insert)
    {
        await using var bed = await TestBed.StartAsync(pg);
        var hub1 = await bed.StartHubAsync("hub-1", insert);
        var hub2 = await bed.StartHubAsync("hub-2", insert);
        var ingest1 = Ingest(hub1);
        var ingest2 = Ingest(hub2);
        await TestBed.WaitForAsync(() => ingest1.Connected && ingest2.Connected, TimeSpan.FromSeconds(10), "both hubs connected");
        var a = await bed.StartStationAsync("A");
        var b = await bed.StartStationAsync("B");
        await Task.WhenAll(a.MakeVisitsAsync(400), b.MakeVisitsAsync(400));

        await bed.WaitForAllAsync(800, TimeSpan.FromSeconds(60));

        Assert.Equal(800, await bed.CountAsync("SELECT count(*) FROM visits"));
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), (await bed.SeqsAsync("A")).Order());
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), (await bed.SeqsAsync("B")).Order());
        Assert.True(ingest1.Stored > 0 && ingest2.Stored > 0, $"both stored some ({ingest1.Stored} and {ingest2.Stored})");
        Assert.Equal(800, ingest1.Stored + ingest2.Stored);
        bed.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task A_broker_restart_mid_stream_still_gives_exactly_every_visit()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        var a = await bed.StartStationAsync("A");
        var b = await bed.StartStationAsync("B");
        await Task.WhenAll(a.MakeVisitsAsync(500), b.MakeVisitsAsync(500));
        await TestBed.WaitForAsync(() => bed.CountAsync("SELECT count(*) FROM visits").Result > 0, TimeSpan.FromSeconds(30), "the first visits stored");

        await bed.Broker.RestartAsync();
        await Task.WhenAll(a.MakeVisitsAsync(200), b.MakeVisitsAsync(200));

        await bed.WaitForAllAsync(1400, TimeSpan.FromSeconds(90));
        Assert.Equal(1400, await bed.CountAsync("SELECT count(*) FROM visits"));
        Assert.Equal(Enumerable.Range(1, 700).Select(i => (long)i), (await bed.SeqsAsync("A")).Order());
        Assert.Equal(Enumerable.Range(1, 700).Select(i => (long)i), (await bed.SeqsAsync("B")).Order());
        Assert.Contains(bed.Logs.Entries, e => e.Message.Contains("hub: the link is down", StringComparison.Ordinal));
        bed.Logs.AssertNoErrors();
    }

    private static HubIngest Ingest(Microsoft.Extensions.Hosting.IHost host) =>
        (HubIngest)host.Services.GetService(typeof(HubIngest))!;
}
