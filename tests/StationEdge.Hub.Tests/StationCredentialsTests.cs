using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;
using StationEdge.Broker;
using StationEdge.Sync.Contracts;
using HubProgram = StationEdge.Hub.Cli.Program;

namespace StationEdge.Hub.Tests;

/// <summary>
/// <c>county-hub stations revoke|credentials</c> editing the files a real Mosquitto reads: a stolen station's login is
/// refused after the reload, the other stations' are untouched, and a new password replaces the old.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StationCredentialsTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder _folder = new("stationedge-hubcred-");

    [Fact]
    public async Task A_revoked_station_cannot_log_in_after_the_reload_the_others_can_and_new_credentials_replace_the_old()
    {
        // The hub's files are the broker's own: county-hub writes, Mosquitto reads on SIGHUP (systemctl reload).
        await using var broker = await LocalMosquitto.StartAsync([new BrokerUser("probe", "probe-secret", "user probe\n")]);
        var database = await pg.NewDatabaseAsync();
        var config = Config(new()
        {
            ["Database"] = database,
            ["County"] = "c1",
            ["MosquittoPasswordFile"] = Path.Combine(broker.Folder, "passwd"),
            ["MosquittoAclFile"] = Path.Combine(broker.Folder, "acl"),
        });
        Assert.Equal(0, (await RunAsync("migrate", "--config", config)).Code);
        var a = Password(await RunAsync("stations", "add", "A", "--name", "东门驿站", "--config", config, "--json"));
        var b = Password(await RunAsync("stations", "add", "B", "--name", "西门驿站", "--config", config, "--json"));
        broker.Reload();
        using (var stationA = await ConnectedAsync(broker, "st-A", a))
        {
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await PublishAsync(stationA, Topics.Visits("A"))).ReasonCode);
        }

        var revoke = await RunAsync("stations", "revoke", "A", "--config", config);

        Assert.Equal(0, revoke.Code);
        Assert.StartsWith("station A: broker login st-A revoked", revoke.Stdout, StringComparison.Ordinal);
        var passwd = await File.ReadAllTextAsync(Path.Combine(broker.Folder, "passwd"));
        Assert.DoesNotContain("st-A:", passwd, StringComparison.Ordinal);
        Assert.Contains("st-B:", passwd, StringComparison.Ordinal);
        Assert.Contains("probe:", passwd, StringComparison.Ordinal);
        var acl = await File.ReadAllTextAsync(Path.Combine(broker.Folder, "acl"));
        Assert.DoesNotContain("user st-A\n", acl, StringComparison.Ordinal);
        Assert.DoesNotContain("stations/A/", acl, StringComparison.Ordinal);
        Assert.Contains("user st-B\ntopic write stations/B/visits\n", acl, StringComparison.Ordinal);
        await using (var db = new HubDatabase(database))
        {
            Assert.Equal(1, await db.CountAsync("SELECT count(*) FROM stations WHERE id = 'A' AND mqtt_password_hash IS NULL"));
            Assert.Equal(1, await db.CountAsync("SELECT count(*) FROM stations WHERE id = 'B' AND mqtt_password_hash LIKE '$7$%'"));
        }

        // The running broker still has the old files until the reload: that is what the command's last line says.
        broker.Reload();
        await WaitRefusedAsync(broker, "st-A", a);
        using (var stationB = await ConnectedAsync(broker, "st-B", b))
        {
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await PublishAsync(stationB, Topics.Visits("B"))).ReasonCode);
        }

        var renewed = await RunAsync("stations", "credentials", "A", "--config", config, "--json");
        Assert.Equal(0, renewed.Code);
        var fresh = Password(renewed);
        Assert.NotEqual(a, fresh);
        Assert.Single(File.ReadAllLines(Path.Combine(broker.Folder, "passwd")), l => l.StartsWith("st-A:", StringComparison.Ordinal));
        broker.Reload();
        await WaitAcceptedAsync(broker, "st-A", fresh);
        Assert.True(await ConnectResultAsync(broker, "st-A", a) is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword, "the old password is refused");
        using (var stationA = await ConnectedAsync(broker, "st-A", fresh))
        {
            Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await PublishAsync(stationA, Topics.Visits("A"))).ReasonCode);
            Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await PublishAsync(stationA, Topics.Visits("B"))).ReasonCode);
        }

        var unknown = await RunAsync("stations", "revoke", "Z", "--config", config);
        Assert.Equal((2, "county-hub: stations: no station Z is registered in county c1 (county-hub stations list)"), (unknown.Code, unknown.Stderr.Trim()));
        var bare = await RunAsync("stations", "revoke", "--config", config);
        Assert.Equal((2, "county-hub: stations: stations revoke needs the station's ID: county-hub stations revoke ID"), (bare.Code, bare.Stderr.Trim()));
        Assert.Empty(broker.Errors);
    }

    public void Dispose() => _folder.Dispose();

    private static string Password((int Code, string Stdout, string Stderr) result)
    {
        Assert.True(result.Code == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("password").GetString()!;
    }

    private static async Task<MqttClientConnectResultCode> ConnectResultAsync(LocalMosquitto broker, string user, string password)
    {
        // MQTTnet 5 answers a refused CONNACK with its code rather than throwing (as BrokerTests rely on too).
        using var client = new MqttClientFactory().CreateMqttClient();
        return (await client.ConnectAsync(Options(broker, user, password), Timeout())).ResultCode;
    }

    /// <summary>SIGHUP is asynchronous: the broker takes the files a moment after the signal.</summary>
    private static async Task WaitRefusedAsync(LocalMosquitto broker, string user, string password)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await ConnectResultAsync(broker, user, password) is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{user} was still let in 5 s after the reload");
    }

    private static async Task WaitAcceptedAsync(LocalMosquitto broker, string user, string password)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await ConnectResultAsync(broker, user, password) == MqttClientConnectResultCode.Success)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"{user} was still refused 5 s after the reload");
    }

    private static async Task<IMqttClient> ConnectedAsync(LocalMosquitto broker, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(broker, user, password), Timeout());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    private static MqttClientOptions Options(LocalMosquitto broker, string user, string password) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", broker.Port).WithCredentials(user, password).WithClientId($"{user}-{Guid.NewGuid():N}")
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build();

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic) =>
        client.PublishStringAsync(topic, "{}", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Timeout());

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    private string Config(Dictionary<string, string> hub)
    {
        var path = _folder.File($"hub-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["Hub"] = hub }));
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await HubProgram.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
