using System.Collections.Concurrent;
using MQTTnet;
using MQTTnet.Protocol;
using StationEdge.Sync.Contracts;

namespace StationEdge.Broker.Tests;

/// <summary>The ACL and password lines the county writes, checked against Debian's real Mosquitto.</summary>
public sealed class BrokerTests : IAsyncLifetime
{
    private LocalMosquitto _broker = null!;

    public async Task InitializeAsync() => _broker = await LocalMosquitto.StartAsync(
    [
        new BrokerUser("hub", "hub-secret", MosquittoAcl.HubBlock("hub", "c1")),
        new BrokerUser("st-a", "a-secret", MosquittoAcl.StationBlock("st-a", "A", "c1")),
        new BrokerUser("st-b", "b-secret", MosquittoAcl.StationBlock("st-b", "B", "c1")),
        new BrokerUser("st-x", "x-secret", MosquittoAcl.StationBlock("st-x", "X", "c2")),
    ]);

    public async Task DisposeAsync()
    {
        var errors = _broker.Errors;
        await _broker.DisposeAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public void Password_lines_match_only_their_password()
    {
        var line = MosquittoPassword.Line("st-a", "pw");
        Assert.StartsWith("st-a:$7$101$", line, StringComparison.Ordinal);
        Assert.True(MosquittoPassword.Matches(line, "pw"));
        Assert.False(MosquittoPassword.Matches(line, "pW"));
        Assert.Throws<ArgumentException>(() => MosquittoPassword.Line("a:b", "pw"));
    }

    [Fact]
    public async Task A_wrong_password_is_not_authorised()
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options("st-a", "wrong"), Timeout());
        Assert.True(result.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword, $"{result.ResultCode}");
        using var right = await ConnectAsync("st-a", "a-secret");
        Assert.True(right.IsConnected);
    }

    [Fact]
    public async Task A_station_publishes_only_under_its_own_id_and_never_acks_or_roster()
    {
        using var a = await ConnectAsync("st-a", "a-secret");
        Assert.True(Allowed(await PublishAsync(a, Topics.Visits("A"))));
        Assert.True(Allowed(await PublishAsync(a, Topics.Status("A"))));
        foreach (var topic in new[] { Topics.Visits("B"), Topics.Acks("A"), Topics.Commands("A"), Topics.CountyRoster("c1"), Topics.StationRoster("A") })
        {
            // Mosquitto closes the connection after a denied publish, so each try gets its own.
            using var again = await ConnectAsync("st-a", "a-secret", $"st-a-{topic.Replace('/', '-')}");
            Assert.False(Allowed(await PublishAsync(again, topic)), topic);
        }
    }

    [Fact]
    public async Task A_station_reads_its_county_roster_and_its_own_commands_only()
    {
        using var a = await ConnectAsync("st-a", "a-secret");
        var got = new ConcurrentQueue<string>();
        a.ApplicationMessageReceivedAsync += e =>
        {
            got.Enqueue(e.ApplicationMessage.Topic);
            return Task.CompletedTask;
        };
        var sub = await a.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.CountyRoster("c1"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Commands("A"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.CountyRoster("c2"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Commands("B"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("stations/#", MqttQualityOfServiceLevel.AtLeastOnce).Build(), Timeout());
        Assert.Equal(5, sub.Items.Count);

        using var hub = await ConnectAsync("hub", "hub-secret");
        using var x = await ConnectAsync("st-x", "x-secret");
        foreach (var topic in new[] { Topics.Commands("B"), Topics.Acks("B"), Topics.Commands("A"), Topics.CountyRoster("c1") })
        {
            Assert.True(Allowed(await PublishAsync(hub, topic)));
        }

        await PublishAsync(x, Topics.Visits("X"));
        // A last message on a topic A may read marks the end: everything before it was delivered or refused by then.
        await PublishAsync(hub, Topics.Acks("A"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!got.Contains(Topics.Acks("A")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal([Topics.CountyRoster("c1"), Topics.Commands("A")], got.Where(t => t != Topics.Acks("A")).Distinct().Order().ToArray());
    }

    [Fact]
    public async Task The_hub_cannot_write_another_countys_roster()
    {
        foreach (var topic in new[] { Topics.CountyRoster("c2"), Topics.Visits("A"), Topics.Status("A") })
        {
            using var hub = await ConnectAsync("hub", "hub-secret", $"hub-{topic.Replace('/', '-')}");
            Assert.False(Allowed(await PublishAsync(hub, topic)), topic);
        }
    }

    [Fact]
    public async Task Two_hub_processes_on_the_shared_subscription_split_the_messages_and_each_arrives_once()
    {
        var received = new ConcurrentDictionary<string, int>();
        var perClient = new int[2];
        var hubs = new List<IMqttClient>();
        for (var i = 0; i < 2; i++)
        {
            var client = await ConnectAsync("hub", "hub-secret", $"hub-{i}");
            var index = i;
            client.ApplicationMessageReceivedAsync += e =>
            {
                received.AddOrUpdate(e.ApplicationMessage.ConvertPayloadToString(), 1, (_, n) => n + 1);
                Interlocked.Increment(ref perClient[index]);
                return Task.CompletedTask;
            };
            var sub = await client.SubscribeAsync(Topics.HubShared("visits"), MqttQualityOfServiceLevel.AtLeastOnce, Timeout());
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, sub.Items.Single().ResultCode);
            hubs.Add(client);
        }

        using var a = await ConnectAsync("st-a", "a-secret");
        for (var n = 0; n < 40; n++)
        {
            await a.PublishStringAsync(Topics.Visits("A"), $"m{n}", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Timeout());
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (received.Count < 40 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(40, received.Count);
        Assert.All(received.Values, n => Assert.Equal(1, n));
        Assert.All(perClient, n => Assert.True(n > 0, "each hub process got a share"));
        foreach (var hub in hubs)
        {
            hub.Dispose();
        }
    }

    private MqttClientOptions Options(string user, string password, string? clientId = null) => new MqttClientOptionsBuilder()
        .WithTcpServer("127.0.0.1", _broker.Port).WithCredentials(user, password).WithClientId(clientId ?? user)
        .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build();

    private async Task<IMqttClient> ConnectAsync(string user, string password, string? clientId = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(Options(user, password, clientId), Timeout());
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return client;
    }

    /// <summary>Mosquitto answers an allowed QoS 1 publish with success or "no matching subscribers", a denied one with "not authorised".</summary>
    private static bool Allowed(MqttClientPublishResult result) =>
        result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers
            ? true
            : result.ReasonCode == MqttClientPublishReasonCode.NotAuthorized ? false : throw new InvalidOperationException($"publish answered {result.ReasonCode}");

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic) =>
        client.PublishStringAsync(topic, "{}", MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken: Timeout());

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;
}
