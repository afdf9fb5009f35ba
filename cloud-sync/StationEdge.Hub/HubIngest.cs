using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Npgsql;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub;

/// <summary>One batch the county now holds (for the command line's line per batch, and the bench).</summary>
public sealed record BatchStored(string Kind, string StationId, int Count, int Inserted, long FirstSeq, long LastSeq, DateTimeOffset FirstMadeAt, DateTimeOffset StoredAt, long AckedSeq);

/// <summary>Told of every batch stored; registered in the container by whoever wants to know (the CLI prints a line).</summary>
public interface IIngestObserver
{
    void Stored(BatchStored batch);
}

/// <summary>
/// The county's ingest. One supervised loop connects to the broker (capped exponential backoff with jitter; the
/// client's Disconnected event only wakes the loop) with a persistent session, so QoS 1 batches wait at the broker while
/// the hub is away, and subscribes to the stations' visits, events and resync requests through the shared
/// subscription (hub processes split the load) and to every status. Messages are acknowledged by hand: a batch gets
/// its PUBACK only after PostgreSQL committed it and the station's ack is published, so a hub that dies or loses its
/// database leaves the batch with the broker, which delivers it again. What can never be stored (malformed, oversized,
/// an unknown major version, a station writing as another) goes to the dead letters and is acknowledged, so it does not
/// block what follows; the station gets no ack for it.
/// </summary>
public sealed partial class HubIngest(HubDatabase database, RosterSignal roster, IOptions<HubOptions> options, TimeProvider time, ILogger<HubIngest> logger, IEnumerable<IIngestObserver> observers, IngestHeartbeat heartbeat) : BackgroundService
{
    /// <summary>The longest the loop goes without a beat while it waits (for a message, the broker or PostgreSQL).</summary>
    private static readonly TimeSpan BeatEvery = TimeSpan.FromSeconds(1);

    private readonly HubOptions _options = options.Value;
    private readonly IIngestObserver[] _observers = [.. observers];
    private long _stored;

    /// <summary>Visits and events new to the county since start.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    public bool Connected { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                var password = (await File.ReadAllTextAsync(_options.PasswordFile!, stoppingToken)).Trim();
                await RunConnectedAsync(client, ClientOptions(password), () => attempt = 0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await DisconnectAsync(client);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Connected = false;
                var delay = Backoff(++attempt);
                var reason = OneLine(e);
                LogLinkDown(logger, reason, delay.TotalSeconds);
                await DelayBeatingAsync(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunConnectedAsync(IMqttClient client, MqttClientOptions clientOptions, Action connected, CancellationToken ct)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // The receive handler only queues: the work (PostgreSQL, the ack) runs on this loop, in arrival order, and the
        // client's own loop stays free for keep-alives while a batch waits for the database.
        // A null is the idle tick: queued behind the messages, so the loop beats on it only if it got through them.
        var inbox = Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs?>(new UnboundedChannelOptions { SingleReader = true });
        client.DisconnectedAsync += _ =>
        {
            lost.Cancel();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            inbox.Writer.TryWrite(e);
            return Task.CompletedTask;
        };

        heartbeat.Beat();
        var connect = await client.ConnectAsync(clientOptions, ct);
        if (connect.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new IOException($"the broker refused the connection: {connect.ResultCode} {connect.ReasonString}");
        }

        var subscribe = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.HubShared("visits"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.HubShared("events"), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.AllStatus, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), ct);
        if (subscribe.Items.FirstOrDefault(i => (int)i.ResultCode >= 0x80) is { } refused)
        {
            throw new IOException($"the broker refused the subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}");
        }

        // Resync requests are the roster publisher's (its own client); a session kept from an older hub may hold the filter.
        await client.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(Topics.HubShared("resync")).Build(), ct);
        connected();
        Connected = true;
        var clientId = clientOptions.ClientId;
        LogConnected(logger, _options.Broker!, clientId, connect.IsSessionPresent);
        using var ticks = time.CreateTimer(_ => inbox.Writer.TryWrite(null), null, BeatEvery, BeatEvery);
        try
        {
            await foreach (var e in inbox.Reader.ReadAllAsync(lost.Token))
            {
                if (e is not null)
                {
                    await HandleAsync(client, e, lost.Token);
                }

                heartbeat.Beat();
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // Lost the connection: what was not acknowledged comes again with the session.
        }

        ct.ThrowIfCancellationRequested();
        throw new IOException("the connection to the broker was lost");
    }

