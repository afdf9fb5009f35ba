using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StationEdge.Access;
using StationEdge.Broker;
using StationEdge.Store;
using StationEdge.Sync;
using StationEdge.Sync.Contracts;
using StationEdge.Vision.Recognition;

namespace StationEdge.Hub.Tests;

/// <summary>
/// A county on one machine for a test: a real Mosquitto with the hub's and two stations' ACL blocks, a fresh database
/// on the test class's PostgreSQL, hub hosts built as <c>county-hub run</c> builds its ingest, and stations made of a
/// real SQLite store and the real sync agent. Every host logs into one collector, which the test fails on.
/// </summary>
internal sealed class TestBed : IAsyncDisposable
{
    public const string County = "c1";

    private readonly List<IHost> _hubs = [];
    private readonly List<Station> _stations = [];
    private readonly ILoggerFactory _loggers;

    private TestBed(TempFolder folder, LocalMosquitto broker, string database, LogCollector logs)
    {
        Folder = folder;
        Broker = broker;
        Database = database;
        Logs = logs;
        _loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        File.WriteAllText(folder.File("hub-password"), "hub-pw\n");
        // The county's keys, as `county-hub keys init` leaves them: the hub signs, every station holds the public half.
        File.WriteAllText(SigningKeyFile, Signer.ExportPrivatePem());
        File.WriteAllText(SigningKeyFile + ".pub", Signer.ExportPublicPem() + "\n");
        File.WriteAllText(folder.File("template.key"), Convert.ToBase64String(TemplateKey) + "\n");
    }

    /// <summary>The embedder the stations' galleries match with (a stand-in sha256).</summary>
    public static readonly string Embedder = new('e', 64);

    public const int Dimensions = 16;

    public CountySigner Signer { get; } = CountySigner.Create();

    public string SigningKeyFile => Folder.File("county-signing.pem");

    /// <summary>The county's template key, which the stations hold and the hub does not.</summary>
    public byte[] TemplateKey { get; } = System.Security.Cryptography.RandomNumberGenerator.GetBytes(TemplateSeal.KeyBytes);

