using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace StationEdge.Camera.Tests.Support;

/// <summary>
/// A started <see cref="FrameSource"/> on real ffmpeg. Disposing stops it (bounded: a hang fails the test) and checks
/// that no ffmpeg child is left and that nothing was logged as an error.
/// </summary>
internal sealed class RunningCamera : IAsyncDisposable
{
    /// <summary>How long a test waits for anything before calling it a hang; generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<CameraEvent> _seen = [];
    private bool _stopped;

    private RunningCamera(FrameSource source, ListLogger<FrameSource> logger)
    {
        Source = source;
        Logger = logger;
    }

    public FrameSource Source { get; }

    public ListLogger<FrameSource> Logger { get; }

    /// <summary>Events read so far, in order.</summary>
    public IReadOnlyList<CameraEvent> Seen => _seen;

    public static async Task<RunningCamera> StartAsync(CameraOptions options)
    {
        var logger = new ListLogger<FrameSource>();
        var source = new FrameSource(Options.Create(options), logger, TimeProvider.System);
        await source.StartAsync(CancellationToken.None);
        return new RunningCamera(source, logger);
    }

    public static CameraOptions Lavfi(string graph, int width = 160, int height = 120, int fps = 10) => new()
    {
        Source = "lavfi:" + graph,
        Width = width,
        Height = height,
        Fps = fps,
    };

    /// <summary>The access loop's read, failing the test if no frame comes within <see cref="Patience"/>.</summary>
    public async Task<CameraFrame> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        var frame = await Source.ReadNextAsync(timeout.Token);
        Assert.NotNull(frame);
        return frame;
    }

    /// <summary>The access loop's read until the source ends (null), failing the test on a wait longer than <see cref="Patience"/>.</summary>
    public async Task<CameraFrame?> ReadOrEndAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await Source.ReadNextAsync(timeout.Token);
    }

    /// <summary>The next event of type <typeparamref name="T"/>; other events before it are kept in <see cref="Seen"/>.</summary>
    public async Task<T> NextEventAsync<T>()
        where T : CameraEvent
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var e = await Source.Events.ReadAsync(timeout.Token);
            _seen.Add(e);
            if (e is T wanted)
            {
                return wanted;
            }
        }
    }

    /// <summary>ffmpeg's pid once it has started (waits for the service to start it).</summary>
    public async Task<int> FfmpegPidAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (Source.Health.ProcessId is { } pid)
            {
                return pid;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("ffmpeg was not started within " + Patience);
    }

    /// <summary>Stops the service, failing on a stop that takes longer than <paramref name="limit"/>; returns how long it took.</summary>
    public async Task<TimeSpan> StopAsync(TimeSpan? limit = null)
    {
        _stopped = true;
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(limit ?? Patience);
        await Source.StopAsync(timeout.Token).WaitAsync(limit ?? Patience);
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        Source.Dispose();
        Assert.Empty(ChildProcesses.Named("ffmpeg"));
        Logger.AssertNoErrors();
    }
}
