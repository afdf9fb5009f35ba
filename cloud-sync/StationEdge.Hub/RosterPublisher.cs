using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub;

/// <summary>
/// Wakes the publisher when the roster changed in this process (a station's worker notice stored); changes made
/// elsewhere (the command line, another hub process) are found by the publisher's poll.
/// </summary>
public sealed class RosterSignal
{
    private readonly Channel<ResyncRequest?> _work = Channel.CreateUnbounded<ResyncRequest?>(new UnboundedChannelOptions { SingleReader = true });
    private int _woken;

    public void Wake()
    {
        if (Interlocked.Exchange(ref _woken, 1) == 0)
        {
            _work.Writer.TryWrite(null);
        }
    }

    internal void Resync(ResyncRequest request) => _work.Writer.TryWrite(request);

    internal ChannelReader<ResyncRequest?> Reader => _work.Reader;

    internal void Taken() => Interlocked.Exchange(ref _woken, 0);
}

/// <summary>
/// The county's roster down to the stations: every delta, in version order, signed with the hub's key (ECDSA P-256)
/// on <c>counties/{county}/roster</c>, then the retained head; a station's resync request answered on its own
/// <c>stations/{id}/roster</c> with every delta after its version. What was published is recorded after the broker
/// took it, so a hub stopped in between publishes it again (a station ignores a version it holds). One supervised
/// loop, as the ingest's: capped exponential backoff with jitter, the client's Disconnected event only wakes it.
/// </summary>
public sealed partial class RosterPublisher(HubDatabase database, RosterSignal signal, IOptions<HubOptions> options, TimeProvider time, ILogger<RosterPublisher> logger) : BackgroundService
{
    private const int Page = 500;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly HubOptions _options = options.Value;

