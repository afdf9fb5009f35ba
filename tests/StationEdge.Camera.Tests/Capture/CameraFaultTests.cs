using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StationEdge.Camera.Tests.Support;

namespace StationEdge.Camera.Tests.Capture;

public sealed class CameraFaultTests
{
    private static CameraOptions Counting(int stallMs = 5000)
    {
        var options = RunningCamera.Lavfi(Media.CountingGraph(64, 48, 10, 10), 64, 48, 10);
        options.StallMs = stallMs;
        options.RestartMinMs = 100;
        return options;
    }

    [Fact]
    public async Task FfmpegKilled_RaisesCameraLostThenCameraBack_AndFramesResume()
    {
        await using var camera = await RunningCamera.StartAsync(Counting());
        using var before = await camera.ReadAsync();
        var pid = await camera.FfmpegPidAsync();

        ChildProcesses.Signal(pid, ChildProcesses.SigKill);

        var lost = await camera.NextEventAsync<CameraLost>();
        Assert.Equal((CameraLossReason.Exited, 137), (lost.Reason, lost.ExitCode));
        Assert.Contains("ffmpeg was killed by signal 9", lost.Detail, StringComparison.Ordinal);
        var back = await camera.NextEventAsync<CameraBack>();
        Assert.Equal(1, back.Restarts);
        using var after = await camera.ReadAsync();
        Assert.True(after.Sequence > before.Sequence);
        Assert.NotEqual(pid, camera.Source.Health.ProcessId);
        Assert.Equal(1, camera.Source.Health.Restarts);
        Assert.Null(ChildProcesses.State(pid));
    }

    [Fact]
    public async Task FfmpegStopped_IsLostByStall_KilledAndStartedAgain()
    {
        await using var camera = await RunningCamera.StartAsync(Counting(stallMs: 1000));
        (await camera.ReadAsync()).Dispose();
        var pid = await camera.FfmpegPidAsync();

        // SIGSTOP: the process is alive, its pipe open, but no frame comes: a frozen stream.
        ChildProcesses.Signal(pid, ChildProcesses.SigStop);

        var lost = await camera.NextEventAsync<CameraLost>();
        Assert.Equal((CameraLossReason.Stalled, null, "no frame for 1000 ms"), (lost.Reason, lost.ExitCode, lost.Detail));
        Assert.Null(camera.Source.TryGetLatest());
        await camera.NextEventAsync<CameraBack>();
        (await camera.ReadAsync()).Dispose();
        Assert.Null(ChildProcesses.State(pid));
    }

    [Fact]
    public async Task FailingFfmpeg_IsLostOnce_WithItsExitCodeAndLastStderrLine_AndRetriedWithBackoff()
    {
        using var folder = new TempFolder();
        var fake = folder.File("ffmpeg");
        File.WriteAllText(fake, "#!/bin/sh\necho 'first complaint' >&2\necho '/dev/video7: No such device' >&2\nexit 3\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var options = Counting();
        options.FfmpegPath = fake;
        await using var camera = await RunningCamera.StartAsync(options);

        var lost = await camera.NextEventAsync<CameraLost>();
        Assert.Equal((CameraLossReason.Exited, 3, "ffmpeg exited with code 3: /dev/video7: No such device"), (lost.Reason, lost.ExitCode, lost.Detail));

        // Retries go on (100, 200, 400 ms …) without a second camera_lost.
        var clock = Stopwatch.StartNew();
        while (camera.Source.Health.Restarts < 3 && clock.Elapsed < RunningCamera.Patience)
        {
            await Task.Delay(50);
        }

        Assert.True(camera.Source.Health.Restarts >= 3);
        Assert.Equal(CameraState.Lost, camera.Source.Health.State);
        Assert.Equal(lost.Detail, camera.Source.Health.LastProblem);
        await camera.StopAsync();
        Assert.DoesNotContain(await ReadAllAsync(camera.Source), e => e is CameraLost);
    }

    [Fact]
    public async Task RtspCameraThatNeverAnswers_IsLostByFfmpegsOwnTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var options = new CameraOptions { Source = $"rtsp://user:secret@127.0.0.1:{port}/cam", Width = 64, Height = 48, StallMs = 1000, StartTimeoutMs = 60000 };
        await using var camera = await RunningCamera.StartAsync(options);

        var lost = await camera.NextEventAsync<CameraLost>();
        Assert.Equal(CameraLossReason.Exited, lost.Reason);
        Assert.StartsWith("ffmpeg exited with code", lost.Detail, StringComparison.Ordinal);
        Assert.Equal($"rtsp://***@127.0.0.1:{port}/cam", camera.Source.Health.Source);
        Assert.DoesNotContain(camera.Logger.Entries, e => e.Message.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stop_DuringStartUp_EndsPromptlyWithNoFfmpegLeft()
    {
        // An RTSP camera that accepts the connection and says nothing: ffmpeg is stuck in its handshake.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var camera = await RunningCamera.StartAsync(new CameraOptions { Source = $"rtsp://127.0.0.1:{port}/cam", Width = 64, Height = 48, StallMs = 60000 });
        await using (camera)
        {
            using var accepted = await silent.AcceptTcpClientAsync(new CancellationTokenSource(RunningCamera.Patience).Token);
            var pid = await camera.FfmpegPidAsync();
            Assert.Equal(CameraState.Starting, camera.Source.Health.State);

            await camera.StopAsync(TimeSpan.FromSeconds(10));

            Assert.Null(ChildProcesses.State(pid));
            Assert.Equal(CameraState.Stopped, camera.Source.Health.State);
            Assert.Null(await camera.ReadOrEndAsync());
        }
    }

    [Fact]
    public async Task Stop_DuringAStall_EndsPromptlyWithNoFfmpegLeft()
    {
        var camera = await RunningCamera.StartAsync(Counting(stallMs: 60000));
        await using (camera)
        {
            (await camera.ReadAsync()).Dispose();
            var pid = await camera.FfmpegPidAsync();
            ChildProcesses.Signal(pid, ChildProcesses.SigStop);
            await Task.Delay(300);
            Assert.Equal('T', ChildProcesses.State(pid));

            await camera.StopAsync(TimeSpan.FromSeconds(10));

            Assert.Null(ChildProcesses.State(pid));
        }
    }

    private static async Task<List<CameraEvent>> ReadAllAsync(FrameSource source)
    {
        var events = new List<CameraEvent>();
        using var timeout = new CancellationTokenSource(RunningCamera.Patience);
        await foreach (var e in source.Events.ReadAllAsync(timeout.Token))
        {
            events.Add(e);
        }

        return events;
    }
}
