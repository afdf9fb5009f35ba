using System.Diagnostics;

namespace StationEdge.Camera.Tests.Sources;

public sealed class CameraSourceTests
{
    private static string Refused(string? text)
    {
        Assert.False(CameraSource.TryParse(text, out var source, out var error));
        Assert.Null(source);
        Assert.DoesNotContain('\n', error!);
        return error!;
    }

    private static CameraSource Parsed(string text)
    {
        Assert.True(CameraSource.TryParse(text, out var source, out var error), error);
        return source!;
    }

    [Theory]
    [InlineData("lavfi:testsrc=size=640x480:rate=15", CameraSourceKind.Lavfi, "testsrc=size=640x480:rate=15")]
    [InlineData("rtsp://10.0.0.5:554/stream1", CameraSourceKind.Rtsp, "rtsp://10.0.0.5:554/stream1")]
    [InlineData("rpicam", CameraSourceKind.Rpicam, "rpicam")]
    [InlineData("/dev/video0", CameraSourceKind.Device, "/dev/video0")]
    public void Parse_RecognisesEachKind(string text, CameraSourceKind kind, string location)
    {
        var source = Parsed(text);
        Assert.Equal((kind, location), (source.Kind, source.Location));
    }

    [Fact]
    public void Display_HidesTheRtspPassword()
    {
        var source = Parsed("rtsp://admin:p%40ss@cam.local:554/h264");
        Assert.Equal("rtsp://***@cam.local:554/h264", source.Display);
        Assert.Equal("failed to open rtsp://***@cam.local:554/h264", source.Redact("failed to open rtsp://admin:p%40ss@cam.local:554/h264"));
    }

    [Fact]
    public void Parse_MissingFile_IsRefusedNamingTheKey()
    {
        Assert.Equal("Camera:Source '/nonexistent/walkup.mp4': no such file or folder", Refused("/nonexistent/walkup.mp4"));
    }

    [Fact]
    public void Parse_Fifo_IsRefusedBecauseFfmpegWouldWaitForAWriterForEver()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("stream.mp4");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
        }

        Assert.Equal($"Camera:Source '{fifo}' is a FIFO, not a video file or a folder of photos", Refused(fifo));
    }

    [Fact]
    public void Parse_FolderWithoutPhotos_IsRefused()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("readme.txt"), "no photos here");
        Assert.StartsWith($"Camera:Source '{folder.Path}' is a folder with no photos (.jpg, .jpeg,", Refused(folder.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Folder_ListsPhotosInNameOrder()
    {
        using var folder = new TempFolder();
        foreach (var name in new[] { "b.png", "a.JPG", "c.txt", "10.jpg", "2.jpg" })
        {
            File.WriteAllBytes(folder.File(name), [1]);
        }

        var source = Parsed(folder.Path);
        Assert.Equal(CameraSourceKind.PhotoFolder, source.Kind);
        Assert.Equal(["10.jpg", "2.jpg", "a.JPG", "b.png"], source.Photos.Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("", "Camera:Source is required")]
    [InlineData("lavfi:", "Camera:Source 'lavfi:' needs a filter graph")]
    [InlineData("http://cam.local/mjpeg", "Camera:Source 'http://…' is not supported")]
    [InlineData("/dev/vidoe0", "Camera:Source '/dev/vidoe0' does not exist, and a camera that may be plugged in later is /dev/videoN")]
    public void Parse_BadSources_AreRefusedNamingTheKey(string text, string start)
    {
        Assert.StartsWith(start, Refused(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyFile_IsRefused()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.File("empty.mp4"), []);
        Assert.Equal($"Camera:Source '{folder.File("empty.mp4")}' is an empty file, not a video", Refused(folder.File("empty.mp4")));
    }

    [Fact]
    public void Parse_FolderUnderDev_IsNotAVideoDevice()
    {
        Assert.Equal("Camera:Source '/dev/shm' is a directory, not a v4l2 video device", Refused("/dev/shm"));
    }

    [Fact]
    public void Parse_AbsentVideoDevice_IsAcceptedBecauseAUsbCameraMayBePluggedInLater()
    {
        Assert.Equal(CameraSourceKind.Device, Parsed("/dev/video9").Kind);
    }
}