    private async Task HandleAsync(IMqttClient client, MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var topic = e.ApplicationMessage.Topic;
        var payload = e.ApplicationMessage.Payload.ToArray();
        await WithDatabaseAsync(() => DispatchAsync(client, topic, payload, ct), ct);
        await e.AcknowledgeAsync(ct);
    }

    private async Task DispatchAsync(IMqttClient client, string topic, byte[] payload, CancellationToken ct)
    {
        if (!Topics.TryParseStation(topic, out var station, out var kind))
        {
            await DeadLetterAsync(topic, "not a station topic", payload, ct);
            return;
        }

        switch (kind)
        {
            case "visits":
                {
                    var read = SyncJson.Read<VisitBatch>(payload, Schemas.VisitBatch);
                    if (Refusal(read.Error, read.Message?.StationId, station, read.Message?.Visits.Count) is { } reason)
                    {
                        await DeadLetterAsync(topic, reason, payload, ct);
                        return;
                    }

                    var batch = read.Message!;
                    var result = await database.StoreVisitsAsync(batch, ct);
                    await AckAsync(client, station, result, ct);
                    Report("visits", station, result, batch.Visits.Select(v => (v.Seq, v.Time)).ToList());
                    return;
                }

            case "events":
                {
                    var read = SyncJson.Read<EventBatch>(payload, Schemas.EventBatch);
                    if (Refusal(read.Error, read.Message?.StationId, station, read.Message?.Events.Count) is { } reason)
                    {
                        await DeadLetterAsync(topic, reason, payload, ct);
                        return;
                    }

                    var batch = read.Message!;
                    var result = await database.StoreEventsAsync(batch, _options.County, reason => LogNoticeIgnored(logger, station, reason), ct);
                    await AckAsync(client, station, result, ct);
                    if (batch.Events.Any(x => EventTypes.IsWorkerNotice(x.Type)))
                    {
                        roster.Wake();
                    }

                    Report("events", station, result, batch.Events.Select(v => (v.Seq, v.Time)).ToList());
                    return;
                }

            case "status":
                {
                    var read = SyncJson.Read<StationStatus>(payload, Schemas.Status);
                    if (payload.Length == 0)
                    {
                        // A cleared retained status: nothing to record.
                        return;
                    }

                    if (Refusal(read.Error, read.Message?.StationId, station, 1) is { } reason)
                    {
                        await DeadLetterAsync(topic, reason, payload, ct);
                        return;
                    }

                    await database.UpdateStatusAsync(read.Message!, _options.County!, Encoding.UTF8.GetString(payload), ct);
                    return;
                }

            case "resync":
                {
                    var read = SyncJson.Read<ResyncRequest>(payload, Schemas.Resync);
                    if (Refusal(read.Error, read.Message?.StationId, station, 1) is { } reason)
                    {
                        await DeadLetterAsync(topic, reason, payload, ct);
                        return;
                    }

                    // Only from a session subscribed before the roster publisher took resync requests over.
                    roster.Resync(read.Message!);
                    LogResync(logger, station, read.Message!.FromVersion);
                    return;
                }

            default:
                await DeadLetterAsync(topic, $"no such kind '{kind}'", payload, ct);
                return;
        }
    }

    private static string? Refusal(string? error, string? payloadStation, string topicStation, int? count) =>
        error is not null ? error
        : payloadStation != topicStation ? $"station_id '{payloadStation}' is not the topic's station '{topicStation}'"
        : count == 0 ? "the batch is empty"
        : null;

    private async Task AckAsync(IMqttClient client, string station, StoreResult result, CancellationToken ct)
    {
        var ack = new Ack(Schemas.V(Schemas.Ack), station, result.AckedSeq) { Committed = result.Committed.Count > 0 ? result.Committed : null };
        var published = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Acks(station))
            .WithPayload(SyncJson.Write(ack)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        if (!published.IsSuccess && published.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            // Stored but unacknowledged: the station sends again, the database drops the copy, the next ack covers it.
            throw new IOException($"the broker refused the ack on {Topics.Acks(station)}: {published.ReasonCode} {published.ReasonString}");
        }
    }

    private void Report(string kind, string station, StoreResult result, List<(long Seq, DateTimeOffset Time)> items)
    {
        Interlocked.Add(ref _stored, result.Inserted);
        var stored = new BatchStored(kind, station, items.Count, result.Inserted, items.Min(i => i.Seq), items.Max(i => i.Seq),
            items.Min(i => i.Time), time.GetUtcNow(), result.AckedSeq);
        LogStored(logger, result.Inserted, items.Count, kind, station, stored.FirstSeq, stored.LastSeq, result.AckedSeq);
        foreach (var observer in _observers)
        {
            observer.Stored(stored);
        }
    }

