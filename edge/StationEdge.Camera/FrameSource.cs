using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StationEdge.Camera;

/// <summary>
/// The station's camera: an ffmpeg child process writing rgb24 frames of <c>Camera:Width</c>×<c>Camera:Height</c> at
/// <c>Camera:Fps</c>, supervised. ffmpeg is started again with backoff when it exits or delivers no frame for
/// <c>Camera:StallMs</c>, and <see cref="CameraLost"/> / <see cref="CameraBack"/> go out through <see cref="Events"/>.
/// <list type="bullet">
/// <item>The access loop reads with <see cref="ReadNextAsync"/>: always the newest frame, never a queue of stale ones.</item>
/// <item>Anyone else (a preview) uses <see cref="TryGetLatest"/> or <see cref="WaitForNewerAsync"/>: a lease on the same
/// buffer, so no copy and nothing taken from the access loop.</item>
/// </list>
/// When the host stops, the children are killed and reaped before <see cref="BackgroundService.StopAsync"/> returns.
/// </summary>
public sealed class FrameSource : BackgroundService
{
    private const int EventCapacity = 64;

    private readonly CameraOptions _options;
    private readonly ILogger<FrameSource> _logger;
    private readonly TimeProvider _time;
    private readonly CameraCommand _command;
    private readonly FramePool _pool;
    private readonly LatestFrameSlot _slot;
    private readonly Channel<CameraEvent> _events = Channel.CreateBounded<CameraEvent>(
        new BoundedChannelOptions(EventCapacity) { FullMode = BoundedChannelFullMode.DropOldest });

    private readonly Lock _stateLock = new();
    private CameraState _state = CameraState.Stopped;
    private CameraRun? _run;
    private int _restarts;
    private string? _lastProblem;
    private TimeSpan _lastTransfer;

    public FrameSource(IOptions<CameraOptions> options, ILogger<FrameSource> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _time = timeProvider;
        if (!CameraSource.TryParse(_options.Source, out var source, out var error))
        {
            throw new OptionsValidationException(CameraOptions.SectionName, typeof(CameraOptions), [error!]);
        }

        Source = source!;
        _command = CameraCommand.For(Source, _options);
        _pool = new FramePool(_options.Width, _options.Height);
        _slot = new LatestFrameSlot(timeProvider);
    }

    public CameraSource Source { get; }

    /// <summary>
    /// <see cref="CameraLost"/>, <see cref="CameraBack"/> and <see cref="CameraEnded"/>, in order, for one reader; the
    /// oldest are dropped past 64 unread. Completes when the service stops.
    /// </summary>
    public ChannelReader<CameraEvent> Events => _events.Reader;

    public CameraHealth Health
    {
        get
        {
            lock (_stateLock)
            {
                var last = _slot.LastArrival;
                DateTimeOffset? lastAt = last == 0 ? null : _time.GetUtcNow() - _time.GetElapsedTime(last);
                return new CameraHealth(
                    _state,
                    Source.Display,
                    _slot.FramesPerSecond(),
                    lastAt,
                    _slot.Received,
                    _slot.Dropped,
                    _restarts,
                    _run?.ProcessId,
                    _lastProblem);
            }
        }
    }

    /// <summary>Mean time from a frame's first byte to its last on ffmpeg's pipe, in the current or last run (a bench figure).</summary>
    internal TimeSpan MeanTransfer
    {
        get
        {
            lock (_stateLock)
            {
                return _run?.MeanTransfer ?? _lastTransfer;
            }
        }
    }

    /// <summary>Frame buffers allocated so far: a handful in steady state, however many frames went by.</summary>
    internal int BuffersAllocated => _pool.Allocated;

    /// <summary>
    /// The access loop's read: the newest frame it has not had yet (waiting for one); frames it was too slow for are
    /// skipped and counted as dropped. One reader only. Null once the source has ended or the service stopped.
    /// Dispose the frame.
    /// </summary>
    public ValueTask<CameraFrame?> ReadNextAsync(CancellationToken cancellationToken) => _slot.TakeNextAsync(cancellationToken);

    /// <summary>A lease on the newest frame, or null when there is none (not started, or the camera is lost).</summary>
    public CameraFrame? TryGetLatest() => _slot.TryGetLatest();

    /// <summary>For readers besides the access loop: the newest frame after <paramref name="afterSequence"/> (0: any).</summary>
    public ValueTask<CameraFrame?> WaitForNewerAsync(long afterSequence, CancellationToken cancellationToken) =>
        _slot.WaitNewerAsync(afterSequence, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        CameraLog.Starting(_logger, Source.Display, Source.Redact(_command.ToString()));
        var backoff = new RestartBackoff(
            TimeSpan.FromMilliseconds(_options.RestartMinMs),
            TimeSpan.FromMilliseconds(_options.RestartMaxMs),
            TimeSpan.FromMilliseconds(_options.HealthyMs));
        long lostAt = 0;
        var restartsSinceLoss = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var outcome = await RunOnceAsync(lostAt, restartsSinceLoss, stoppingToken);
                if (outcome.Kind == RunEnd.Finished)
                {
                    if (_options.Loop)
                    {
                        CameraLog.Looping(_logger, Source.Display);
                        continue;
                    }

                    SetState(CameraState.Ended);
                    CameraLog.Ended(_logger, Source.Display, outcome.Frames);
                    _events.Writer.TryWrite(new CameraEnded(_time.GetUtcNow(), _slot.Received));
                    return;
                }

                if (outcome.Frames > 0)
                {
                    lostAt = 0;
                    restartsSinceLoss = 0;
                }

                lock (_stateLock)
                {
                    _lastProblem = outcome.Detail;
                }

                if (lostAt == 0)
                {
                    lostAt = _time.GetTimestamp();
                    _slot.Clear();
                    SetState(CameraState.Lost);
                    CameraLog.Lost(_logger, Source.Display, outcome.Detail);
                    _events.Writer.TryWrite(new CameraLost(_time.GetUtcNow(), outcome.Reason, outcome.ExitCode, outcome.Detail));
                }

                var delay = backoff.Next(outcome.HealthyFor);
                CameraLog.Restarting(_logger, Source.Display, (int)delay.TotalMilliseconds, outcome.Detail);
                await Task.Delay(delay, _time, stoppingToken);
                restartsSinceLoss++;
                lock (_stateLock)
                {
                    _restarts++;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }
        finally
        {
            bool ended;
            lock (_stateLock)
            {
                ended = _state == CameraState.Ended;
                _state = ended ? CameraState.Ended : CameraState.Stopped;
            }

            // A recording that played to its end keeps its last frame for a reader that has not had it yet.
            _slot.End(keepLast: ended);
            _events.Writer.TryComplete();
            CameraLog.Stopped(_logger, Source.Display);
        }
    }

