using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StationEdge.Broker;
using StationEdge.Store;
using StationEdge.Sync;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>bench [--quick] [--json]</c>: its own Mosquitto and PostgreSQL on loopback, the hub's ingest in process, and
/// (1) a real station draining 10,000 queued visits; (2) a burst from 50 simulated stations into PostgreSQL;
/// (3) 500 simulated stations sending 20 visits/s in all (5 minutes; 20 s with --quick), counting what is lost or
/// duplicated; (4) the station's memory with 100,000 visits waiting. Every phase has a deadline; it stops by itself.
/// <c>--ingest unnest|copy</c> picks how the hub writes a batch of visits, so the two can be measured on one machine.
/// </summary>
internal static partial class BenchCommand
{
    private const string County = "bench";

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, ["--seconds", "--stations", "--visits", "--ingest"], ["--quick"]);
        var method = args.Value("--ingest") switch
        {
            null or "unnest" => VisitInsert.Unnest,
            "copy" => VisitInsert.Copy,
            var other => throw HubCliError.BadInput($"--ingest must be unnest or copy (was '{other}')"),
        };
        var siteRows = args.Int("--visits", args.Has("--quick") ? 100_000 : 1_000_000, 1_000, 20_000_000);
        var soak = args.Int("--seconds", args.Has("--quick") ? 20 : 300, 5, 3600);
        var simulated = args.Int("--stations", 500, 1, 2000);
        void Say(string line)
        {
            if (!args.Json)
            {
                stdout.WriteLine(line);
            }
            else
            {
                stderr.WriteLine(line);
            }
        }

        using var folder = new BenchFolder();
        await using var pg = await LocalPostgres.StartAsync(ct);
        var users = new List<BrokerUser>
        {
            new("hub", "hub-pw", MosquittoAcl.HubBlock("hub", County)),
            new("st-D", "d-pw", MosquittoAcl.StationBlock("st-D", "D", County)),
        };
        users.AddRange(Enumerable.Range(0, simulated).Select(i => new BrokerUser($"st-S{i}", $"s{i}-pw", MosquittoAcl.StationBlock($"st-S{i}", $"S{i}", County))));
        await using var broker = await LocalMosquitto.StartAsync(users, ct: ct);
        var database = pg.ConnectionString();
        await using var db = new HubDatabase(database);
        await db.MigrateAsync(ct);
        File.WriteAllText(folder.File("hub-pw"), "hub-pw\n");
        File.WriteAllText(folder.File("d-pw"), "d-pw\n");

        using var hub = await StartHubAsync(database, method, broker.Uri, folder.File("hub-pw"), ct);
        var ingest = hub.Services.GetRequiredService<HubIngest>();
        await WaitAsync(() => Task.FromResult(ingest.Connected), TimeSpan.FromSeconds(15), "the hub connected", ct);

        // (1) A real station drains 10,000 visits queued while it was offline.
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = folder.File("station") }, ct: ct);
        await QueueAsync(store, "D", 10_000, ct);
        var drain = Stopwatch.StartNew();
        var agent = new SyncAgent(store, Microsoft.Extensions.Options.Options.Create(StationOptions(broker.Uri, folder.File("d-pw"))), TimeProvider.System, NullLogger<SyncAgent>.Instance);
        await agent.StartAsync(ct);
        await WaitAsync(async () => (await store.OutboxStatsAsync(ct)).Depth == 0, TimeSpan.FromSeconds(120), "the station's outbox drained", ct);
        var drainSeconds = drain.Elapsed.TotalSeconds;
        Say(string.Create(CultureInfo.InvariantCulture, $"drain: 10,000 queued visits from one station committed and deleted in {drainSeconds:0.00} s (target ≤ 10 s)"));

        // (2) A burst: 50 simulated stations each publish 1,000 visits in batches of 200 as fast as the broker takes them.
        var burstStations = Math.Min(50, simulated);
        var clients = await ConnectAllAsync(broker.Port, simulated, ct);
        var before = await db.CountAsync("SELECT count(*) FROM visits", ct);
        var payloads = Enumerable.Range(0, burstStations).SelectMany(s => Enumerable.Range(0, 5).Select(b => (s, Batch($"S{s}", (b * 200) + 1, 200)))).ToList();
        var burst = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, burstStations).Select(async s =>
        {
            foreach (var (_, payload) in payloads.Where(p => p.s == s))
            {
                await PublishAsync(clients[s], $"S{s}", payload, ct);
            }
        }));
        var burstTotal = burstStations * 1000;
        await WaitAsync(async () => await db.CountAsync("SELECT count(*) FROM visits", ct) - before >= burstTotal, TimeSpan.FromSeconds(120), "the burst stored", ct);
        var perSecond = burstTotal / burst.Elapsed.TotalSeconds;
        Say(string.Create(CultureInfo.InvariantCulture,
            $"ingest: {burstTotal:N0} visits from {burstStations} stations into PostgreSQL at {perSecond:N0} visits/s by {Name(method)} (target ≥ 10,000/s); bottleneck: one ingest loop storing one batch per transaction (insert, then the station's progress under its row lock)"));

        // (3) Many stations, a steady trickle: 20 visits/s in all, one visit per message, each station its own seqs.
        var seqs = new long[simulated];
        Array.Fill(seqs, 1000);
        Say($"stations: {simulated} simulated stations sending 20 visits/s in all for {soak} s");
        var sent = 0L;
        var soakStart = Stopwatch.StartNew();
        var random = new Random(7);
        while (soakStart.Elapsed < TimeSpan.FromSeconds(soak))
        {
            var due = (long)(soakStart.Elapsed.TotalSeconds * 20);
            while (sent < due)
            {
                var s = random.Next(simulated);
                var seq = ++seqs[s];
                await PublishAsync(clients[s], $"S{s}", Batch($"S{s}", seq, 1, floor: seq), ct);
                sent++;
            }

            await Task.Delay(20, ct);
        }

        var soakFrom = 1000;
        await WaitAsync(async () => await db.CountAsync($"SELECT count(*) FROM visits WHERE station_id LIKE 'S%' AND seq > {soakFrom}", ct) >= sent,
            TimeSpan.FromSeconds(60), "the trickle stored", ct);
        var stored = await db.CountAsync($"SELECT count(*) FROM visits WHERE station_id LIKE 'S%' AND seq > {soakFrom}", ct);
        var distinct = await db.CountAsync($"SELECT count(DISTINCT (station_id, seq)) FROM visits WHERE station_id LIKE 'S%' AND seq > {soakFrom}", ct);
        Say($"stations: {sent} sent, {distinct} stored, {stored - distinct} duplicated, {sent - distinct} lost");
        foreach (var c in clients)
        {
            c.Dispose();
        }

        // (4) The station's memory with a 100,000-visit backlog: the hub away, the agent connected and waiting for acks.
        await hub.StopAsync(ct);
        GC.Collect();
        var idle = RssMb();
        await QueueAsync(store, "D", 100_000, ct);
        await Task.Delay(TimeSpan.FromSeconds(3), ct);
        GC.Collect();
        var loaded = RssMb();
        Say(string.Create(CultureInfo.InvariantCulture, $"backlog: the bench process (the station's store and agent in it) {idle:0} MB idle, {loaded:0} MB with 100,000 visits waiting (+{loaded - idle:0} MB; target < 50 MB more)"));
        await agent.StopAsync(CancellationToken.None);
        agent.Dispose();

        var site = await SiteBenchAsync(database, siteRows, Say, ct);

        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["drain_10k_s"] = Math.Round(drainSeconds, 2),
                ["ingest_visits_per_s"] = Math.Round(perSecond),
                ["ingest_method"] = Name(method),
                ["ingest_bottleneck"] = "one ingest loop storing one batch per transaction",
                ["simulated_stations"] = new Dictionary<string, object>
                {
                    ["stations"] = simulated,
                    ["seconds"] = soak,
                    ["visits_sent"] = sent,
                    ["visits_stored"] = distinct,
                    ["duplicates"] = stored - distinct,
                    ["lost"] = sent - distinct,
                },
                ["backlog_rss_mb"] = new Dictionary<string, object> { ["idle"] = Math.Round(idle, 1), ["with_100k"] = Math.Round(loaded, 1) },
                ["review_visits"] = siteRows,
                ["review_p95_ms"] = site.ReviewP95Ms,
                ["csv_rows_per_s"] = site.CsvRowsPerSecond,
                ["csv_rss_mb"] = site.CsvRssMb,
            }));
        }

        return 0;
    }

    private static SyncOptions StationOptions(string broker, string passwordFile)
    {
        using var signer = CountySigner.Create();
        return new SyncOptions
        {
            Broker = broker,
            StationId = "D",
            County = County,
            Username = "st-D",
            PasswordFile = passwordFile,
            CountyPublicKey = signer.ExportPublicPem(),
            BatchAgeMs = 50,
        };
    }

    private static string Name(VisitInsert method) => method == VisitInsert.Copy ? "copy" : "unnest";

    private static async Task<IHost> StartHubAsync(string database, VisitInsert method, string broker, string passwordFile, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Database"] = database,
            ["Hub:Broker"] = broker,
            ["Hub:County"] = County,
            ["Hub:Username"] = "hub",
            ["Hub:PasswordFile"] = passwordFile,
            ["Hub:ClientId"] = "bench-hub",
        });
        builder.Logging.ClearProviders();
        // Before the ingest's own registration, which then keeps this one.
        builder.Services.AddSingleton(_ => new HubDatabase(database, method));
        builder.Services.AddCountyHubIngest(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(ct);
        return host;
    }

    private static async Task QueueAsync(StationStore store, string station, int count, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            var record = new VisitRecord(0, Guid.CreateVersion7(), i + 1, DateTimeOffset.UtcNow, "granted", "recognised", "face") { WorkerId = "W001", Score = 0.8f };
            await store.EnqueueAsync(new OutboxDraft(Topics.Visits(station), Encoding.UTF8.GetString(SyncJson.Write(record))), ct);
        }
    }

    private static byte[] Batch(string station, long firstSeq, int count, long floor = 1)
    {
        var now = DateTimeOffset.UtcNow;
        var visits = Enumerable.Range(0, count).Select(i => new VisitRecord(firstSeq + i, Guid.CreateVersion7(), firstSeq + i, now, "granted", "recognised", "face") { WorkerId = "W001", Score = 0.8f }).ToList();
        return SyncJson.Write(new VisitBatch(Schemas.V(Schemas.VisitBatch), station, floor, now, visits));
    }

    private static async Task<List<IMqttClient>> ConnectAllAsync(int port, int count, CancellationToken ct)
    {
        var clients = new List<IMqttClient>(count);
        for (var i = 0; i < count; i++)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithCredentials($"st-S{i}", $"s{i}-pw")
                .WithClientId($"sim-S{i}").WithProtocolVersion(MqttProtocolVersion.V500).Build(), ct);
            clients.Add(client);
        }

        return clients;
    }

    private static async Task PublishAsync(IMqttClient client, string station, byte[] payload, CancellationToken ct) =>
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Visits(station)).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan bound, string what, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (!await done())
        {
            if (deadline.Elapsed > bound)
            {
                throw HubCliError.Fault($"{what}: not within {bound.TotalSeconds} s");
            }

            await Task.Delay(20, ct);
        }
    }

    private static double RssMb()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private sealed class BenchFolder : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("county-hub-bench-").FullName;

        public string File(string name) => Path.Combine(_path, name);

        public void Dispose()
        {
            try
            {
                Directory.Delete(_path, recursive: true);
            }
            catch (IOException)
            {
                // Left in /tmp rather than failing a finished bench.
            }
        }
    }
}
