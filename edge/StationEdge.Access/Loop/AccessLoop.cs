using System.Drawing;
using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Vision.Imaging;

namespace StationEdge.Access;

/// <summary>What the access loop has done since it started.</summary>
public sealed record AccessStatistics(long Frames, long FramesDetected, long WalkUps, long Grants, long GrantsRecorded, long Refusals, TimeSpan Running)
{
    /// <summary>Frames taken from the camera per second of running (each was looked at; <see cref="FramesDetected"/> ran the detector).</summary>
    public double FramesPerSecond => Running > TimeSpan.Zero ? Frames / Running.TotalSeconds : 0;
}

/// <summary>
/// The station's main loop: the newest camera frame → detect (every frame, or when <c>Access:Wake</c> says) → the main
/// face, followed as a walk-up → quality gate → embed → match. A grant needs <c>Access:AgreeFrames</c> of the last
/// <c>Access:WindowFrames</c> usable frames of the walk-up to agree on one worker above threshold and margin, and liveness
/// to pass on the frame that completes the agreement; then the rule (status, validity, hours) decides. A grant opens the
/// door at once (every walk-up) and is recorded once per worker per <c>Access:CooldownSeconds</c>; a refusal is recorded
/// once per walk-up, an unknown face after <c>Access:UnknownAfterFrames</c> usable frames without agreement. Decisions go
/// out as <see cref="StationEvents"/> (the recorder stores them, the greeting plays, <c>run --json</c> prints them); the
/// loop never waits on any of them. It beats <see cref="AccessHeartbeat"/> every turn, which feeds the watchdog.
/// </summary>
public sealed partial class AccessLoop : BackgroundService
{
    private static readonly TimeSpan FrameWait = TimeSpan.FromSeconds(1);

    private readonly FrameSource _camera;
    private readonly StationRecords _records;
    private readonly StationVision _vision;
    private readonly DoorService _door;
    private readonly StationEvents _events;
    private readonly AccessHeartbeat _heartbeat;
    private readonly AccessOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<AccessLoop> _logger;
    private readonly GalleryLearner? _learner;
    private readonly Dictionary<string, long> _lastRecorded = new(StringComparer.Ordinal);
    private long _startedAt;
    private long _frames;
    private long _detected;
    private long _walkUps;
    private long _grants;
    private long _grantsRecorded;
    private long _refusals;
    private long _failures;

    public AccessLoop(
        FrameSource camera,
        StationRecords records,
        StationVision vision,
        DoorService door,
        StationEvents events,
        AccessHeartbeat heartbeat,
        IOptions<AccessOptions> options,
        IHostApplicationLifetime lifetime,
        TimeProvider time,
        ILogger<AccessLoop> logger,
        GalleryLearner? learner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _camera = camera;
        _records = records;
        _vision = vision;
        _door = door;
        _events = events;
        _heartbeat = heartbeat;
        _options = options.Value;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
        _learner = learner;
    }

    public AccessStatistics Statistics => new(
        Interlocked.Read(ref _frames),
        Interlocked.Read(ref _detected),
        Interlocked.Read(ref _walkUps),
        Interlocked.Read(ref _grants),
        Interlocked.Read(ref _grantsRecorded),
        Interlocked.Read(ref _refusals),
        Interlocked.Read(ref _startedAt) is var started and not 0 ? _time.GetElapsedTime(started) : TimeSpan.Zero);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Every service first: the door holds its lines, the store is open, the gallery loaded.
        await WhenStartedAsync(stoppingToken);
        var recognizer = new FaceRecognizer(_vision, _records.Gallery, _options.ToPolicy(), _options.RequireLiveness);
        var tracker = new WalkUpTracker(_options, _time);
        var wake = new WakeGate(_options, _time);
        Interlocked.Exchange(ref _startedAt, _time.GetTimestamp());
        LogStarted(_logger, _options.AgreeFrames, _options.WindowFrames, _options.Wake.ToString(), _records.Gallery.WorkerCount, recognizer.Policy.Hours.ToString());
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                _heartbeat.Beat();
                var frame = await NextFrameAsync(stoppingToken);
                if (frame is null)
                {
                    tracker.Missed(_time.GetTimestamp());
                    continue;
                }

