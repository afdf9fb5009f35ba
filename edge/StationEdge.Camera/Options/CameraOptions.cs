namespace StationEdge.Camera;

/// <summary>How ffmpeg asks a v4l2 device for its frames (<c>-input_format</c>).</summary>
public enum CameraInputFormat
{
    /// <summary>Whatever the driver offers first (no <c>-input_format</c>).</summary>
    Auto,

    /// <summary>Compressed MJPEG: what most USB webcams need for 15+ fps above 640×480.</summary>
    Mjpeg,

    /// <summary>Uncompressed YUYV 4:2:2: no decoding, but USB 2 bandwidth limits size and rate.</summary>
    Yuyv,
}

/// <summary>
/// The <c>Camera</c> configuration section. Frames always come out as rgb24 at <see cref="Width"/>×<see cref="Height"/>
/// and <see cref="Fps"/>, whatever the source gives (scaled to fit, letterboxed with black, never stretched).
/// </summary>
public sealed class CameraOptions
{
    public const string SectionName = "Camera";

    /// <summary>
    /// <c>/dev/videoN</c> (or a <c>/dev/v4l/by-id/…</c> link), <c>rtsp://…</c>, a video file, a folder of photos,
    /// <c>lavfi:GRAPH</c> (e.g. <c>lavfi:testsrc=size=640x480:rate=15</c>) or <c>rpicam</c> (a Raspberry Pi camera module
    /// through <c>rpicam-vid</c>).
    /// </summary>
    public string Source { get; set; } = "/dev/video0";

    public int Width { get; set; } = 640;

    public int Height { get; set; } = 480;

    public int Fps { get; set; } = 15;

    /// <summary>v4l2 devices only.</summary>
    public CameraInputFormat InputFormat { get; set; } = CameraInputFormat.Auto;

    /// <summary>Video files, photo folders and finite lavfi graphs start again at the end instead of ending.</summary>
    public bool Loop { get; set; }

    /// <summary>Photo folders: how long each photo is shown.</summary>
    public double PhotoSeconds { get; set; } = 2;

    /// <summary>A running camera that delivers no frame for this long is lost: ffmpeg is killed and started again.</summary>
    public int StallMs { get; set; } = 5000;

    /// <summary>How long a freshly started ffmpeg may take to deliver its first frame (an RTSP camera needs a few seconds).</summary>
    public int StartTimeoutMs { get; set; } = 15000;

    /// <summary>The first wait before starting ffmpeg again; it doubles after each failure up to <see cref="RestartMaxMs"/>.</summary>
    public int RestartMinMs { get; set; } = 500;

    public int RestartMaxMs { get; set; } = 30000;

    /// <summary>A run that delivered frames this long resets the restart wait to <see cref="RestartMinMs"/>.</summary>
    public int HealthyMs { get; set; } = 30000;

    /// <summary>The ffmpeg executable: a name looked up on PATH, or a path.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>The rpicam-vid executable (Source = rpicam only).</summary>
    public string RpicamPath { get; set; } = "rpicam-vid";
}
