using StationEdge.Camera.Tests.Support;

namespace StationEdge.Camera.Tests.Capture;

/// <summary>
/// The rpicam path without a Raspberry Pi: a stand-in rpicam-vid that takes the real command line and writes raw
/// YUV420 frames (made by ffmpeg) to stdout, the way rpicam-vid --codec yuv420 -o - does.
/// </summary>
public sealed class RpicamPipeTests
{
    private static CameraOptions FakeRpicam(TempFolder folder)
    {
        var script = folder.File("rpicam-vid");
        File.WriteAllText(script, $$"""
            #!/bin/sh
            echo "$@" > '{{folder.File("args")}}'
            while [ $# -gt 0 ]; do
              case "$1" in --width) w=$2; shift ;; --height) h=$2; shift ;; --framerate) f=$2; shift ;; esac
              shift
            done
            echo "fake rpicam-vid streaming ${w}x${h}" >&2
            exec ffmpeg -hide_banner -nostdin -loglevel error -re -f lavfi -i "color=c=blue:size=${w}x${h}:rate=$f" -pix_fmt yuv420p -f rawvideo -
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return new CameraOptions { Source = "rpicam", RpicamPath = script, Width = 64, Height = 48, Fps = 10, RestartMinMs = 100 };
    }

    [Fact]
    public async Task Rpicam_FramesComeThroughFfmpegAsRgb24()
    {
        using var folder = new TempFolder();
        await using var camera = await RunningCamera.StartAsync(FakeRpicam(folder));
        using var frame = await camera.ReadAsync();

        Assert.Equal((64, 48), (frame.Width, frame.Height));
        var (r, g, b) = Media.Pixel(frame, 32, 24);
        Assert.True(b > 200 && r < 40 && g < 40, $"expected blue, got ({r},{g},{b})");
        Assert.Equal("--nopreview --width 64 --height 48 --framerate 10 --codec yuv420 --flush -t 0 -o -", File.ReadAllText(folder.File("args")).Trim());
    }

    [Fact]
    public async Task RpicamKilled_IsLostWithRpicamNamed_AndBothChildrenAreRestarted()
    {
        using var folder = new TempFolder();
        await using var camera = await RunningCamera.StartAsync(FakeRpicam(folder));
        (await camera.ReadAsync()).Dispose();
        var ffmpeg = await camera.FfmpegPidAsync();
        var rpicam = Assert.Single(ChildProcesses.Named("ffmpeg"), pid => pid != ffmpeg);

        ChildProcesses.Signal(rpicam, ChildProcesses.SigKill);

        var lost = await camera.NextEventAsync<CameraLost>();
        Assert.Equal((CameraLossReason.Exited, 137), (lost.Reason, lost.ExitCode));
        Assert.Equal("rpicam-vid was killed by signal 9 (exit code 137): rpicam-vid: fake rpicam-vid streaming 64x48", lost.Detail);
        await camera.NextEventAsync<CameraBack>();
        (await camera.ReadAsync()).Dispose();
        Assert.Null(ChildProcesses.State(rpicam));
        Assert.Null(ChildProcesses.State(ffmpeg));
    }
}
