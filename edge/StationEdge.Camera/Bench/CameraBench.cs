using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace StationEdge.Camera;

/// <summary>
/// What a camera costs and how fresh its frames are, on this machine. <see cref="FfmpegCpuShare"/> and
/// <see cref="ReaderCpuShare"/> are fractions of one core (ffmpeg's process; the reader thread alone);
/// <see cref="ProcessCpuShare"/> is this whole process while it only consumed frames. <see cref="Handoff"/> is from a
/// frame's last byte read to the consumer holding it; <see cref="Transfer"/> from its first byte to its last on the pipe.
/// </summary>
public sealed record CameraBenchResult(
    string Source,
    int Width,
    int Height,
    double Seconds,
    long Frames,
    double FramesPerSecond,
    long Dropped,
    double FfmpegCpuShare,
    double ReaderCpuShare,
    double ProcessCpuShare,
    TimeSpan HandoffMedian,
    TimeSpan HandoffP95,
    TimeSpan Transfer)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"camera {Source} {Width}x{Height}: {FramesPerSecond:0.0} fps over {Seconds:0} s, {Dropped} dropped; "
        + $"cpu ffmpeg {FfmpegCpuShare * 100:0.0}% reader {ReaderCpuShare * 100:0.00}% process {ProcessCpuShare * 100:0.0}% of one core; "
        + $"pipe first→last byte {Transfer.TotalMilliseconds:0.00} ms, last byte→consumer median {HandoffMedian.TotalMilliseconds:0.000} ms p95 {HandoffP95.TotalMilliseconds:0.000} ms");
}

public static class CameraBench
{
    private const string ReaderThreadPrefix = "camera-reader";

    /// <summary>Runs <paramref name="options"/>' camera for <paramref name="duration"/> (after a 2 s warm-up) with a consumer that takes every frame.</summary>
    public static async Task<CameraBenchResult> RunAsync(CameraOptions options, TimeSpan duration, CancellationToken ct)
    {
        using var camera = new FrameSource(Options.Create(options), NullLogger<FrameSource>.Instance, TimeProvider.System);
        await camera.StartAsync(ct);
        try
        {
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
            {
                (await camera.ReadNextAsync(ct))?.Dispose();
            }

            var pid = camera.Health.ProcessId ?? throw new InvalidOperationException("the camera did not start");
            var ffmpeg0 = ProcCpu($"/proc/{pid}/stat");
            var reader0 = ReaderCpu();
            var process0 = Process.GetCurrentProcess().TotalProcessorTime;
            var frames0 = camera.Health.FramesReceived;
            var dropped0 = camera.Health.FramesDropped;
            var handoffs = new List<double>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                using var frame = await camera.ReadNextAsync(ct);
                if (frame is null)
                {
                    break;
                }

                handoffs.Add(TimeProvider.System.GetElapsedTime(frame.Timestamp).TotalMilliseconds);
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var health = camera.Health;
            handoffs.Sort();
            return new CameraBenchResult(
                camera.Source.Display,
                options.Width,
                options.Height,
                seconds,
                health.FramesReceived - frames0,
                (health.FramesReceived - frames0) / seconds,
                health.FramesDropped - dropped0,
                (ProcCpu($"/proc/{pid}/stat") - ffmpeg0).TotalSeconds / seconds,
                (ReaderCpu() - reader0).TotalSeconds / seconds,
                (Process.GetCurrentProcess().TotalProcessorTime - process0).TotalSeconds / seconds,
                TimeSpan.FromMilliseconds(Percentile(handoffs, 0.5)),
                TimeSpan.FromMilliseconds(Percentile(handoffs, 0.95)),
                camera.MeanTransfer);
        }
        finally
        {
            await camera.StopAsync(CancellationToken.None);
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static TimeSpan ReaderCpu() => Directory.EnumerateDirectories("/proc/self/task")
        .Where(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith(ReaderThreadPrefix, StringComparison.Ordinal))
        .Select(task => ProcCpu(Path.Combine(task, "stat")))
        .Aggregate(TimeSpan.Zero, (a, b) => a + b);

    /// <summary>utime + stime from a /proc stat file (clock ticks of 1/100 s on Linux).</summary>
    private static TimeSpan ProcCpu(string statPath)
    {
        var text = File.ReadAllText(statPath);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
