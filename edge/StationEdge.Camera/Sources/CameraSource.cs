using StationEdge.Configuration;

namespace StationEdge.Camera;

public enum CameraSourceKind
{
    /// <summary>A v4l2 device: <c>/dev/videoN</c> or a link to one under <c>/dev/v4l/</c>.</summary>
    Device,

    /// <summary>An IP camera: <c>rtsp://</c> or <c>rtsps://</c>, over TCP.</summary>
    Rtsp,

    /// <summary>A video file, played at its own rate.</summary>
    VideoFile,

    /// <summary>A folder of photos, shown one after another in name order.</summary>
    PhotoFolder,

    /// <summary>An ffmpeg lavfi graph (<c>lavfi:testsrc=size=640x480:rate=15</c>), played at its own rate.</summary>
    Lavfi,

    /// <summary>A Raspberry Pi camera module through <c>rpicam-vid</c>.</summary>
    Rpicam,
}

/// <summary>
/// A parsed <c>Camera:Source</c>. Files and folders are checked when parsed, so a wrong path fails start-up with one line
/// instead of a camera that never comes up; a v4l2 device may be absent (a USB camera unplugged at boot comes back later).
/// </summary>
public sealed record CameraSource
{
    /// <summary>More photos than this in one folder is almost certainly the wrong folder.</summary>
    public const int MaxPhotos = 1000;

    private const string LavfiPrefix = "lavfi:";
    private const string SourceKey = "Camera:Source";
    private static readonly string[] PhotoExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".ppm"];

    private CameraSource(CameraSourceKind kind, string location, IReadOnlyList<string>? photos = null)
    {
        Kind = kind;
        Location = location;
        Photos = photos ?? [];
    }

    public CameraSourceKind Kind { get; }

    /// <summary>The device path, URL, file or folder path, or lavfi graph (without the <c>lavfi:</c> prefix).</summary>
    public string Location { get; }

    /// <summary>Photo folders: the photos' full paths in ordinal name order, as found when parsed.</summary>
    public IReadOnlyList<string> Photos { get; }

    /// <summary>A camera, as opposed to a recording or a generated picture: it never "ends".</summary>
    public bool IsLive => Kind is CameraSourceKind.Device or CameraSourceKind.Rtsp or CameraSourceKind.Rpicam;

    /// <summary>The source for logs and events: an RTSP URL loses its user name and password.</summary>
    public string Display => Redact(Kind == CameraSourceKind.Lavfi ? LavfiPrefix + Location : Location);

    /// <summary>
    /// <paramref name="text"/> (a command line, an ffmpeg message) without the RTSP URL's user name and password, so
    /// that logs, events and health pages never show a camera's credentials.
    /// </summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Kind != CameraSourceKind.Rtsp)
        {
            return text;
        }

        var start = Location.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = Location.IndexOf('/', start);
        var at = Location.LastIndexOf('@', end < 0 ? Location.Length - 1 : end - 1);
        return at < start ? text : text.Replace(Location[start..at], "***", StringComparison.Ordinal);
    }

    /// <summary>Parses and checks <paramref name="text"/>; <paramref name="error"/> is a one-line reason naming <c>Camera:Source</c>.</summary>
    public static bool TryParse(string? text, out CameraSource? source, out string? error)
    {
        source = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"{SourceKey} is required: /dev/videoN, rtsp://…, a video file, a folder of photos, lavfi:GRAPH or rpicam";
            return false;
        }

        text = text.Trim();
        if (text.Equals("rpicam", StringComparison.OrdinalIgnoreCase))
        {
            source = new CameraSource(CameraSourceKind.Rpicam, "rpicam");
            return true;
        }

        if (text.StartsWith(LavfiPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var graph = text[LavfiPrefix.Length..].Trim();
            if (graph.Length == 0)
            {
                error = $"{SourceKey} 'lavfi:' needs a filter graph, e.g. lavfi:testsrc=size=640x480:rate=15";
                return false;
            }

            source = new CameraSource(CameraSourceKind.Lavfi, graph);
            return true;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            return TryParseUrl(text, out source, out error);
        }

        if (text.StartsWith("/dev/", StringComparison.Ordinal))
        {
            return TryParseDevice(text, out source, out error);
        }

        return TryParsePath(text, out source, out error);
    }

    private static bool TryParseUrl(string text, out CameraSource? source, out string? error)
    {
        source = null;
        error = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            error = $"{SourceKey} '{text}' is not a valid URL";
            return false;
        }

        if (uri.Scheme is not ("rtsp" or "rtsps"))
        {
            error = $"{SourceKey} '{uri.Scheme}://…' is not supported: IP cameras are read over rtsp:// or rtsps://";
            return false;
        }

        source = new CameraSource(CameraSourceKind.Rtsp, text);
        return true;
    }

    private static bool TryParseDevice(string path, out CameraSource? source, out string? error)
    {
        source = null;
        error = null;
        var kind = FileInspector.KindOf(path);
        if (kind == FileKind.Unknown && !IsVideoDeviceName(path))
        {
            error = $"{SourceKey} '{path}' does not exist, and a camera that may be plugged in later is /dev/videoN or under /dev/v4l/";
            return false;
        }

        if (kind is not (FileKind.Unknown or FileKind.CharacterDevice))
        {
            error = $"{SourceKey} '{path}' is {FileInspector.Describe(kind)}, not a v4l2 video device";
            return false;
        }

        source = new CameraSource(CameraSourceKind.Device, path);
        return true;
    }

    private static bool IsVideoDeviceName(string path) =>
        path.StartsWith("/dev/v4l/", StringComparison.Ordinal)
        || (path.StartsWith("/dev/video", StringComparison.Ordinal) && path.Length > 10 && path[10..].All(char.IsAsciiDigit));

    private static bool TryParsePath(string text, out CameraSource? source, out string? error)
    {
        source = null;
        error = null;
        var path = Path.GetFullPath(text);
        var kind = FileInspector.KindOf(path);
        switch (kind)
        {
            case FileKind.Regular:
                if (new FileInfo(path).Length == 0)
                {
                    error = $"{SourceKey} '{text}' is an empty file, not a video";
                    return false;
                }

                source = new CameraSource(CameraSourceKind.VideoFile, path);
                return true;
            case FileKind.Directory:
                return TryListPhotos(text, path, out source, out error);
            case FileKind.Unknown:
                error = $"{SourceKey} '{text}': no such file or folder";
                return false;
            default:
                // ffmpeg opening a FIFO with no writer blocks for ever; a device belongs under /dev/.
                error = $"{SourceKey} '{text}' is {FileInspector.Describe(kind)}, not a video file or a folder of photos";
                return false;
        }
    }

    private static bool TryListPhotos(string text, string folder, out CameraSource? source, out string? error)
    {
        source = null;
        error = null;
        string[] photos;
        try
        {
            photos = Directory.EnumerateFiles(folder)
                .Where(f => PhotoExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .Where(f => FileInspector.KindOf(f) == FileKind.Regular)
                .Order(StringComparer.Ordinal)
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{SourceKey} '{text}': cannot list the folder ({e.Message})";
            return false;
        }

        if (photos.Length == 0)
        {
            error = $"{SourceKey} '{text}' is a folder with no photos ({string.Join(", ", PhotoExtensions)})";
            return false;
        }

        if (photos.Length > MaxPhotos)
        {
            error = $"{SourceKey} '{text}' holds {photos.Length} photos, more than the {MaxPhotos} a photo source shows";
            return false;
        }

        source = new CameraSource(CameraSourceKind.PhotoFolder, folder, photos);
        return true;
    }
}
