using System.Drawing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StationEdge.Camera;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Imaging;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// <see cref="ICameraPreview"/> on the daemon's <see cref="FrameSource"/>. One loop makes pictures for every viewer —
/// at most <see cref="MaxFps"/> a second, only while someone asked within the last few seconds — from leases taken with
/// <see cref="FrameSource.WaitForNewerAsync"/> (the access loop's <see cref="FrameSource.ReadNextAsync"/> loses nothing)
/// and held only while the frame is copied. The face box and its quality code come from the site's own detector.
/// </summary>
public sealed partial class PreviewHub : ICameraPreview, IDisposable
{
    public const int MaxFps = 5;
    public const int PreviewWidth = 480;
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly FrameSource _camera;
    private readonly SiteVision _vision;
    private readonly TimeProvider _time;
    private readonly ILogger<PreviewHub> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource<PreviewFrame?> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PreviewFrame? _latest;
    private long _lastDemand;
    private Task? _loop;
    private bool _detectorFailed;

    public PreviewHub(FrameSource camera, SiteVision vision, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<PreviewHub> logger)
    {
        _camera = camera;
        _vision = vision;
        _time = time;
        _logger = logger;
        lifetime.ApplicationStopping.Register(_stopping.Cancel);
    }

    public CameraHealth? Health => _camera.Health;

    public PreviewFrame? Latest
    {
        get
        {
            var latest = Volatile.Read(ref _latest);
            return latest is not null && _time.GetUtcNow() - latest.At < Fresh ? latest : null;
        }
    }

    public async Task<PreviewFrame?> NextAsync(long afterSequence, CancellationToken ct)
    {
        Task<PreviewFrame?> next;
        lock (_gate)
        {
            _lastDemand = _time.GetTimestamp();
            if (_loop is null || _loop.IsCompleted)
            {
                _loop = Task.Run(RunAsync, CancellationToken.None);
            }

            if (_latest is { } latest && latest.Sequence > afterSequence && _time.GetUtcNow() - latest.At < Fresh)
            {
                return latest;
            }

            next = _next.Task;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        try
        {
            return await next.WaitAsync(Fresh, _time, linked.Token);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var ct = _stopping.Token;
        long sequence = 0;
        var interval = TimeSpan.FromSeconds(1.0 / MaxFps);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                lock (_gate)
                {
                    if (_time.GetElapsedTime(_lastDemand) > Idle)
                    {
                        _loop = null;
                        return;
                    }
                }

                var started = _time.GetTimestamp();
                RgbImage? image = null;
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    timeout.CancelAfter(Fresh);
                    try
                    {
                        using var frame = await _camera.WaitForNewerAsync(sequence, timeout.Token);
                        if (frame is not null)
                        {
                            sequence = frame.Sequence;
                            image = RgbImage.FromRgb24(frame.Pixels, frame.Width, frame.Height);
                        }
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        // No frame within the wait: the camera is lost; viewers are told by a null picture.
                    }
                }

                if (image is null)
                {
                    Publish(null);
                    await Task.Delay(interval, _time, ct);
                    continue;
                }

                using (image)
                {
                    Publish(Render(image, sequence));
                }

                var rest = interval - _time.GetElapsedTime(started);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, _time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Host stop.
        }
        catch (Exception e)
        {
            LogPreviewFailed(_logger, e);
            lock (_gate)
            {
                _loop = null;
            }
        }
    }

    private PreviewFrame Render(RgbImage image, long sequence)
    {
        string? problem = null;
        RectangleF? box = null;
        if (!_detectorFailed)
        {
            try
            {
                var faces = _vision.Pipeline.Detect(image);
                if (FaceCheck.Main(faces) is { } face)
                {
                    box = face.Box;
                    // The preview only wants the problem: the cheap keypoint alignment serves.
                    problem = FaceCheck.Problem(image, face, FaceAlignment.Keypoints, out var aligned);
                    aligned?.Dispose();
                    if (problem is null && faces.Count > 1)
                    {
                        problem = "several_faces";
                    }
                }
                else
                {
                    problem = "no_face";
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Without models the preview still shows the camera, without boxes.
                _detectorFailed = true;
                LogDetectorFailed(_logger, e);
            }
        }

        var scale = Math.Min(1.0, (double)PreviewWidth / image.Width);
        int w = Math.Max(16, (int)(image.Width * scale)), h = Math.Max(16, (int)(image.Height * scale));
        using var small = scale < 1 ? ImageOps.ResizeBilinear(image, w, h) : image.Clone();
        if (box is { } b)
        {
            var scaled = new RectangleF((float)(b.X * scale), (float)(b.Y * scale), (float)(b.Width * scale), (float)(b.Height * scale));
            FaceCheck.DrawBox(small, scaled, problem is null ? ((byte)40, (byte)200, (byte)80) : ((byte)250, (byte)160, (byte)20));
        }

        return new PreviewFrame(sequence, JpegEncoder.Encode(small.Pixels, small.Width, small.Height, 70), problem, box is not null, _time.GetUtcNow());
    }

    private void Publish(PreviewFrame? frame)
    {
        TaskCompletionSource<PreviewFrame?> done;
        lock (_gate)
        {
            if (frame is not null)
            {
                _latest = frame;
            }

            done = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult(frame);
    }

    [LoggerMessage(1, LogLevel.Warning, "The keeper site's face detector could not run; the preview shows the camera without face boxes")]
    private static partial void LogDetectorFailed(ILogger logger, Exception failure);

    [LoggerMessage(2, LogLevel.Error, "The camera preview stopped")]
    private static partial void LogPreviewFailed(ILogger logger, Exception failure);
}