    public override void Dispose()
    {
        // A host that is disposed without being stopped must not leave ffmpeg behind either.
        CameraRun? run;
        lock (_stateLock)
        {
            run = _run;
        }

        run?.KillNow();
        base.Dispose();
    }

    /// <summary>One run of ffmpeg, from start to its end or stall; <paramref name="lostAt"/> is when the camera was lost, or 0.</summary>
    private async Task<RunOutcome> RunOnceAsync(long lostAt, int restartsSinceLoss, CancellationToken ct)
    {
        CameraRun run;
        try
        {
            run = CameraRun.Start(_command, _pool, _slot, _time);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever stops a start, the camera stays supervised: the door must not go down with it.
            return new RunOutcome(RunEnd.Failed, CameraLossReason.StartFailed, null, e.Message, 0, TimeSpan.Zero);
        }

        lock (_stateLock)
        {
            _run = run;
            if (lostAt == 0)
            {
                _state = CameraState.Starting;
            }
        }

        CameraLog.Started(_logger, Source.Display, run.ProcessId);
        string? stalled;
        string exit;
        try
        {
            stalled = await WatchAsync(run, lostAt, restartsSinceLoss, ct);
        }
        finally
        {
            // Also on host stop: the children are killed and reaped before the service reports stopped.
            exit = await run.StopAsync();
            lock (_stateLock)
            {
                _run = null;
                _lastTransfer = run.MeanTransfer;
            }

            if (run.Unreaped)
            {
                CameraLog.NotReaped(_logger, Source.Display, exit);
            }
        }

        var healthyFor = run.FirstFrameTimestamp == 0 ? TimeSpan.Zero : _time.GetElapsedTime(run.FirstFrameTimestamp);
        if (stalled is not null)
        {
            return new RunOutcome(RunEnd.Failed, CameraLossReason.Stalled, null, stalled, run.Frames, healthyFor);
        }

        var code = run.ExitCode;
        var finished = !Source.IsLive && run.Frames > 0 && code == 0;
        return new RunOutcome(finished ? RunEnd.Finished : RunEnd.Failed, CameraLossReason.Exited, code, Source.Redact(exit), run.Frames, healthyFor);
    }

    /// <summary>Watches one run until its output ends (null) or it stalls (the reason).</summary>
    private async Task<string?> WatchAsync(CameraRun run, long lostAt, int restartsSinceLoss, CancellationToken ct)
    {
        var stall = TimeSpan.FromMilliseconds(_options.StallMs);
        var startTimeout = TimeSpan.FromMilliseconds(_options.StartTimeoutMs);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(_options.StallMs / 4, 50, 500));
        var up = false;
        while (true)
        {
            using (var tick = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                var delay = Task.Delay(period, _time, tick.Token);
                await Task.WhenAny(run.Ended, up ? delay : Task.WhenAny(delay, run.FirstFrame));
                await tick.CancelAsync();
            }

            ct.ThrowIfCancellationRequested();
            if (!up && run.Frames > 0)
            {
                up = true;
                SetState(CameraState.Running);
                CameraLog.FirstFrame(_logger, Source.Display, run.ProcessId, (int)_time.GetElapsedTime(run.StartTimestamp).TotalMilliseconds);
                if (lostAt != 0)
                {
                    var downtime = _time.GetElapsedTime(lostAt);
                    CameraLog.Back(_logger, Source.Display, (int)downtime.TotalMilliseconds);
                    _events.Writer.TryWrite(new CameraBack(_time.GetUtcNow(), downtime, restartsSinceLoss));
                }
            }

            if (run.Ended.IsCompleted)
            {
                return null;
            }

            var last = run.LastFrameTimestamp;
            if (last == 0 && _time.GetElapsedTime(run.StartTimestamp) > startTimeout)
            {
                return $"no frame within {_options.StartTimeoutMs} ms of starting ffmpeg";
            }

            if (last != 0 && _time.GetElapsedTime(last) > stall)
            {
                return $"no frame for {_options.StallMs} ms";
            }
        }
    }

    private void SetState(CameraState state)
    {
        lock (_stateLock)
        {
            _state = state;
        }
    }

    private enum RunEnd
    {
        Finished,
        Failed,
    }

    private sealed record RunOutcome(RunEnd Kind, CameraLossReason Reason, int? ExitCode, string Detail, long Frames, TimeSpan HealthyFor);
}