    /// <summary>The hub's configuration file as <c>county-hub</c> reads it, for the command line.</summary>
    public string HubConfigFile(string clientId = "hub-cli")
    {
        var path = Folder.File("hub.json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Hub"] = new Dictionary<string, string>
            {
                ["Database"] = Database,
                ["Broker"] = Broker.Uri,
                ["County"] = County,
                ["Username"] = "hub",
                ["PasswordFile"] = Folder.File("hub-password"),
                ["SigningKeyFile"] = SigningKeyFile,
                ["ClientId"] = clientId,
            },
        }));
        return path;
    }

    public TempFolder Folder { get; }

    public LocalMosquitto Broker { get; }

    public string Database { get; }

    public LogCollector Logs { get; }

    public static async Task<TestBed> StartAsync(PostgresFixture pg)
    {
        // The database first: a broker started before a failure here would be left running.
        var database = await pg.NewDatabaseAsync();
        await using (var db = new HubDatabase(database))
        {
            await db.MigrateAsync();
        }

        var folder = new TempFolder("stationedge-hub-");
        var broker = await LocalMosquitto.StartAsync(
        [
            new BrokerUser("hub", "hub-pw", MosquittoAcl.HubBlock("hub", County)),
            new BrokerUser("st-a", "a-pw", MosquittoAcl.StationBlock("st-a", "A", County)),
            new BrokerUser("st-b", "b-pw", MosquittoAcl.StationBlock("st-b", "B", County)),
        ]);
        return new TestBed(folder, broker, database, new LogCollector());
    }

    /// <summary>A hub process's ingest on the Generic Host, from a <c>Hub</c> section as its config file holds it.</summary>
    public async Task<IHost> StartHubAsync(string clientId = "hub-1", VisitInsert insert = VisitInsert.Unnest)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hub:Database"] = Database,
            ["Hub:Broker"] = Broker.Uri,
            ["Hub:County"] = County,
            ["Hub:Username"] = "hub",
            ["Hub:PasswordFile"] = Folder.File("hub-password"),
            ["Hub:ClientId"] = clientId,
            ["Hub:SigningKeyFile"] = SigningKeyFile,
            ["Hub:MaxBackoffSeconds"] = "2",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Logs);
        // Before the ingest's own registration, which then keeps this one (the bench picks the insert the same way).
        builder.Services.AddSingleton(_ => new HubDatabase(Database, insert));
        builder.Services.AddCountyHubIngest(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        _hubs.Add(host);
        return host;
    }

    public async Task StopHubAsync(IHost host)
    {
        await host.StopAsync();
        host.Dispose();
        _hubs.Remove(host);
    }

    /// <summary>A station: its own SQLite store and the real agent, sending as <c>st-{id}</c>.</summary>
    public async Task<Station> StartStationAsync(string id, int ackTimeoutSeconds = 20, bool withGallery = false)
    {
        var user = $"st-{id.ToLowerInvariant()}";
        var passwordFile = Folder.File($"{user}-password");
        await File.WriteAllTextAsync(passwordFile, $"{id.ToLowerInvariant()}-pw\n");
        var store = await StationStore.OpenAsync(new StoreOptions { DataPath = Folder.File($"station-{id}") });
        var gallery = withGallery
            ? await StationGallery.LoadAsync(store, Embedder, Dimensions, new GalleryOptions(), _loggers.CreateLogger<StationGallery>(), CancellationToken.None)
            : null;
        var control = gallery is null ? null : new GalleryControl(gallery, store);
        var options = new SyncOptions
        {
            Broker = Broker.Uri,
            StationId = id,
            County = County,
            Username = user,
            PasswordFile = passwordFile,
            CountyPublicKey = Signer.ExportPublicPem(),
            TemplateKeyFile = Folder.File("template.key"),
            BatchSize = 50,
            BatchAgeMs = 50,
            AckTimeoutSeconds = ackTimeoutSeconds,
            MaxBackoffSeconds = 2,
        };
        var agent = new SyncAgent(store, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, _loggers.CreateLogger<SyncAgent>(), null, control);
        await agent.StartAsync(CancellationToken.None);
        var station = new Station(id, store, agent) { Control = control };
        _stations.Add(station);
        return station;
    }

    /// <summary>Connects as a station's own user, for payloads the real agent would never send.</summary>
    public async Task<IMqttClient> ConnectAsAsync(string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", Broker.Port).WithCredentials(user, password)
            .WithClientId($"raw-{user}-{Guid.NewGuid():N}"[..24]).WithProtocolVersion(MqttProtocolVersion.V500).Build());
        return client;
    }

    public static async Task PublishAsync(IMqttClient client, string topic, byte[] payload) =>
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public async Task<long> CountAsync(string sql)
    {
        await using var db = new HubDatabase(Database);
        return await db.CountAsync(sql);
    }

    public async Task<List<long>> SeqsAsync(string station)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var select = new Npgsql.NpgsqlCommand("SELECT seq FROM visits WHERE station_id = @s ORDER BY received_at, seq", connection);
        select.Parameters.AddWithValue("s", station);
        await using var reader = await select.ExecuteReaderAsync();
        var seqs = new List<long>();
        while (await reader.ReadAsync())
        {
            seqs.Add(reader.GetInt64(0));
        }

        return seqs;
    }

    /// <summary>Waits until every station's outbox is empty and the county holds <paramref name="visits"/> visits.</summary>
    public async Task WaitForAllAsync(long visits, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var depths = new List<long>();
            foreach (var s in _stations)
            {
                depths.Add((await s.Store.OutboxStatsAsync()).Depth);
            }

            var stored = await CountAsync("SELECT count(*) FROM visits");
            if (depths.All(d => d == 0) && stored >= visits)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline,
                $"within {bound.TotalSeconds} s: {stored} of {visits} visits stored, outboxes {string.Join(", ", depths)}");
            await Task.Delay(100);
        }
    }

    public static async Task WaitForAsync(Func<bool> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within {bound.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in _stations)
        {
            await s.Agent.StopAsync(CancellationToken.None);
            s.Agent.Dispose();
            s.Control?.Gallery.Dispose();
            await s.Store.DisposeAsync();
        }

        foreach (var h in _hubs)
        {
            await h.StopAsync();
            h.Dispose();
        }

        var errors = Broker.Errors;
        await Broker.DisposeAsync();
        _loggers.Dispose();
        Folder.Dispose();
        Signer.Dispose();
        Assert.Empty(errors);
    }
}

internal sealed class Station(string id, StationStore store, SyncAgent agent)
{
    public string Id { get; } = id;

    public StationStore Store { get; } = store;

    public SyncAgent Agent { get; } = agent;

    /// <summary>The door's gallery as the daemon hands it to the link, when the station was started with one.</summary>
    public GalleryControl? Control { get; init; }

    private int _made;

    /// <summary>Records <paramref name="count"/> visits into the outbox, as the door's recorder does.</summary>
    public async Task MakeVisitsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var n = Interlocked.Increment(ref _made);
            var record = new VisitRecord(0, Guid.CreateVersion7(), n, DateTimeOffset.UtcNow, "granted", "recognised", "face")
            {
                WorkerId = "W001",
                WorkerName = "王芳",
                Score = 0.81f,
            };
            await Store.EnqueueAsync(new OutboxDraft(Topics.Visits(Id), Encoding.UTF8.GetString(SyncJson.Write(record))));
        }
    }
}

/// <summary>The door and gallery as the daemon gives them to the link: the real gallery, a door that records who it opened for.</summary>
internal sealed class GalleryControl(StationGallery gallery, StationStore store) : IStationControl
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _unlocks = new();

    public StationGallery Gallery { get; } = gallery;

    public string EmbedderSha256 => Gallery.EmbedderSha256;

    public IReadOnlyList<string> Unlocks => [.. _unlocks];

    public async Task RosterChangedAsync(CancellationToken ct) => await Gallery.ReloadIfChangedAsync(ct);

    public bool Unlock(string by)
    {
        _unlocks.Enqueue(by);
        return true;
    }

    /// <summary>The link alone has no recorder: the opening's visit goes straight into the store.</summary>
    public async Task RecordOpeningAsync(VisitDraft draft, CancellationToken ct) => await store.RecordVisitAsync(draft, ct: ct);
}