    /// <summary>The highest version this process saw the broker take on the county's topic.</summary>
    public long PublishedVersion { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_options.SigningKeyFile))
        {
            LogNoKey(logger);
            return;
        }

        using var signer = CountySigner.FromPem(await File.ReadAllTextAsync(_options.SigningKeyFile, stoppingToken));
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                var password = (await File.ReadAllTextAsync(_options.PasswordFile!, stoppingToken)).Trim();
                await RunConnectedAsync(client, signer, ClientOptions(password), () => attempt = 0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await DisconnectAsync(client);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var delay = Backoff(++attempt);
                LogDown(logger, e.Message.ReplaceLineEndings(" "), delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunConnectedAsync(IMqttClient client, CountySigner signer, MqttClientOptions clientOptions, Action connected, CancellationToken ct)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        client.DisconnectedAsync += _ =>
        {
            lost.Cancel();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            // A resync request is asked again by the station until answered, so it is taken on receipt.
            var read = SyncJson.Read<ResyncRequest>(e.ApplicationMessage.Payload.ToArray(), Schemas.Resync);
            if (read.Ok && Topics.TryParseStation(e.ApplicationMessage.Topic, out var station, out _) && station == read.Message!.StationId)
            {
                signal.Resync(read.Message);
            }
            else
            {
                LogBadResync(logger, e.ApplicationMessage.Topic, read.Error ?? "station_id is not the topic's station");
            }

            return Task.CompletedTask;
        };

        var connect = await client.ConnectAsync(clientOptions, ct);
        if (connect.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new IOException($"the broker refused the connection: {connect.ResultCode} {connect.ReasonString}");
        }

        var subscribe = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.HubShared("resync"), MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        if (subscribe.Items.FirstOrDefault(i => (int)i.ResultCode >= 0x80) is { } refused)
        {
            throw new IOException($"the broker refused the subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}");
        }

        connected();
        LogConnected(logger, _options.Broker!, clientOptions.ClientId, signer.KeyId);
        var county = _options.County!;
        await PublishPendingAsync(client, signer, county, headAnyway: true, lost.Token);
        try
        {
            while (true)
            {
                ResyncRequest? request;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(lost.Token))
                {
                    wait.CancelAfter(Poll);
                    try
                    {
                        request = await signal.Reader.ReadAsync(wait.Token);
                    }
                    catch (OperationCanceledException) when (!lost.IsCancellationRequested)
                    {
                        request = null;
                    }
                }

                if (request is null)
                {
                    signal.Taken();
                    await PublishPendingAsync(client, signer, county, headAnyway: false, lost.Token);
                }
                else
                {
                    await AnswerAsync(client, signer, county, request, lost.Token);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Lost the connection: the next one publishes from the recorded version.
        }

        ct.ThrowIfCancellationRequested();
        throw new IOException("the connection to the broker was lost");
    }

    private async Task PublishPendingAsync(IMqttClient client, CountySigner signer, string county, bool headAnyway, CancellationToken ct)
    {
        var (version, published) = await CountyRoster.HeadAsync(database.DataSource, county, ct);
        if (version <= published && !headAnyway)
        {
            return;
        }

        while (published < version)
        {
            var deltas = await CountyRoster.DeltasAfterAsync(database.DataSource, county, published, Page, ct);
            if (deltas.Count == 0)
            {
                break;
            }

            foreach (var d in deltas)
            {
                await PublishAsync(client, Topics.CountyRoster(county), SyncJson.Write(signer.Sign(d.Delta)), retain: false, ct);
                LogPublished(logger, d.Version, d.Delta.Op, d.Delta.WorkerId);
            }

            published = deltas[^1].Version;
            await CountyRoster.MarkPublishedAsync(database.DataSource, county, published, ct);
            PublishedVersion = published;
        }

        var head = new RosterHead(Schemas.V(Schemas.RosterHead), county, published, time.GetUtcNow());
        await PublishAsync(client, Topics.RosterHead(county), SyncJson.Write(signer.Sign(head)), retain: true, ct);
    }

    private async Task AnswerAsync(IMqttClient client, CountySigner signer, string county, ResyncRequest request, CancellationToken ct)
    {
        var from = Math.Max(0, request.FromVersion);
        var sent = 0;
        while (true)
        {
            var deltas = await CountyRoster.DeltasAfterAsync(database.DataSource, county, from, Page, ct);
            foreach (var d in deltas)
            {
                await PublishAsync(client, Topics.StationRoster(request.StationId), SyncJson.Write(signer.Sign(d.Delta)), retain: false, ct);
            }

            sent += deltas.Count;
            if (deltas.Count < Page)
            {
                break;
            }

            from = deltas[^1].Version;
        }

        LogAnswered(logger, request.StationId, request.FromVersion, sent);
    }

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain, CancellationToken ct)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build(), ct);
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new IOException($"the broker refused {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    // Its own client id beside the ingest's; no session kept: what is published is recorded in PostgreSQL, and a
    // station asks again for a resync it was not answered.
    private MqttClientOptions ClientOptions(string password) =>
        HubMqtt.Client(_options, $"{_options.EffectiveClientId()}-roster", password).WithCleanStart(true).Build();

    private static Task DisconnectAsync(IMqttClient client) => HubMqtt.DisconnectAsync(client);

    private TimeSpan Backoff(int attempt) => HubMqtt.Backoff(attempt, _options.MaxBackoffSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "roster: no Hub:SigningKeyFile, so the county's roster is kept but not published to the stations")]
    private static partial void LogNoKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "roster: connected to {Broker} as {ClientId}, signing with key {KeyId}")]
    private static partial void LogConnected(ILogger logger, string broker, string clientId, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "roster: the link is down ({Reason}); trying again in {Seconds:0.0} s")]
    private static partial void LogDown(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "roster: published version {Version} ({Op} {WorkerId})")]
    private static partial void LogPublished(ILogger logger, long version, string op, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "roster: answered {Station}'s resync from version {From} with {Count} deltas")]
    private static partial void LogAnswered(ILogger logger, string station, long from, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "roster: resync request on {Topic} refused: {Reason}")]
    private static partial void LogBadResync(ILogger logger, string topic, string reason);
}
