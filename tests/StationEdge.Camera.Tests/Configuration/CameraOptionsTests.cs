using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StationEdge.Camera.Tests.Configuration;

public sealed class CameraOptionsTests
{
    private static CameraOptions Valid() => new() { Source = "lavfi:testsrc=size=640x480:rate=15" };

    private static List<string> Failures(CameraOptions options) =>
        new CameraOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    private static OptionsValidationException LoadFails(params (string Key, string Value)[] values) =>
        Assert.Throws<OptionsValidationException>(() => CameraSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))
            .Build()));

    [Fact]
    public void Defaults_WithALavfiSource_AreValid()
    {
        Assert.Empty(Failures(Valid()));
    }

    [Theory]
    [InlineData(nameof(CameraOptions.Fps), 0, "Camera:Fps must be between 1 and 60 (was 0)")]
    [InlineData(nameof(CameraOptions.Fps), 61, "Camera:Fps must be between 1 and 60 (was 61)")]
    [InlineData(nameof(CameraOptions.Width), 641, "Camera:Width must be an even number between 16 and 4096 (was 641)")]
    [InlineData(nameof(CameraOptions.Height), 8, "Camera:Height must be an even number between 16 and 4096 (was 8)")]
    [InlineData(nameof(CameraOptions.StallMs), 10, "Camera:StallMs must be between 200 and 120000 (was 10)")]
    [InlineData(nameof(CameraOptions.RestartMaxMs), 100, "Camera:RestartMaxMs must be at least Camera:RestartMinMs (500) (was 100)")]
    public void Validate_OutOfRange_NamesTheKey(string key, int value, string message)
    {
        var options = Valid();
        typeof(CameraOptions).GetProperty(key)!.SetValue(options, value);
        Assert.Equal([message], Failures(options));
    }

    [Fact]
    public void Validate_PhotoSecondsOfZero_NamesTheKey()
    {
        var options = Valid();
        options.PhotoSeconds = 0;
        Assert.Equal(["Camera:PhotoSeconds must be between 0.1 and 3600 (was 0)"], Failures(options));
    }

    [Fact]
    public void Validate_FfmpegNotInstalled_SaysHowToInstallIt()
    {
        var options = Valid();
        options.FfmpegPath = "ffmpeg-that-is-not-there";
        Assert.Equal(["Camera:FfmpegPath 'ffmpeg-that-is-not-there' was not found on PATH (apt-get install ffmpeg)"], Failures(options));
    }

    [Fact]
    public void Validate_RpicamWithoutRpicamVid_IsRefusedAtStart()
    {
        var options = Valid();
        options.Source = "rpicam";
        options.RpicamPath = "/nonexistent/rpicam-vid";
        Assert.Equal(["Camera:RpicamPath '/nonexistent/rpicam-vid' is not an executable file"], Failures(options));
    }

    [Fact]
    public void Load_UnknownKey_IsRefusedWithItsFullKey()
    {
        var e = LoadFails(("Camera:Source", "lavfi:testsrc"), ("Camera:Fsp", "15"));
        Assert.StartsWith("Camera:Fsp is not a known key (known: Source, Width, Height, Fps,", Assert.Single(e.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Camera:Fps", "fast", "Camera:Fps must be a whole number (was 'fast')")]
    [InlineData("Camera:Loop", "yes", "Camera:Loop must be true or false (was 'yes')")]
    [InlineData("Camera:PhotoSeconds", "two", "Camera:PhotoSeconds must be a number (was 'two')")]
    [InlineData("Camera:InputFormat", "h264", "Camera:InputFormat must be one of Auto, Mjpeg, Yuyv (was 'h264')")]
    public void Load_WrongType_NamesTheKeyAndValue(string key, string value, string message)
    {
        Assert.Equal([message], LoadFails(("Camera:Source", "lavfi:testsrc"), (key, value)).Failures);
    }

    [Fact]
    public void Load_MissingSourceFile_FailsStartWithOneLine()
    {
        var e = LoadFails(("Camera:Source", "/nonexistent/walkup.mp4"));
        Assert.Equal(["Camera:Source '/nonexistent/walkup.mp4': no such file or folder"], e.Failures);
    }

    [Fact]
    public void Load_BindsEveryKeyCaseInsensitively()
    {
        var options = CameraSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["camera:source"] = "lavfi:testsrc",
            ["Camera:WIDTH"] = "320",
            ["Camera:Height"] = "240",
            ["Camera:Fps"] = "5",
            ["Camera:InputFormat"] = "yuyv",
            ["Camera:Loop"] = "true",
            ["Camera:PhotoSeconds"] = "1.5",
        }).Build());
        Assert.Equal((320, 240, 5, CameraInputFormat.Yuyv, true, 1.5), (options.Width, options.Height, options.Fps, options.InputFormat, options.Loop, options.PhotoSeconds));
    }
}
