using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using StationEdge.Broker;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync.Tests;

/// <summary>
/// The station's agent against Debian's Mosquitto and a real store. The county's side here is a plain subscriber that
/// acks what it stored (the hub's own ingest is tested with PostgreSQL in the hub's tests); it counts every visit, so a
/// loss or a duplicate fails.
/// </summary>
public sealed class SyncAgentTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _folder = new("stationedge-sync-");
    private readonly LogCollector _logs = new();
    private readonly TestCa _countyCa = TestCa.Create("StationEdge county CA");
    private LocalMosquitto _broker = null!;
    private StationStore _store = null!;
    private string _publicKey = "";

    public async Task InitializeAsync()
    {
        _broker = await LocalMosquitto.StartAsync(
        [
            new BrokerUser("hub", "hub-pw", MosquittoAcl.HubBlock("hub", "c1")),
            new BrokerUser("st-a", "a-pw", MosquittoAcl.StationBlock("st-a", "A", "c1")),
        ], tls: _countyCa.IssueServer("localhost"));
        _store = await StationStore.OpenAsync(new StoreOptions { DataPath = _folder.File("data") });
        File.WriteAllText(_folder.File("password"), "a-pw\n");
        using var signer = CountySigner.Create();
        _publicKey = signer.ExportPublicPem();
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        var errors = _broker.Errors;
        await _broker.DisposeAsync();
        Assert.Empty(errors);
    }

    public void Dispose()
    {
        _logs.Dispose();
        _folder.Dispose();
        _countyCa.Dispose();
    }

    [Fact]
    public async Task Over_mqtts_the_station_trusts_the_county_CA_in_BrokerCaFile_and_no_other()
    {
        await QueueVisitsAsync(20);
        await using var county = await TestCounty.StartAsync(_broker.Port);
        var tlsBroker = $"mqtts://localhost:{_broker.TlsPort}";
        using var otherCa = TestCa.Create("Another CA");
        File.WriteAllText(_folder.File("other-ca.crt"), otherCa.CertificatePem);
        File.WriteAllText(_folder.File("county-ca.crt"), _countyCa.CertificatePem);

        // Signed by a CA the station was not given (nor is it in the system's store): the link stays down, nothing is lost.
        _broker.ExpectClientTlsFailures();
        await using (await StartAgentAsync(o => (o.Broker, o.BrokerCaFile) = (tlsBroker, _folder.File("other-ca.crt"))))
        {
            await WaitForAsync(() => Task.FromResult(_logs.Entries.Any(e => e.Message.Contains("the link is down", StringComparison.Ordinal) && e.Message.Contains("certificate", StringComparison.Ordinal))), TimeSpan.FromSeconds(20));
        }

        Assert.Equal(20, (await _store.OutboxStatsAsync()).Depth);
        Assert.Empty(county.Stored);

        await using (await StartAgentAsync(o => (o.Broker, o.BrokerCaFile) = (tlsBroker, _folder.File("county-ca.crt"))))
        {
            await WaitForAsync(async () => (await _store.OutboxStatsAsync()).Depth == 0, TimeSpan.FromSeconds(30));
        }

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), county.Stored.Keys.Order());
    }

    [Theory]
    [InlineData("server", "is not a CA certificate")]
    [InlineData("junk", "holds no certificate")]
    [InlineData("missing", "cannot be read")]
    [InlineData("plain", "is plain mqtt://")]
    public void A_BrokerCaFile_that_cannot_serve_is_refused_at_start_naming_the_key(string kind, string expected)
    {
        var path = _folder.File($"ca-{kind}.pem");
        switch (kind)
        {
            case "server":
                File.WriteAllText(path, _countyCa.IssueServer("localhost").CertificatePem);
                break;
            case "junk":
                File.WriteAllText(path, "not a certificate\n");
                break;
            case "plain":
                File.WriteAllText(path, _countyCa.CertificatePem);
                break;
        }

        var options = Options(o => (o.Broker, o.BrokerCaFile) = (kind == "plain" ? _broker.Uri : $"mqtts://localhost:{_broker.TlsPort}", path));
        var result = new SyncOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!, f => f.Contains("Sync:BrokerCaFile", StringComparison.Ordinal));
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_queued_visit_reaches_the_county_once_in_order_and_the_ack_empties_the_outbox()
    {
        await QueueVisitsAsync(500);
        await using var county = await TestCounty.StartAsync(_broker.Port);
        await using (await StartAgentAsync())
        {
            await WaitForAsync(async () => (await _store.OutboxStatsAsync()).Depth == 0, TimeSpan.FromSeconds(30));
        }

        Assert.Equal(500, county.Stored.Count);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), county.Stored.Keys.Order());
        Assert.All(county.Batches, b => Assert.True(b.Visits.Select(v => v.Seq).SequenceEqual(b.Visits.Select(v => v.Seq).Order()), "a batch is in seq order"));
        Assert.True(county.Batches.Count > 1, "sent in batches of Sync:BatchSize");
        _logs.AssertNoErrors();
    }

    [Fact]
    public async Task Visits_recorded_under_another_station_id_go_up_under_the_id_the_county_registered()
    {
        // Access:StationId defaults to the host name; the county knows the station by Sync:StationId.
        await QueueVisitsAsync(5, station: "pi-host");
        await using var county = await TestCounty.StartAsync(_broker.Port);
        await using (await StartAgentAsync())
        {
            await WaitForAsync(async () => (await _store.OutboxStatsAsync()).Depth == 0, TimeSpan.FromSeconds(30));
        }

        Assert.Equal(5, county.Stored.Count);
        _logs.AssertNoErrors();
    }

    [Fact]
    public async Task Visits_queued_while_the_broker_is_down_arrive_when_it_is_back()
    {
        await using var county = await TestCounty.StartAsync(_broker.Port);
        await using var agent = await StartAgentAsync();
        await WaitForAsync(() => Task.FromResult(agent.Value.Connected), TimeSpan.FromSeconds(10));
        await _broker.StopAsync();
        await QueueVisitsAsync(2000);
        Assert.Equal(2000, (await _store.OutboxStatsAsync()).Depth);
        await _broker.StartAgainAsync();
        await county.ReconnectAsync();
        await WaitForAsync(async () => (await _store.OutboxStatsAsync()).Depth == 0, TimeSpan.FromSeconds(60));
        Assert.Equal(2000, county.Stored.Count);
        Assert.Contains(_logs.Entries, e => e.Message.Contains("the link is down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unacknowledged_batches_are_sent_again_and_stay_in_the_outbox_until_acked()
    {
        await QueueVisitsAsync(50);
        await using var county = await TestCounty.StartAsync(_broker.Port, ackAfter: 2);
        await using (await StartAgentAsync(o => o.AckTimeoutSeconds = 2))
        {
            await WaitForAsync(async () => (await _store.OutboxStatsAsync()).Depth == 0, TimeSpan.FromSeconds(30));
        }

        Assert.Equal(50, county.Stored.Count);
        Assert.True(county.Received > 50, $"the first sends went unacknowledged and were sent again ({county.Received} received)");
        Assert.Contains(_logs.Entries, e => e.Message.Contains("no acknowledgement", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_station_says_online_retained_and_offline_when_it_stops()
    {
        await QueueVisitsAsync(3);
        await using (await StartAgentAsync(o => o.AckTimeoutSeconds = 600))
        {
            var online = await ReadRetainedStatusAsync(s => s.State == StationStatus.Online);
            Assert.Equal("A", online.StationId);
            Assert.NotNull(online.SoftwareVersion);
            Assert.True(online.FreeDiskBytes > 0);
        }

        var offline = await ReadRetainedStatusAsync(s => s.State == StationStatus.Offline);
        Assert.Equal("A", offline.StationId);
    }

    [Fact]
    public async Task The_status_carries_the_door_camera_and_models_and_an_alarm_is_sent_at_once()
    {
        var facts = new SettableFacts(new StationFacts(
            new Dictionary<string, string> { ["faceplugin-feature.onnx"] = "ef40c485" }, 14.5, [], 26));
        // A status interval far beyond the test: only the alarm can make the second status.
        await using (await StartAgentAsync(o => o.StatusIntervalSeconds = 3600, facts))
        {
            var first = await ReadRetainedStatusAsync(s => s.State == StationStatus.Online);
            Assert.Equal(("ef40c485", 14.5, 26), (first.Models!["faceplugin-feature.onnx"], first.CameraFps!.Value, first.GallerySize!.Value));
            Assert.Empty(first.OpenAlarms!);

            facts.Now = facts.Now with { OpenAlarms = ["forced_open"] };
            var alarmed = await ReadRetainedStatusAsync(s => s.OpenAlarms is ["forced_open"]);
            Assert.True(alarmed.At > first.At);
        }
    }

    [Theory]
    [InlineData("Broker", "http://x:1", "Sync:Broker must be mqtt://host:port")]
    [InlineData("Broker", "mqtt://x", "Sync:Broker must be mqtt://host:port")]
    [InlineData("StationId", "a/b", "Sync:StationId must be")]
    [InlineData("County", "", "Sync:County must be")]
    [InlineData("PasswordFile", "/nonexistent/pw", "Sync:PasswordFile /nonexistent/pw does not exist")]
    [InlineData("CountyPublicKey", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "Sync:CountyPublicKey cannot be used")]
    [InlineData("BatchSize", "0", "Sync:BatchSize must be between 1 and 1000")]
    public void A_wrong_setting_is_refused_naming_its_key(string key, string value, string expected)
    {
        var options = Options();
        typeof(SyncOptions).GetProperty(key)!.SetValue(options, key == "BatchSize" ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : value);
        var result = new SyncOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new SyncOptionsValidator().Validate(null, Options()).Succeeded, "the unchanged settings are accepted");
        Assert.True(new SyncOptionsValidator().Validate(null, new SyncOptions()).Succeeded, "no broker: no sync, nothing else required");
    }

    private SyncOptions Options(Action<SyncOptions>? adjust = null)
    {
        var options = new SyncOptions
        {
            Broker = _broker.Uri,
            StationId = "A",
            County = "c1",
            Username = "st-a",
            PasswordFile = _folder.File("password"),
            CountyPublicKey = _publicKey,
            BatchSize = 100,
            BatchAgeMs = 50,
        };
        adjust?.Invoke(options);
        return options;
    }

    private async Task<AsyncHandle<SyncAgent>> StartAgentAsync(Action<SyncOptions>? adjust = null, IStationFacts? facts = null)
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        var agent = new SyncAgent(_store, Microsoft.Extensions.Options.Options.Create(Options(adjust)), TimeProvider.System, loggers.CreateLogger<SyncAgent>(), facts);
        await agent.StartAsync(CancellationToken.None);
        return new AsyncHandle<SyncAgent>(agent, async () =>
        {
            await agent.StopAsync(CancellationToken.None);
            agent.Dispose();
            loggers.Dispose();
        });
    }

    private async Task QueueVisitsAsync(int count, string station = "A")
    {
        for (var i = 0; i < count; i++)
        {
            var record = new VisitRecord(0, Guid.CreateVersion7(), i + 1, DateTimeOffset.UtcNow, "granted", "recognised", "face") { WorkerId = "W001" };
            await _store.EnqueueAsync(new OutboxDraft(Topics.Visits(station), Encoding.UTF8.GetString(SyncJson.Write(record))));
        }
    }

    private async Task<StationStatus> ReadRetainedStatusAsync(Func<StationStatus, bool> wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithCredentials("hub", "hub-pw")
                .WithClientId("status-" + Guid.NewGuid().ToString("N")[..8]).Build());
            var got = new TaskCompletionSource<StationStatus>();
            client.ApplicationMessageReceivedAsync += e =>
            {
                if (SyncJson.Read<StationStatus>(e.ApplicationMessage.Payload.ToArray(), Schemas.Status).Message is { } s)
                {
                    got.TrySetResult(s);
                }

                return Task.CompletedTask;
            };
            await client.SubscribeAsync(Topics.Status("A"), MqttQualityOfServiceLevel.AtLeastOnce);
            var status = await got.Task.WaitAsync(TimeSpan.FromSeconds(5));
            if (wanted(status))
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"status stayed {status.State}");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not done within {bound.TotalSeconds} s");
            await Task.Delay(50);
        }
    }
}

