using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Camera;

namespace StationEdge.Passes;

/// <summary>What happens to a pass decided at the door: the default opens the door and records the visit (<see cref="DoorPassSink"/>).</summary>
public interface IPassDecisionSink
{
    Task HandleAsync(PassCheck check, CancellationToken ct);
}

/// <summary>
/// Searches the door camera's frames for passes on a loop of its own, at most one frame per
/// <c>Passes:ScanIntervalMs</c>. It takes frames with <see cref="FrameSource.WaitForNewerAsync"/> — leases on the buffers
/// the access loop already has, which take nothing from its <see cref="FrameSource.ReadNextAsync"/> — and holds each
/// only while it is averaged down, so the face path neither waits for it nor loses frames to it.
/// </summary>
public sealed partial class PassWatcher(
    FrameSource camera, PassBook book, IPassDecisionSink sink, IOptions<PassOptions> options, TimeProvider time, ILogger<PassWatcher> logger) : BackgroundService
{
    private readonly PassOptions _options = options.Value;

    /// <summary>Frames searched so far (a health figure).</summary>
    public long FramesSearched => Interlocked.Read(ref _searched);

    private long _searched;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var reader = new PassReader(_options.MaxWidth);
        var doorway = new PassDoorway(book, time, TimeSpan.FromMilliseconds(_options.RearmMs));
        var interval = TimeSpan.FromMilliseconds(_options.ScanIntervalMs);
        long sequence = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var started = time.GetTimestamp();
                string? text;
                using (var frame = await camera.WaitForNewerAsync(sequence, stoppingToken))
                {
                    if (frame is null)
                    {
                        // Stopped or lost: look again later (the camera comes back by itself).
                        await Task.Delay(interval * 4, time, stoppingToken);
                        continue;
                    }

                    sequence = frame.Sequence;
                    text = reader.Read(frame.Pixels, frame.Width, frame.Height);
                }

                Interlocked.Increment(ref _searched);
                if (doorway.Observe(text) is { } check)
                {
                    try
                    {
                        await sink.HandleAsync(check, stoppingToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // One pass that cannot be recorded must not end the door's pass reading.
                        LogSinkFailed(logger, e, check.Reason);
                    }
                }

                var rest = interval - time.GetElapsedTime(started);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }
    }

    [LoggerMessage(1, LogLevel.Error, "A pass decision ({Reason}) could not be handled")]
    private static partial void LogSinkFailed(ILogger logger, Exception failure, string reason);
}
