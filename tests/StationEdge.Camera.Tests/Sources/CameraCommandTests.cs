namespace StationEdge.Camera.Tests.Sources;

public sealed class CameraCommandTests
{
    private static CameraCommand For(string source, Action<CameraOptions>? configure = null)
    {
        var options = new CameraOptions { Source = source };
        configure?.Invoke(options);
        Assert.True(CameraSource.TryParse(source, out var parsed, out var error), error);
        return CameraCommand.For(parsed!, options);
    }

    private static string Line(CameraCommand command) => string.Join(' ', command.FfmpegArguments);

    [Theory]
    [InlineData(CameraInputFormat.Mjpeg, "-f v4l2 -input_format mjpeg -video_size 640x480 -framerate 15 -i /dev/video0 ")]
    [InlineData(CameraInputFormat.Yuyv, "-f v4l2 -input_format yuyv422 -video_size 640x480 -framerate 15 -i /dev/video0 ")]
    [InlineData(CameraInputFormat.Auto, "-f v4l2 -video_size 640x480 -framerate 15 -i /dev/video0 ")]
    public void Device_AsksTheDriverForTheFormatSizeAndRate(CameraInputFormat format, string input)
    {
        Assert.Contains(input, Line(For("/dev/video0", o => o.InputFormat = format)), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryCommand_WritesRawRgb24FramesOfTheConfiguredSizeToStdout()
    {
        var line = Line(For("/dev/video0", o => (o.Width, o.Height, o.Fps) = (320, 240, 8)));
        Assert.StartsWith("-hide_banner -nostdin -nostats -loglevel error ", line, StringComparison.Ordinal);
        Assert.EndsWith(
            "-an -sn -dn -vf fps=8,scale=320:240:force_original_aspect_ratio=decrease:flags=bilinear,pad=320:240:(ow-iw)/2:(oh-ih)/2,setsar=1,format=rgb24 "
            + "-fps_mode passthrough -pix_fmt rgb24 -f rawvideo -flush_packets 1 pipe:1",
            line,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Rtsp_UsesTcpAndASocketTimeoutOfStallMs()
    {
        Assert.Contains(
            "-rtsp_transport tcp -timeout 3000000 -fflags nobuffer -flags low_delay -i rtsp://cam/1 ",
            Line(For("rtsp://cam/1", o => o.StallMs = 3000)),
            StringComparison.Ordinal);
    }

    [Fact]
    public void VideoFile_PlaysAtItsOwnRate_AndLoopsOnlyWhenAsked()
    {
        var file = typeof(CameraCommandTests).Assembly.Location;
        Assert.Contains($"-re -i {file} ", Line(For(file)), StringComparison.Ordinal);
        Assert.Contains($"-re -stream_loop -1 -i {file} ", Line(For(file, o => o.Loop = true)), StringComparison.Ordinal);
    }

    [Fact]
    public void Lavfi_PlaysAtItsOwnRate()
    {
        Assert.Contains("-re -f lavfi -i testsrc=size=640x480:rate=15 ", Line(For("lavfi:testsrc=size=640x480:rate=15")), StringComparison.Ordinal);
    }

    [Fact]
    public void Rpicam_PipesRawYuv420FromRpicamVidIntoFfmpeg()
    {
        var command = For("rpicam", o => (o.Width, o.Height, o.Fps, o.RpicamPath) = (1280, 720, 30, "/usr/bin/rpicam-vid"));
        Assert.Equal("/usr/bin/rpicam-vid", command.RpicamPath);
        Assert.Equal(
            "--nopreview --width 1280 --height 720 --framerate 30 --codec yuv420 --flush -t 0 -o -",
            string.Join(' ', command.RpicamArguments));
        Assert.Contains("-f rawvideo -pix_fmt yuv420p -video_size 1280x720 -framerate 30 -i pipe:0 ", Line(command), StringComparison.Ordinal);
        Assert.StartsWith("/usr/bin/rpicam-vid --nopreview", command.ToString(), StringComparison.Ordinal);
        Assert.Contains(" | ffmpeg -hide_banner", command.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NonRpicamSources_StartNoSecondProcess()
    {
        Assert.Null(For("/dev/video0").RpicamPath);
        Assert.Empty(For("/dev/video0").RpicamArguments);
    }

    [Theory]
    [InlineData("/photos/a.jpg", "/photos/a.jpg")]
    [InlineData("/p/it's, [x]; y:z.jpg", @"/p/it\\\'s\, \[x\]\; y\\:z.jpg")]
    [InlineData(@"/p/back\slash.jpg", @"/p/back\\\\slash.jpg")]
    public void FilterValues_AreEscapedForTheOptionAndTheGraphParser(string value, string escaped)
    {
        Assert.Equal(escaped, CameraCommand.EscapeFilterValue(value));
    }
}