internal sealed class AsyncHandle<T>(T value, Func<Task> dispose) : IAsyncDisposable
{
    public T Value { get; } = value;

    public async ValueTask DisposeAsync() => await dispose();
}

/// <summary>The county's side as the link's contract describes it: store by seq (a resend is dropped), ack the contiguous run.</summary>
/// <summary>A CA made for one test (P-256), and server certificates it signs for a <see cref="LocalMosquitto"/> TLS listener.</summary>
internal sealed class TestCa : IDisposable
{
    private readonly X509Certificate2 _certificate;

    private TestCa(X509Certificate2 certificate) => _certificate = certificate;

    public string CertificatePem => _certificate.ExportCertificatePem();

    public static TestCa Create(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return new TestCa(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2)));
    }

    public BrokerTls IssueServer(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var issued = request.Create(_certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return new BrokerTls(issued.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => _certificate.Dispose();
}

internal sealed class TestCounty : IAsyncDisposable
{
    private readonly int _port;
    private readonly int _ackAfter;
    private IMqttClient _client = null!;
    private int _received;
    private int _batchesSeen;

    private TestCounty(int port, int ackAfter)
    {
        _port = port;
        _ackAfter = ackAfter;
    }

    public ConcurrentDictionary<long, VisitRecord> Stored { get; } = new();

    public ConcurrentQueue<VisitBatch> Batches { get; } = new();

    public int Received => _received;

    /// <summary>A county that ignores its first <paramref name="ackAfter"/> batches (as if its acks were lost).</summary>
    public static async Task<TestCounty> StartAsync(int port, int ackAfter = 0)
    {
        var county = new TestCounty(port, ackAfter);
        await county.ReconnectAsync();
        return county;
    }

    public async Task ReconnectAsync()
    {
        _client?.Dispose();
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnBatchAsync;
        await _client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithCredentials("hub", "hub-pw")
            .WithClientId("test-county").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        await _client.SubscribeAsync(Topics.HubShared("visits"), MqttQualityOfServiceLevel.AtLeastOnce);
    }

    private async Task OnBatchAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var batch = SyncJson.Read<VisitBatch>(e.ApplicationMessage.Payload.ToArray(), Schemas.VisitBatch).Message!;
        Batches.Enqueue(batch);
        Interlocked.Add(ref _received, batch.Visits.Count);
        if (Interlocked.Increment(ref _batchesSeen) <= _ackAfter)
        {
            return;
        }

        foreach (var v in batch.Visits)
        {
            Stored.TryAdd(v.Seq, v);
        }

        var acked = batch.FloorSeq - 1;
        while (Stored.ContainsKey(acked + 1))
        {
            acked++;
        }

        await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Acks(batch.StationId))
            .WithPayload(SyncJson.Write(new Ack(Schemas.V(Schemas.Ack), batch.StationId, acked))).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The station's facts as a test sets them (the daemon reads them from its door, camera and models).</summary>
internal sealed class SettableFacts(StationFacts initial) : IStationFacts
{
    public StationFacts Now { get; set; } = initial;

    public StationFacts Read() => Now;
}
