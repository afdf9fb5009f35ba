using System.Buffers;
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>
/// The station's end of the link. One supervised loop connects (capped exponential backoff with jitter; the client's
/// Disconnected event only wakes the loop, it never reconnects itself), then, while connected, sends the outbox in seq
/// order in batches, at most <see cref="SyncOptions.Window"/> unacknowledged at once, and deletes from the outbox only
/// what the county's ack says it committed. After a reconnect or an ack timeout it sends again from the first
/// unacknowledged item: the county drops what it already has, so a resend never duplicates. The door never waits on it:
/// it only reads the store.
/// </summary>
public sealed partial class SyncAgent(StationStore store, IOptions<SyncOptions> options, TimeProvider time, ILogger<SyncAgent> logger, IStationFacts? facts = null, IStationControl? control = null) : BackgroundService
{
    private static readonly string Version =
        typeof(SyncAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    private readonly SyncOptions _options = options.Value;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly SemaphoreSlim _wake = new(0);
    // The ack handler runs on the client's receive thread, the sender on this loop: _gate guards what both touch.
    private readonly Lock _gate = new();
    private long _sentThrough;
    private long _ackedSeq;
    private DateTimeOffset _lastProgress;
    private int _inFlight;
    private IReadOnlyList<string>? _publishedAlarms;
    // What the county sends down (roster, head, commands) waits here for the one loop that applies it in order; the
    // client's receive thread only hands it over, and waits when the loop is behind (the broker holds the rest).
    private readonly Channel<(string Topic, byte[] Payload)> _inbound =
        Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(1000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private RosterApplier? _roster;
    private CommandHandler? _commands;
    private IMqttClient? _client;
    private long _noticedAuditId = -1;
    private byte[]? _noticeTemplateKey;

    /// <summary>Items the county acknowledged since start (for tests and the demo).</summary>
    public long Acknowledged { get; private set; }

    public bool Connected { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (host, port, tls) = _options.Endpoint() ?? throw new InvalidOperationException("Sync:Broker is not mqtt://host:port");
        var attempt = 0;
        var inbound = await StartInboundAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                var password = (await File.ReadAllTextAsync(_options.PasswordFile!, stoppingToken)).Trim();
                var connect = await client.ConnectAsync(ClientOptions(host, port, tls, password), stoppingToken);
                if (connect.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new IOException($"the broker refused the connection: {connect.ResultCode} {connect.ReasonString}");
                }

                attempt = 0;
                Connected = true;
                LogConnected(logger, _options.Broker!, _options.StationId!);
                await RunConnectedAsync(client, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await GoOfflineAsync(client);
                await inbound.ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                var delay = Backoff(++attempt);
                LogLinkDown(logger, OneLine(e), delay.TotalSeconds);
                Connected = false;
                await Task.Delay(delay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunConnectedAsync(IMqttClient client, CancellationToken ct)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        client.DisconnectedAsync += _ =>
        {
            // Only wakes the loop: reconnecting here would race the loop's own connect.
            lost.Cancel();
            _wake.Release();
            return Task.CompletedTask;
        };
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(e, lost.Token);
        var station = _options.StationId!;
        var subscribe = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Acks(station), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Commands(station), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.StationRoster(station), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.CountyRoster(_options.County!), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.RosterHead(_options.County!), MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        if (subscribe.Items.FirstOrDefault(i => (int)i.ResultCode >= 0x80) is { } refused)
        {
            throw new IOException($"the broker refused the subscription to {refused.TopicFilter.Topic}");
        }

        _roster!.Reconnected();
        Volatile.Write(ref _client, client);

        // Everything not acknowledged is sent again: acks for the earlier session may have been lost with it.
        _sentThrough = 0;
        lock (_gate)
        {
            _inFlight = 0;
            _lastProgress = time.GetUtcNow();
        }

        var nextStatus = DateTimeOffset.MinValue;
        while (!lost.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            // A door alarm is news for the county at once, not at the next minute.
            if (now >= nextStatus || AlarmsChanged())
            {
                await PublishStatusAsync(client, StationStatus.Online, lost.Token);
                nextStatus = now.AddSeconds(_options.StatusIntervalSeconds);
            }

            bool timedOut, windowOpen;
            long acked;
            lock (_gate)
            {
                timedOut = _inFlight > 0 && now - _lastProgress > TimeSpan.FromSeconds(_options.AckTimeoutSeconds);
                if (timedOut)
                {
                    _inFlight = 0;
                    _lastProgress = now;
                }

                windowOpen = _inFlight < _options.Window;
                acked = _ackedSeq;
            }

            if (timedOut)
            {
                LogAckTimeout(logger, _options.AckTimeoutSeconds, acked);
                _sentThrough = 0;
            }

            await QueueWorkerNoticesAsync(lost.Token);
            var sent = windowOpen && await SendNextBatchAsync(client, lost.Token);
            if (!sent)
            {
                await _wake.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(50, _options.BatchAgeMs)), lost.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        ct.ThrowIfCancellationRequested();
        throw new IOException("the connection to the broker was lost");
    }

    /// <summary>Sends the next run of same-topic items after what was sent; false when there was nothing to send yet.</summary>
    private async Task<bool> SendNextBatchAsync(IMqttClient client, CancellationToken ct)
    {
        var rows = await store.PeekOutboxAfterAsync(_sentThrough, _options.BatchSize, ct);
        if (rows.Count == 0)
        {
            return false;
        }

        var topic = rows[0].Topic;
        var batch = rows.TakeWhile(r => r.Topic == topic).ToList();
        if (batch.Count < _options.BatchSize && time.GetUtcNow() - batch[^1].CreatedAt < TimeSpan.FromMilliseconds(_options.BatchAgeMs) && batch.Count == rows.Count)
        {
            return false;
        }

        var floor = (await store.PeekOutboxAsync(1, ct))[0].Seq;
        // The row's topic says its kind; it goes up under this station's Sync:StationId, the id the county registered,
        // whatever station id the recorder wrote it with (Access:StationId defaults to the host name).
        var visits = Topics.TryParseStation(topic, out _, out var kind) && kind == "visits";
        topic = visits ? Topics.Visits(_options.StationId!) : Topics.Events(_options.StationId!);
        var payload = Build(visits, floor, batch);
        if (payload is null)
        {
            // Not an item of the link's contract (written by an older build): it can never be delivered as it is.
            LogUnsendable(logger, batch[0].Seq, topic);
            _sentThrough = batch[0].Seq;
            return true;
        }

        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
        {
            throw new IOException($"the broker refused a batch on {topic}: {result.ReasonCode} {result.ReasonString}");
        }

        _sentThrough = batch[^1].Seq;
        lock (_gate)
        {
            _inFlight++;
        }

        LogSent(logger, batch.Count, topic, batch[0].Seq, batch[^1].Seq);
        return true;
    }

    private byte[]? Build(bool visits, long floor, List<OutboxMessage> rows)
    {
        var sentAt = time.GetUtcNow();
        var station = _options.StationId!;
        if (visits)
        {
            return Items<VisitRecord>(rows, (item, seq) => item with { Seq = seq }) is { } items
                ? SyncJson.Write(new VisitBatch(Schemas.V(Schemas.VisitBatch), station, floor, sentAt, items))
                : null;
        }

        return Items<StationEvent>(rows, (item, seq) => item with { Seq = seq }) is { } events
            ? SyncJson.Write(new EventBatch(Schemas.V(Schemas.EventBatch), station, floor, sentAt, events))
            : null;
    }

    /// <summary>The rows' items, each given its row's seq; null when one is not an item of the link's contract.</summary>
    private static List<T>? Items<T>(List<OutboxMessage> rows, Func<T, long, T> withSeq) where T : class
    {
        var items = new List<T>(rows.Count);
        foreach (var row in rows)
        {
            if (SyncJson.Read<T>(Encoding.UTF8.GetBytes(row.PayloadJson)).Message is not { } item)
            {
                return null;
            }

            items.Add(withSeq(item, row.Seq));
        }

        return items;
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e, CancellationToken ct)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic != Topics.Acks(_options.StationId!))
        {
            if (topic == Topics.Commands(_options.StationId!) || topic == Topics.StationRoster(_options.StationId!)
                || topic == Topics.CountyRoster(_options.County!) || topic == Topics.RosterHead(_options.County!))
            {
                await _inbound.Writer.WriteAsync((topic, e.ApplicationMessage.Payload.ToArray()), ct);
            }

            return;
        }

        var read = SyncJson.Read<Ack>(e.ApplicationMessage.Payload.ToArray(), Schemas.Ack);
        if (!read.Ok || read.Message!.StationId != _options.StationId)
        {
            LogBadAck(logger, read.Error ?? $"an ack for station {read.Message!.StationId}");
            return;
        }

        var ack = read.Message;
        var ranges = (ack.Committed ?? []).Where(r => r.Last > ack.AckedSeq).Select(r => (r.First, r.Last)).ToList();
        try
        {
            var deleted = await store.AcknowledgeThroughAsync(ack.AckedSeq, ranges, ct);
            lock (_gate)
            {
                if (ack.AckedSeq > _ackedSeq || deleted > 0)
                {
                    _lastProgress = time.GetUtcNow();
                    _inFlight = Math.Max(0, _inFlight - 1);
                }

                _ackedSeq = Math.Max(_ackedSeq, ack.AckedSeq);
            }

            Acknowledged += deleted;
            if (deleted > 0)
            {
                LogAcked(logger, deleted, ack.AckedSeq);
            }

            _wake.Release();
        }
        catch (StoreException x)
        {
            // Kept: the same ack comes again with the next batch's, and deleting later loses nothing.
            LogAckNotApplied(logger, x.Message);
        }
    }

    /// <summary>Worker changes made here (the keeper site, the command line beside the daemon) into the outbox, when the audit log moved.</summary>
    private async Task QueueWorkerNoticesAsync(CancellationToken ct)
    {
        var stamp = await store.GetRosterStampAsync(ct);
        if (stamp.LastAuditId == _noticedAuditId)
        {
            return;
        }

        // Read once (the validator has checked it): without it no template can leave the station, whatever the consent.
        var key = _noticeTemplateKey ??= _options.TemplateKey() ?? [];
        var sealWith = key.Length == 0 ? null : key;
        while (await store.QueueWorkerNoticesAsync(change => WorkerNotices.Describe(_options.StationId!, change, sealWith), countyTemplates: sealWith is not null, ct: ct) > 0)
        {
            // A long history (the first start with a link) goes in steps of 100, each its own transaction.
        }

        _noticedAuditId = stamp.LastAuditId;
    }

    /// <summary>Loads the roster version and starts the one loop that applies what the county sends down.</summary>
    private async Task<Task> StartInboundAsync(CancellationToken ct)
    {
        var keys = CountyKeyRing.Load(_options.CountyKeyPem(), store, logger);
        var templateKey = _options.TemplateKey();
        if (control is null)
        {
            LogNoControl(logger);
        }
        else if (templateKey is null)
        {
            LogNoTemplateKey(logger);
        }

        _roster = new RosterApplier(store, _options, keys, templateKey, control, time, logger);
        _commands = new CommandHandler(store, _options, keys, _roster, control, time, logger);
        await _roster.LoadAsync(ct);
        return Task.Run(() => ApplyInboundAsync(keys, ct), ct);
    }

    private async Task ApplyInboundAsync(CountyKeyRing keys, CancellationToken ct)
    {
        using (keys)
        {
            try
            {
                await foreach (var (topic, payload) in _inbound.Reader.ReadAllAsync(ct))
                {
                    try
                    {
                        if (topic == Topics.Commands(_options.StationId!))
                        {
                            await _commands!.OnCommandAsync(payload, AskResyncAsync, ct);
                        }
                        else if (topic == Topics.RosterHead(_options.County!))
                        {
                            await _roster!.OnHeadAsync(payload, AskResyncAsync, ct);
                        }
                        else
                        {
                            await _roster!.OnDeltaAsync(payload, AskResyncAsync, ct);
                        }
                    }
                    catch (StoreException x)
                    {
                        // Not applied, the version not moved: the next delta or head shows the gap and asks again.
                        LogInboundFailed(logger, topic, x.Message);
                    }
                    catch (Exception x) when (x is IOException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
                    {
                        // A resync that could not be sent: the head, retained, asks again on the next connection.
                        LogInboundFailed(logger, topic, OneLine(x));
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Host stop.
            }
        }
    }

    private async Task AskResyncAsync(long fromVersion, CancellationToken ct)
    {
        if (Volatile.Read(ref _client) is not { IsConnected: true } client)
        {
            return;
        }

        var request = new ResyncRequest(Schemas.V(Schemas.Resync), _options.StationId!, fromVersion);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Resync(_options.StationId!))
            .WithPayload(SyncJson.Write(request)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
    }

    private async Task PublishStatusAsync(IMqttClient client, string state, CancellationToken ct)
    {
        var status = state == StationStatus.Offline ? Offline() : await OnlineAsync(ct);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Status(_options.StationId!))
            .WithPayload(SyncJson.Write(status)).WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
    }

    private bool AlarmsChanged() =>
        facts is not null && !(facts.Read().OpenAlarms ?? []).SequenceEqual(_publishedAlarms ?? [], StringComparer.Ordinal);

    private async Task<StationStatus> OnlineAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var station = facts?.Read();
        _publishedAlarms = station?.OpenAlarms;
        var stats = await store.OutboxStatsAsync(ct);
        long? free = null;
        try
        {
            free = new DriveInfo(store.DataPath).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Free disk is a figure for the county's page; a station without it still reports the rest.
        }

        return new StationStatus(Schemas.V(Schemas.Status), _options.StationId!, StationStatus.Online, now)
        {
            SoftwareVersion = Version,
            OutboxDepth = stats.Depth,
            OldestUnsentVisitSeconds = stats.OldestVisitQueuedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : null,
            FreeDiskBytes = free,
            UptimeSeconds = (long)Stopwatch.GetElapsedTime(_startedAt).TotalSeconds,
            Models = station?.Models,
            CameraFps = station?.CameraFps,
            OpenAlarms = station?.OpenAlarms,
            GallerySize = station?.GallerySize,
            RosterVersion = _roster?.Version,
        };
    }

    private StationStatus Offline() => new(Schemas.V(Schemas.Status), _options.StationId!, StationStatus.Offline, time.GetUtcNow());

    private MqttClientOptions ClientOptions(string host, int port, bool tls, string password)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"station-{_options.StationId}")
            .WithCredentials(_options.Username, password)
            // The broker keeps the station's session (and the acks queued for it) across a short outage.
            .WithCleanStart(false)
            .WithSessionExpiryInterval(24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(Topics.Status(_options.StationId!))
            .WithWillPayload(SyncJson.Write(Offline()))
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (tls)
        {
            var trust = string.IsNullOrWhiteSpace(_options.BrokerCaFile) ? null : BrokerTrust.Load(_options.BrokerCaFile, "Sync:BrokerCaFile");
            builder.WithTlsOptions(o =>
            {
                o.UseTls();
                if (trust is not null)
                {
                    o.WithTrustChain(trust).WithRevocationMode(X509RevocationMode.NoCheck);
                }
            });
        }

        return builder.Build();
    }

    private async Task GoOfflineAsync(IMqttClient client)
    {
        Connected = false;
        if (!client.IsConnected)
        {
            return;
        }

        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await PublishStatusAsync(client, StationStatus.Offline, bounded.Token);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), bounded.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Stopping: the will says offline when the clean goodbye does not get through.
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var cap = TimeSpan.FromSeconds(_options.MaxBackoffSeconds);
        var exponential = TimeSpan.FromMilliseconds(Math.Min(cap.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(attempt - 1, 16))));
        // Full jitter, so that the stations of a county do not all come back in the same second after a broker restart.
        return TimeSpan.FromMilliseconds(Math.Max(100, Random.Shared.NextDouble() * exponential.TotalMilliseconds));
    }

    private static string OneLine(Exception e) => (e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message).ReplaceLineEndings(" ");

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: {Topic}: not applied ({Reason})")]
    private static partial void LogInboundFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: no door or gallery is connected to the link: roaming templates are not stored and remote unlocks are refused")]
    private static partial void LogNoControl(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: no Sync:TemplateKeyFile: roaming workers are kept in the roster but cannot be matched")]
    private static partial void LogNoTemplateKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "sync: connected to {Broker} as station {Station}")]
    private static partial void LogConnected(ILogger logger, string broker, string station);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: the link is down ({Reason}); trying again in {Seconds:0.0} s, the outbox keeps everything")]
    private static partial void LogLinkDown(ILogger logger, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "sync: sent {Count} on {Topic} (seq {First}-{Last})")]
    private static partial void LogSent(ILogger logger, int count, string topic, long first, long last);

    [LoggerMessage(Level = LogLevel.Information, Message = "sync: the county committed {Count} more (through seq {AckedSeq}); deleted from the outbox")]
    private static partial void LogAcked(ILogger logger, int count, long ackedSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: no acknowledgement for {Seconds} s (acknowledged through seq {AckedSeq}); sending again from there")]
    private static partial void LogAckTimeout(ILogger logger, int seconds, long ackedSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: an ack was refused: {Reason}")]
    private static partial void LogBadAck(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sync: an ack could not be applied ({Reason}); the next one will")]
    private static partial void LogAckNotApplied(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "sync: outbox item seq {Seq} on {Topic} is not in the link's contract; it stays in the outbox and is skipped")]
    private static partial void LogUnsendable(ILogger logger, long seq, string topic);
}