                using (frame)
                {
                    try
                    {
                        Look(frame, recognizer, tracker, wake);
                    }
                    catch (Exception failure) when (failure is not OperationCanceledException)
                    {
                        // One bad frame must not stop the door; a failure that repeats is logged at every power of ten.
                        var count = Interlocked.Increment(ref _failures);
                        if (IsPowerOfTen(count))
                        {
                            LogFrameFailed(_logger, failure, count);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }

        var stats = Statistics;
        LogStopped(_logger, stats.Frames, stats.Running.TotalSeconds, stats.FramesPerSecond, stats.Grants, stats.Refusals);
    }

    private static bool IsPowerOfTen(long n)
    {
        while (n % 10 == 0)
        {
            n /= 10;
        }

        return n == 1;
    }

    private async Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var onStarted = _lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
    }

    /// <summary>The newest frame, or null after a second without one (so the loop still beats while the camera is lost).</summary>
    private async Task<CameraFrame?> NextFrameAsync(CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(FrameWait);
        try
        {
            var frame = await _camera.ReadNextAsync(wait.Token);
            if (frame is null)
            {
                // The source ended (a file played out) or stopped: nothing more will come; keep beating until the host stops.
                await Task.Delay(FrameWait, _time, stoppingToken);
            }

            return frame;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private void Look(CameraFrame frame, FaceRecognizer recognizer, WalkUpTracker tracker, WakeGate wake)
    {
        Interlocked.Increment(ref _frames);
        var now = _time.GetUtcNow();
        var image = new RgbImage(frame.Width, frame.Height, frame.Buffer);
        if (!wake.ShouldDetect(image, frame.Timestamp, _door.Status?.PresenceDetected ?? false, tracker.Current is not null))
        {
            return;
        }

        Interlocked.Increment(ref _detected);
        var face = FaceRecognizer.MainFace(_vision.Pipeline.Detect(image));
        if (face is null)
        {
            tracker.Missed(frame.Timestamp);
            return;
        }

        var previous = tracker.Current;
        var walkUp = tracker.Follow(face.Box, frame.Timestamp);
        if (!ReferenceEquals(previous, walkUp))
        {
            Interlocked.Increment(ref _walkUps);
        }

        var look = recognizer.Look(image, face, walkUp.Fuse);
        if (!look.Usable)
        {
            return;
        }

        if (walkUp.Vote(look.Vote) is { } candidate)
        {
            Decide(recognizer.Decide(image, look, now, walkUp.LiveFor(candidate)), walkUp, frame, look);
        }
        else if (look.Vote is { } vote && !walkUp.HasSettledFor(vote) && walkUp.LiveFor(vote) is null)
        {
            // Liveness on the first frame that matches a worker, while the loop would wait for the next frame anyway:
            // when the agreement completes, the door opens without the model's 50 ms in the way.
            if (recognizer.CheckLiveness(image, look) is { } liveness)
            {
                walkUp.RememberLive(vote, liveness);
            }
        }
        else if (walkUp.IsDueForUnknown(_options.UnknownAfterFrames))
        {
            walkUp.MarkUnknownRecorded();
            var decision = AccessRule.Unknown(look.Match!.Match, now, string.Create(CultureInfo.InvariantCulture,
                $"no worker matched in {_options.AgreeFrames} of the last {_options.WindowFrames} votes over {walkUp.UsableFrames} usable frames"));
            Refuse(decision, walkUp, _options.UnknownFacesFolder is null ? null : CropOf(image, face.Box));
            OfferToLearn(decision, look);
        }
    }

    /// <summary>A recorded face decision for the gallery to learn from (a grant, or an unknown face a pass may confirm); never waits.</summary>
    private void OfferToLearn(FrameDecision decision, FaceLook look)
    {
        if (_learner is null || look.Probe is not { } probe || look.Match is not { } match || look.Quality.Figures is not { } q)
        {
            return;
        }

        _learner.Offer(new LearnCandidate(decision, probe, match.Match.Threshold, decision.IsGranted && decision.Liveness is not null,
            new StationEdge.Store.TemplateQuality(q.InterEyePx, q.YawDegrees, q.Sharpness, q.Brightness, q.DetectorScore)));
    }

    private void Decide(FrameDecision decision, WalkUp walkUp, CameraFrame frame, FaceLook look)
    {
        var workerId = decision.WorkerId;
        if (decision.IsGranted)
        {
            var decidedAt = _time.GetTimestamp();
            var wasUnlocked = _door.Status?.Unlocked ?? false;
            var opened = _door.Grant(workerId!);
            var relayAt = _time.GetTimestamp();
            walkUp.Settle(workerId!);
            var recorded = FirstInCooldown(workerId!, relayAt);
            Interlocked.Increment(ref _grants);
            if (recorded)
            {
                Interlocked.Increment(ref _grantsRecorded);
            }

            var granted = new AccessGranted(
                decision,
                recorded,
                opened,
                opened && !wasUnlocked ? _time.GetElapsedTime(frame.Timestamp, relayAt) : null,
                _time.GetElapsedTime(walkUp.FirstTimestamp, relayAt),
                walkUp.Frames)
            { Timestamp = decidedAt };
            _events.Publish(granted);
            if (recorded)
            {
                OfferToLearn(decision, look);
            }

            LogGranted(_logger, workerId!, decision.WorkerName ?? "", decision.Score ?? 0, decision.Margin ?? 0,
                opened ? "the door opened" : "the door refused the grant", recorded ? "visit recorded" : "in cooldown, not recorded again",
                granted.WalkUpToGrant.TotalMilliseconds);
            return;
        }

        if (decision.Reason == AccessReason.Liveness)
        {
            // A real face may pass on a later frame of the same walk-up: keep trying, record the refusal once.
            if (walkUp.FirstRefusal(AccessReason.Liveness + ":" + workerId))
            {
                Refuse(decision, walkUp, null);
            }

            return;
        }

        // Suspended, expired, closed: nothing about it changes while the worker stands there.
        walkUp.Settle(workerId ?? "");
        Refuse(decision, walkUp, null);
    }

    private void Refuse(FrameDecision decision, WalkUp walkUp, UnknownFaceImage? face)
    {
        _door.SignalRefusal();
        Interlocked.Increment(ref _refusals);
        var at = _time.GetTimestamp();
        _events.Publish(new AccessRefused(decision, _time.GetElapsedTime(walkUp.FirstTimestamp, at)) { Timestamp = at, UnknownFace = face });
        LogRefused(_logger, decision.Reason, decision.WorkerId ?? "nobody", decision.Detail);
    }

    /// <summary>True when the worker's last recorded grant is older than the cooldown (and marks this one).</summary>
    private bool FirstInCooldown(string workerId, long now)
    {
        if (_lastRecorded.TryGetValue(workerId, out var last) && _time.GetElapsedTime(last, now) < TimeSpan.FromSeconds(_options.CooldownSeconds))
        {
            return false;
        }

        _lastRecorded[workerId] = now;
        return true;
    }

    /// <summary>The face box enlarged by half, inside the frame, copied out (the frame's buffer goes back to the camera).</summary>
    private static UnknownFaceImage CropOf(RgbImage image, RectangleF box)
    {
        var grown = RectangleF.Inflate(box, box.Width / 4, box.Height / 4);
        var area = Rectangle.Intersect(Rectangle.Round(grown), new Rectangle(0, 0, image.Width, image.Height));
        using var crop = ImageOps.Crop(image, area);
        return new UnknownFaceImage(crop.Width, crop.Height, crop.Pixels.ToArray());
    }

    [LoggerMessage(1, LogLevel.Information, "Access loop started: {Agree} of {Window} frames must agree, wake {Wake}, {Workers} workers enrolled, {Hours}")]
    private static partial void LogStarted(ILogger logger, int agree, int window, string wake, int workers, string hours);

    [LoggerMessage(2, LogLevel.Information, "Granted {WorkerId} {Name} (score {Score:0.00}, margin {Margin:0.00}): {Door}, {Record}; {WalkUpMs:0} ms after the walk-up began")]
    private static partial void LogGranted(ILogger logger, string workerId, string name, float score, float margin, string door, string record, double walkUpMs);

    [LoggerMessage(3, LogLevel.Information, "Refused ({Reason}, {WorkerId}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string reason, string workerId, string detail);

    [LoggerMessage(4, LogLevel.Error, "Access loop: a frame could not be processed ({Count} so far); the loop goes on")]
    private static partial void LogFrameFailed(ILogger logger, Exception failure, long count);

    [LoggerMessage(5, LogLevel.Information, "Access loop stopped: {Frames} frames in {Seconds:0.0} s ({Fps:0.0} per second), {Grants} grants, {Refusals} refusals")]
    private static partial void LogStopped(ILogger logger, long frames, double seconds, double fps, long grants, long refusals);
}
