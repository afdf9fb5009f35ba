using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using StationEdge.Store;
using StationEdge.Sync.Contracts;
using HubProgram = StationEdge.Hub.Cli.Program;
using StationEvent = StationEdge.Sync.Contracts.StationEvent;

namespace StationEdge.Hub.Tests;

/// <summary>
/// The county's roster and commands end to end: two stations (real SQLite stores, the real agent, the door's real
/// gallery), the hub as <c>county-hub run</c> builds it (ingest and roster publisher), the command line in process,
/// Debian's Mosquitto and a PostgreSQL 15 cluster.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RosterTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    /// <summary>The bound: a rider enrolled at one station opens every station of the county within a minute.</summary>
    private static readonly TimeSpan Roaming = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_worker_enrolled_at_A_with_county_consent_is_granted_at_B_until_the_consent_is_withdrawn_then_suspended_and_deleted_at_the_hub_and_refused_at_both()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        var a = await bed.StartStationAsync("A", withGallery: true);
        var b = await bed.StartStationAsync("B", withGallery: true);
        await TestBed.WaitForAsync(() => a.Agent.Connected && b.Agent.Connected, TimeSpan.FromSeconds(20), "both stations connected");

        // A keeper's enrolment at A with the default consent (this station only): the record roams, the template stays at A.
        var keeper = new KeeperContext("站长", "cli");
        await a.Store.EnrollAsync(new NewWorker { Id = "L1", Name = "本站", ConsentVersion = "v2" },
            [new NewTemplate(TestBed.Embedder, Vector(5), new TemplateQuality(60, 1, 100, 120, 0.9))], keeper);
        await WaitForAsync(async () => await b.Store.GetWorkerAsync("L1") is not null, Roaming, "L1's record at B");
        Assert.Null(b.Control!.Gallery.Match(Vector(5)).Match.WorkerId);
        Assert.Empty(await b.Store.ListTemplatesAsync("L1"));

        // A rider whose recorded consent covers the county, enrolled at A as a keeper does: A's agent seals the
        // template under the county's template key (Sync:TemplateKeyFile) and sends it with the notice.
        var face = Vector(1);
        var enrolled = Stopwatch.StartNew();
        await a.Store.EnrollAsync(new NewWorker { Id = "W1", Name = "王芳", ConsentVersion = "v2", ConsentScope = ConsentScope.County },
            [new NewTemplate(TestBed.Embedder, face, new TemplateQuality(60, 1, 100, 120, 0.9))], keeper);

        await WaitForAsync(() => Task.FromResult(Granted(b, face)), Roaming, "W1 granted at B");
        var took = enrolled.Elapsed;
        Assert.True(took < Roaming, $"W1 reached B after {took.TotalSeconds:0.0} s");
        await WaitForAsync(() => Task.FromResult(Granted(a, face)), Roaming, "W1 granted at A");
        Assert.Equal("W1", b.Control!.Gallery.Match(face).Match.WorkerId);
        Assert.Equal(ConsentScope.County, (await b.Store.GetWorkerAsync("W1"))!.ConsentScope);

        var list = await CliAsync(bed, "workers", "list", "--json");
        Assert.Equal(0, list.Code);
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            var workers = json.RootElement.GetProperty("workers").EnumerateArray().ToDictionary(w => w.GetProperty("id").GetString()!);
            Assert.Equal(("A", "station", 0), (workers["L1"].GetProperty("home_station").GetString(), workers["L1"].GetProperty("consent_scope").GetString(), workers["L1"].GetProperty("templates").GetInt32()));
            Assert.Equal(("A", "county", 1), (workers["W1"].GetProperty("home_station").GetString(), workers["W1"].GetProperty("consent_scope").GetString(), workers["W1"].GetProperty("templates").GetInt32()));
        }

        // The rider takes the county back: A announces scope station, the hub drops the sealed template (from the worker
        // and from the earlier deltas) and B forgets the face; A still knows its own rider.
        await a.Store.SetConsentScopeAsync("W1", ConsentScope.Station, keeper);
        await WaitForAsync(() => Task.FromResult(b.Control!.Gallery.Match(face).Match.WorkerId is null), Roaming, "W1 out of B's gallery");
        Assert.Empty(await b.Store.ListTemplatesAsync("W1"));
        Assert.Equal(ConsentScope.Station, (await b.Store.GetWorkerAsync("W1"))!.ConsentScope);
        Assert.True(Granted(a, face));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM roster_deltas WHERE worker_id = 'W1' AND delta::text LIKE '%ciphertext%'"));
        Assert.Equal(0, await bed.CountAsync("SELECT COALESCE(jsonb_array_length(record->'templates'), 0) FROM county_workers WHERE worker_id = 'W1'"));

        var suspend = await CliAsync(bed, "workers", "suspend", "W1");
        Assert.Equal(0, suspend.Code);
        Assert.StartsWith("worker W1 suspended: roster version", suspend.Stdout, StringComparison.Ordinal);
        foreach (var s in new[] { a, b })
        {
            await WaitForAsync(() => Task.FromResult(s.Control!.Gallery.FindWorker("W1")?.Status == WorkerStatus.Suspended), Roaming, $"W1 suspended at {s.Id}");
            Assert.False(Granted(s, face));
        }

        var delete = await CliAsync(bed, "workers", "delete", "W1");
        Assert.Equal(0, delete.Code);
        foreach (var s in new[] { a, b })
        {
            await WaitForAsync(() => Task.FromResult(s.Control!.Gallery.FindWorker("W1") is null), Roaming, $"W1 gone at {s.Id}");
            Assert.NotEqual("W1", s.Control!.Gallery.Match(face).Match.WorkerId);
            Assert.Null(await s.Store.GetWorkerAsync("W1"));
            Assert.Empty(await s.Store.ListTemplatesAsync("W1"));
        }

        // Each change once, in order, and the deleted rider's face is gone from the county's deltas too.
        Assert.Equal(["add", "update", "suspend", "delete"], await OpsAsync(bed, "W1"));
        Assert.Equal(["add"], await OpsAsync(bed, "L1"));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM roster_deltas WHERE worker_id = 'W1' AND delta::text LIKE '%ciphertext%'"));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM county_workers WHERE worker_id = 'W1'"));
        var head = await bed.CountAsync("SELECT version FROM county_roster WHERE county = 'c1'");
        Assert.Equal(5, head);
        await WaitForAsync(async () => await a.Store.GetRosterVersionAsync() == head && await b.Store.GetRosterVersionAsync() == head, Roaming, "both stations at the head");

        var unknown = await CliAsync(bed, "workers", "delete", "W1");
        Assert.Equal((2, "county-hub: workers: no worker W1 in county c1's roster"), (unknown.Code, unknown.Stderr.Trim()));
    }

    [Fact]
    public async Task A_command_unlock_is_applied_and_audited_at_the_station_and_a_resync_replays_the_roster()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await using (var db = new HubDatabase(bed.Database))
        {
            await db.AddStationAsync(new StationRow("A", TestBed.County, "东站"));
        }

        await bed.StartHubAsync();
        var a = await bed.StartStationAsync("A", withGallery: true);
        // Online in the registry: the station's status comes after its subscriptions, commands included.
        await WaitForAsync(async () => await bed.CountAsync("SELECT count(*) FROM stations WHERE id = 'A' AND online") == 1, Roaming, "A online at the hub");

        var unlock = await CliAsync(bed, "command", "unlock", "A", "--by", "李主任", "--reason", "骑手手机没电，被锁在门外");
        Assert.Equal(0, unlock.Code);
        Assert.StartsWith("unlock ", unlock.Stdout, StringComparison.Ordinal);
        await WaitForAsync(() => Task.FromResult(a.Control!.Unlocks.Contains("李主任")), Roaming, "the door opened at A");
        await WaitForAsync(async () => (await a.Store.ListAuditAsync()).Any(e => e.Action == "door.open"), Roaming, "the opening audited at A");
        var audit = (await a.Store.ListAuditAsync()).Single(e => e.Action == "door.open");
        Assert.Equal("county:李主任", audit.Keeper);
        Assert.Contains("骑手手机没电，被锁在门外", audit.Details, StringComparison.Ordinal);
        var commandId = await bed.CountAsync("SELECT count(*) FROM county_commands WHERE station_id = 'A' AND type = 'unlock' AND published_at IS NOT NULL AND by_whom = '李主任'");
        Assert.Equal(1, commandId);

        // Two workers in the county's roster, then a resync: the station starts from 0 and gets both again.
        await a.Store.EnrollAsync(new NewWorker { Id = "L1", Name = "本站", ConsentVersion = "v2" }, [], new KeeperContext("站长", "cli"));
        await WaitForAsync(async () => await a.Store.GetRosterVersionAsync() == 1, Roaming, "A at version 1");
        var resync = await CliAsync(bed, "command", "resync", "A");
        Assert.Equal(0, resync.Code);
        await WaitForAsync(() => Task.FromResult(bed.Logs.Entries.Any(e => e.Message.Contains("answered A's resync from version 0", StringComparison.Ordinal))), Roaming, "the hub answered A's resync");
        await WaitForAsync(async () => await a.Store.GetRosterVersionAsync() == 1, Roaming, "A back at version 1");

        var stranger = await CliAsync(bed, "command", "unlock", "Z9", "--by", "x", "--reason", "y");
        Assert.Equal((2, "county-hub: command: station Z9 is not registered (county-hub stations list)"), (stranger.Code, stranger.Stderr.Trim()));
        var noReason = await CliAsync(bed, "command", "unlock", "A", "--by", "x");
        Assert.Equal((2, "county-hub: command: --reason is required"), (noReason.Code, noReason.Stderr.Trim()));
    }

    [Fact]
    public async Task A_notice_sent_twice_changes_the_roster_once_and_only_the_home_station_speaks_for_its_worker()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        using var stationA = await bed.ConnectAsAsync("st-a", "a-pw");
        using var stationB = await bed.ConnectAsAsync("st-b", "b-pw");
        var record = new WorkerRecord("W7", "张伟", "active", "A", DateTimeOffset.UtcNow, "v2", "station");
        var enrolled = new StationEvent(1, Guid.CreateVersion7(), DateTimeOffset.UtcNow, EventTypes.WorkerEnrolled) { WorkerId = "W7", Worker = record };
        var batch = SyncJson.Write(new EventBatch(Schemas.V(Schemas.EventBatch), "A", 1, DateTimeOffset.UtcNow, [enrolled]));
        // The same batch again (a resend after a lost ack), then B suspending A's worker.
        await TestBed.PublishAsync(stationA, Topics.Events("A"), batch);
        await TestBed.PublishAsync(stationA, Topics.Events("A"), batch);
        var suspended = new StationEvent(1, Guid.CreateVersion7(), DateTimeOffset.UtcNow, EventTypes.WorkerSuspended) { WorkerId = "W7", Worker = record with { Status = "suspended" } };
        await TestBed.PublishAsync(stationB, Topics.Events("B"), SyncJson.Write(new EventBatch(Schemas.V(Schemas.EventBatch), "B", 1, DateTimeOffset.UtcNow, [suspended])));
        await WaitForAsync(async () => await bed.CountAsync("SELECT count(*) FROM events") == 2, Roaming, "both events stored");
        await WaitForAsync(() => Task.FromResult(bed.Logs.Entries.Any(e => e.Message.Contains("W7 belongs to station A, not B", StringComparison.Ordinal))), Roaming, "B's notice ignored");

        Assert.Equal(["add"], await OpsAsync(bed, "W7"));
        Assert.Equal(1, await bed.CountAsync("SELECT count(*) FROM county_workers WHERE worker_id = 'W7' AND status = 'active' AND home_station = 'A'"));
        await WaitForAsync(async () => await bed.CountAsync("SELECT published_version FROM county_roster WHERE county = 'c1'") == 1, Roaming, "version 1 published");

        var help = await CliAsync(bed, "workers", "--help");
        Assert.Contains("Hub:SigningKeyFile", help.Stdout, StringComparison.Ordinal);
        var bad = await CliAsync(bed, "workers", "fire", "W7");
        Assert.Equal(2, bad.Code);
        Assert.StartsWith("county-hub: workers: no such workers command 'fire'", bad.Stderr, StringComparison.Ordinal);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Two_hub_processes_changing_the_roster_at_once_make_each_version_exactly_once_and_a_station_applies_them_all()
    {
        await using var bed = await TestBed.StartAsync(pg);
        var hub1 = await bed.StartHubAsync("hub-1");
        var hub2 = await bed.StartHubAsync("hub-2");
        var ingest1 = (HubIngest)hub1.Services.GetService(typeof(HubIngest))!;
        var ingest2 = (HubIngest)hub2.Services.GetService(typeof(HubIngest))!;
        await TestBed.WaitForAsync(() => ingest1.Connected && ingest2.Connected, TimeSpan.FromSeconds(10), "both hubs connected");
        var b = await bed.StartStationAsync("B", withGallery: true);
        using var stationA = await bed.ConnectAsAsync("st-a", "a-pw");
        var seq = 0L;
        async Task NoticeAsync(string type, string worker, string name, string status)
        {
            // One notice per batch: the shared subscription hands A's batches to either hub.
            var record = new WorkerRecord(worker, name, status, "A", DateTimeOffset.UtcNow, "v2", "station");
            var notice = new StationEvent(Interlocked.Increment(ref seq), Guid.CreateVersion7(), DateTimeOffset.UtcNow, type) { WorkerId = worker, Worker = record };
            await TestBed.PublishAsync(stationA, Topics.Events("A"), SyncJson.Write(new EventBatch(Schemas.V(Schemas.EventBatch), "A", 1, DateTimeOffset.UtcNow, [notice])));
        }

        static string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"W{i:00}");

        // 60 enrolments through both hubs' ingest.
        for (var i = 1; i <= 60; i++)
        {
            await NoticeAsync(EventTypes.WorkerEnrolled, Id(i), $"工人{i}", "active");
        }

        await WaitForAsync(async () => await bed.CountAsync("SELECT count(*) FROM county_workers") == 60, Roaming, "60 workers in the county");

        // Then at once: 40 updates through the ingest (either hub), and each hub's own pool suspending (and one resuming)
        // its half of W41..W60, as `county-hub workers` run beside each hub would.
        async Task ChangeAsync(IHost hub, int from, int to, bool resume)
        {
            var data = ((HubDatabase)hub.Services.GetService(typeof(HubDatabase))!).DataSource;
            for (var i = from; i <= to; i++)
            {
                Assert.NotNull(await CountyRoster.ChangeAsync(data, TestBed.County, RosterDelta.Suspend, Id(i), $"test-{i}", CancellationToken.None));
            }

            for (var i = from; resume && i <= to; i++)
            {
                Assert.NotNull(await CountyRoster.ChangeAsync(data, TestBed.County, RosterDelta.Resume, Id(i), $"test-{i}", CancellationToken.None));
            }
        }

        async Task UpdatesAsync()
        {
            for (var i = 1; i <= 40; i++)
            {
                await NoticeAsync(EventTypes.WorkerUpdated, Id(i), $"工人{i}号", "active");
            }
        }

        await Task.WhenAll(Task.Run(UpdatesAsync), Task.Run(() => ChangeAsync(hub1, 41, 50, resume: true)), Task.Run(() => ChangeAsync(hub2, 51, 60, resume: false)));
        const int Versions = 60 + 40 + 10 + 10 + 10;
        await WaitForAsync(async () => await bed.CountAsync("SELECT count(*) FROM events") == 100, Roaming, "every notice stored");

        Assert.True(ingest1.Stored > 0 && ingest2.Stored > 0, $"both hubs stored notices ({ingest1.Stored} and {ingest2.Stored})");
        Assert.Equal(100, ingest1.Stored + ingest2.Stored);
        Assert.Equal(Versions, await bed.CountAsync("SELECT version FROM county_roster WHERE county = 'c1'"));
        Assert.Equal(Versions, await bed.CountAsync("SELECT count(*) FROM roster_deltas"));
        Assert.Equal(Versions, await bed.CountAsync("SELECT count(DISTINCT version) FROM roster_deltas"));
        Assert.Equal((1, Versions), (await bed.CountAsync("SELECT min(version) FROM roster_deltas"), await bed.CountAsync("SELECT max(version) FROM roster_deltas")));
        // Each worker's own deltas in the order they were made: an update never lands before its add.
        Assert.Equal(0, await bed.CountAsync("""
            SELECT count(*) FROM (SELECT op, lag(op) OVER (PARTITION BY worker_id ORDER BY version) AS before FROM roster_deltas) d
            WHERE (d.before IS NULL) <> (d.op = 'add')
            """));

        await WaitForAsync(async () => await b.Store.GetRosterVersionAsync() == Versions, Roaming, $"B at version {Versions}");
        Assert.Equal("工人7号", (await b.Store.GetWorkerAsync("W07"))!.Name);
        Assert.Equal(WorkerStatus.Active, (await b.Store.GetWorkerAsync("W45"))!.Status);
        Assert.Equal(WorkerStatus.Suspended, (await b.Store.GetWorkerAsync("W55"))!.Status);
        await WaitForAsync(async () => await bed.CountAsync("SELECT published_version FROM county_roster WHERE county = 'c1'") == Versions, Roaming, "every version published");
        bed.Logs.AssertNoErrors();
    }

    private static bool Granted(Station s, float[] face) =>
        s.Control!.Gallery.Match(face) is { Match.WorkerId: "W1", Worker.Status: WorkerStatus.Active };

    private static async Task<List<string>> OpsAsync(TestBed bed, string worker)
    {
        await using var connection = new Npgsql.NpgsqlConnection(bed.Database);
        await connection.OpenAsync();
        await using var select = new Npgsql.NpgsqlCommand("SELECT op FROM roster_deltas WHERE worker_id = @w ORDER BY version", connection);
        select.Parameters.AddWithValue("w", worker);
        await using var reader = await select.ExecuteReaderAsync();
        var ops = new List<string>();
        while (await reader.ReadAsync())
        {
            ops.Add(reader.GetString(0));
        }

        return ops;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> CliAsync(TestBed bed, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HubProgram.RunAsync([.. args, "--config", bed.HubConfigFile()], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within {bound.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    /// <summary>A unit vector of its own direction per seed: different workers are far apart.</summary>
    private static float[] Vector(int seed)
    {
        var v = new float[TestBed.Dimensions];
        var random = new Random(seed);
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5);
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
