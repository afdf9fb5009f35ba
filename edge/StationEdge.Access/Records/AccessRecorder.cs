using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Store;

namespace StationEdge.Access;

/// <summary>
/// Writes what the station decided and what happened at the door into the store, off the access loop: each visit with
/// its sync message in one transaction (<c>stations/{id}/visits</c>), door alarms and camera losses as door events with
/// theirs (<c>stations/{id}/events</c>). When the data folder cannot take a write (a full disk), the door goes on working
/// and the writes wait in a bounded memory backlog (<c>Access:VisitBacklog</c>, oldest dropped first); the problem is
/// logged once, and the backlog is written, in order and with the original times, as soon as a write succeeds again.
/// Each stored visit is published back as <see cref="VisitRecorded"/> (after the write, outside any lock), so live
/// pages show it at once without the access loop knowing they exist.
/// </summary>
public sealed partial class AccessRecorder : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FlushOnStop = TimeSpan.FromSeconds(3);

    private readonly IStationStoreSource _records;
    private readonly StationEvents _events;
    private readonly StationEventSubscription _subscription;
    private readonly AccessOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessRecorder> _logger;
    private readonly LinkedList<PendingWrite> _backlog = new();
    private readonly SyncMessages _messages;
    private string? _failing;
    private long _dropped;
    private long _written;

    public AccessRecorder(IStationStoreSource records, StationEvents events, IOptions<AccessOptions> options, TimeProvider time, ILogger<AccessRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        _records = records;
        _events = events;
        _options = options.Value;
        _messages = new SyncMessages(_options.ResolvedStationId);
        _time = time;
        _logger = logger;
        // Unbounded here: the backlog below is the one bound, and it says when it drops something.
        _subscription = events.Subscribe(capacity: null);
    }

    /// <summary>Writes that wait for the data folder (a full disk).</summary>
    public int Backlog
    {
        get
        {
            lock (_backlog)
            {
                return _backlog.Count;
            }
        }
    }

    /// <summary>Visits and door events stored since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Writes given up because the backlog was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public override void Dispose()
    {
        _subscription.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _subscription.Reader;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // While writes fail, wake up every RetryEvery to try again; otherwise wait for the next event.
                using var retry = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                if (_failing is not null)
                {
                    retry.CancelAfter(RetryEvery);
                }

                try
                {
                    if (!await reader.WaitToReadAsync(retry.Token))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time to retry the backlog.
                }

                Take(reader);
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop: what is left is written below.
        }

        Take(reader);
        using var last = new CancellationTokenSource(FlushOnStop);
        try
        {
            await FlushAsync(last.Token);
        }
        catch (OperationCanceledException)
        {
            // Out of time: counted below.
        }

        if (Backlog > 0)
        {
            LogLostOnStop(_logger, Backlog);
        }
    }

    private void Take(System.Threading.Channels.ChannelReader<StationEvent> reader)
    {
        while (reader.TryRead(out var stationEvent))
        {
            if (Describe(stationEvent) is { } write)
            {
                Enqueue(write);
            }
        }
    }

    private PendingWrite? Describe(StationEvent stationEvent) => stationEvent switch
    {
        AccessGranted { Recorded: true } g => new PendingWrite(Visit(g.Decision), null, null),
        AccessRefused r => new PendingWrite(Visit(r.Decision), null, r.UnknownFace),
        VisitRequested v => new PendingWrite(v.Draft, null, null) { WhenStored = v.WhenStored },
        DoorActivity { Event: var e } => DoorDraft(e) is { } draft ? new PendingWrite(null, draft with { Time = e.At }, null) : null,
        CameraActivity { Event: CameraLost lost } => new PendingWrite(null, new DoorEventDraft("camera_lost", lost.Detail) { Time = lost.Time }, null),
        CameraActivity { Event: CameraBack back } => new PendingWrite(null, new DoorEventDraft("camera_back", $"after {back.Downtime.TotalSeconds:0.0} s, {back.Restarts} restarts") { Time = back.Time }, null),
        _ => null,
    };

    private static DoorEventDraft? DoorDraft(StationEdge.Door.Control.DoorEvent doorEvent) => doorEvent switch
    {
        DoorAlarmRaised e => new DoorEventDraft(Snake(e.Alarm.ToString())),
        DoorAlarmCleared e => new DoorEventDraft(Snake(e.Alarm.ToString()) + "_cleared"),
        DoorGrantRefused e => new DoorEventDraft("grant_refused", $"{e.By}: {e.Reason}"),
        DoorRelocked { Reason: RelockReason.Cap } => new DoorEventDraft("relocked_at_cap"),
        _ => null,
    };

    private static VisitDraft Visit(FrameDecision d) =>
        new(d.IsGranted ? VisitDecision.Granted : VisitDecision.Refused, d.Reason)
        {
            WorkerId = d.WorkerId,
            Score = d.Score,
            Margin = d.Margin,
            Liveness = d.Liveness,
            Time = d.Time,
        };

    private void Enqueue(PendingWrite write)
    {
        lock (_backlog)
        {
            _backlog.AddLast(write);
            if (_backlog.Count > _options.VisitBacklog)
            {
                _backlog.RemoveFirst();
                if (Interlocked.Increment(ref _dropped) == 1)
                {
                    LogBacklogFull(_logger, _options.VisitBacklog);
                }
            }
        }
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        while (true)
        {
            PendingWrite? next;
            int waiting;
            lock (_backlog)
            {
                next = _backlog.First?.Value;
                waiting = _backlog.Count;
            }

            if (next is null)
            {
                return;
            }

            try
            {
                await WriteAsync(next, ct);
            }
            catch (StoreException failure) when (!failure.IsBadInput)
            {
                // The data folder cannot take it now (full, locked, an I/O error): keep it, say so once, retry later.
                if (_failing is null)
                {
                    LogWritesFailing(_logger, failure, failure.Message, _options.VisitBacklog);
                }

                _failing = failure.Message;
                return;
            }
            catch (StoreException failure)
            {
                // A write the store refuses as such would be refused again: a bug, logged and dropped, not retried.
                LogWriteRefused(_logger, failure, failure.Message);
            }

            lock (_backlog)
            {
                _backlog.RemoveFirst();
            }

            Interlocked.Increment(ref _written);
            if (_failing is not null)
            {
                _failing = null;
                LogWritesBack(_logger, waiting);
            }
        }
    }

    private async Task WriteAsync(PendingWrite write, CancellationToken ct)
    {
        var store = _records.Store;
        if (write.Visit is { } visit)
        {
            var stored = await store.RecordVisitAsync(visit, _messages.Visit, ct);
            _events.Publish(new VisitRecorded(stored) { Timestamp = _time.GetTimestamp() });
            if (write.Face is { } face && _options.UnknownFacesFolder is { } folder)
            {
                await KeepUnknownFaceAsync(folder, stored.Id, face, ct);
            }

            if (write.WhenStored is { } then)
            {
                try
                {
                    await then(stored, ct);
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // The visit is stored: retrying would store it twice.
                    LogAfterStoreFailed(_logger, failure, stored.Seq, failure.Message);
                }
            }
        }
        else if (write.DoorEvent is { } doorEvent)
        {
            await store.RecordDoorEventAsync(doorEvent, _messages.DoorEvent, ct);
        }
    }

    /// <summary>The crop as a JPEG named by the visit id, through ffmpeg (never fails the visit: it is stored already).</summary>
    private async Task KeepUnknownFaceAsync(string folder, Guid visitId, UnknownFaceImage face, CancellationToken ct)
    {
        var path = Path.Combine(folder, $"unknown-{visitId}.jpg");
        try
        {
            UnknownFaces.EnsurePrivate(folder);
            var start = new ProcessStartInfo("ffmpeg")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{face.Width}x{face.Height}", "-i", "pipe:0", "-frames:v", "1", path })
            {
                start.ArgumentList.Add(arg);
            }

            using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
            var stderr = ffmpeg.StandardError.ReadToEndAsync(ct);
            await ffmpeg.StandardInput.BaseStream.WriteAsync(face.Rgb, ct);
            ffmpeg.StandardInput.Close();
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(10));
            await ffmpeg.WaitForExitAsync(bound.Token);
            if (ffmpeg.ExitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg exited with {ffmpeg.ExitCode}: {(await stderr).Trim()}");
            }
        }
        catch (Exception failure) when (failure is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogFaceNotKept(_logger, path, failure.Message);
        }
    }

    private static string Snake(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>A visit (with the unknown face's crop, when kept) or a door event, waiting to be stored.</summary>
    private sealed record PendingWrite(VisitDraft? Visit, DoorEventDraft? DoorEvent, UnknownFaceImage? Face)
    {
        public Func<Visit, CancellationToken, Task>? WhenStored { get; init; }
    }

    [LoggerMessage(1, LogLevel.Error, "Records: {Problem}. The door goes on working; visits wait in memory (up to {Backlog}) and are written when the data folder takes writes again; this is not logged again until then")]
    private static partial void LogWritesFailing(ILogger logger, Exception failure, string problem, int backlog);

    [LoggerMessage(2, LogLevel.Warning, "Records: writes succeed again; {Count} waiting visits and events are being written")]
    private static partial void LogWritesBack(ILogger logger, int count);

    [LoggerMessage(3, LogLevel.Error, "Records: the memory backlog is full ({Backlog}); the oldest waiting visits are being dropped")]
    private static partial void LogBacklogFull(ILogger logger, int backlog);

    [LoggerMessage(4, LogLevel.Error, "Records: a write was refused and dropped: {Problem}")]
    private static partial void LogWriteRefused(ILogger logger, Exception failure, string problem);

    [LoggerMessage(5, LogLevel.Error, "Records: stopping with {Count} visits and events not written (the data folder still takes no writes)")]
    private static partial void LogLostOnStop(ILogger logger, int count);

    [LoggerMessage(6, LogLevel.Warning, "Records: the unknown face was not kept at {Path}: {Problem}")]
    private static partial void LogFaceNotKept(ILogger logger, string path, string problem);

    [LoggerMessage(7, LogLevel.Error, "Records: visit {Seq} is stored, but what follows it failed: {Problem}")]
    private static partial void LogAfterStoreFailed(ILogger logger, Exception failure, long seq, string problem);
}