    private async Task DeadLetterAsync(string topic, string reason, byte[] payload, CancellationToken ct)
    {
        await database.DeadLetterAsync(topic, reason, payload, ct);
        LogDeadLetter(logger, topic, reason, payload.Length);
    }

    /// <summary>
    /// Runs <paramref name="work"/> until PostgreSQL takes it. While the database is away the message stays
    /// unacknowledged (the broker keeps it, and everything after it), and this says so once, then once when it is back.
    /// </summary>
    private async Task WithDatabaseAsync(Func<Task> work, CancellationToken ct)
    {
        var attempt = 0;
        var since = Stopwatch.GetTimestamp();
        while (true)
        {
            heartbeat.Beat();
            try
            {
                await work();
                if (attempt > 0)
                {
                    var away = Stopwatch.GetElapsedTime(since).TotalSeconds;
                    LogDatabaseBack(logger, away);
                }

                return;
            }
            catch (Exception e) when (IsDatabaseDown(e) && !ct.IsCancellationRequested)
            {
                var delay = Backoff(++attempt);
                if (attempt == 1)
                {
                    var reason = OneLine(e);
                    LogDatabaseDown(logger, reason, delay.TotalSeconds);
                }

                await DelayBeatingAsync(delay, ct);
            }
        }
    }

    private static bool IsDatabaseDown(Exception e) => e switch
    {
        // Data the schema refuses is not an outage; it is raised (and the batch stays with the broker) so it shows.
        PostgresException p => p.SqlState is not null && (p.SqlState.StartsWith("08", StringComparison.Ordinal)
            || p.SqlState.StartsWith("57", StringComparison.Ordinal) || p.SqlState.StartsWith("53", StringComparison.Ordinal)
            || p.SqlState == PostgresErrorCodes.SerializationFailure || p.SqlState == PostgresErrorCodes.DeadlockDetected),
        NpgsqlException => true,
        SocketException or IOException or TimeoutException => true,
        InvalidOperationException i => i.InnerException is not null && IsDatabaseDown(i.InnerException),
        _ => false,
    };

    private MqttClientOptions ClientOptions(string password) =>
        HubMqtt.Client(_options, _options.EffectiveClientId(), password)
            // The broker keeps this hub's session and its unacknowledged batches while the hub is away or restarting.
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)_options.SessionExpirySeconds)
            .Build();

    private async Task DisconnectAsync(IMqttClient client)
    {
        Connected = false;
        await HubMqtt.DisconnectAsync(client);
    }

    /// <summary>A backoff's wait in steps of at most a second, beating between them: waiting is not hanging.</summary>
    private async Task DelayBeatingAsync(TimeSpan delay, CancellationToken ct)
    {
        var until = time.GetTimestamp() + (long)(delay.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            heartbeat.Beat();
            var left = time.GetElapsedTime(time.GetTimestamp(), until);
            if (left <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(left < BeatEvery ? left : BeatEvery, time, ct);
        }
    }

    private TimeSpan Backoff(int attempt) => HubMqtt.Backoff(attempt, _options.MaxBackoffSeconds);

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");

    [LoggerMessage(Level = LogLevel.Information, Message = "hub: connected to {Broker} as {ClientId} (session kept: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string broker, string clientId, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hub: the link is down ({Reason}); trying again in {Seconds:0.0} s, the broker keeps the stations' batches")]
    private static partial void LogLinkDown(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "hub: stored {Inserted} new of {Count} {Kind} from {Station} (seq {First}-{Last}); acked {AckedSeq}")]
    private static partial void LogStored(ILogger logger, int inserted, int count, string kind, string station, long first, long last, long ackedSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hub: dead letter from {Topic}: {Reason} ({Bytes} bytes kept in dead_letters)")]
    private static partial void LogDeadLetter(ILogger logger, string topic, string reason, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hub: PostgreSQL is unavailable ({Reason}); the batch stays with the broker, trying again in {Seconds:0.0} s")]
    private static partial void LogDatabaseDown(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "hub: PostgreSQL is back after {Seconds:0.0} s")]
    private static partial void LogDatabaseBack(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hub: a worker notice from {Station} left the county's roster unchanged: {Reason}")]
    private static partial void LogNoticeIgnored(ILogger logger, string station, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "hub: station {Station} asks for the roster from version {Version}")]
    private static partial void LogResync(ILogger logger, string station, long version);
}
