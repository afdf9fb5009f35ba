namespace StationEdge.Camera;

/// <summary>Something the camera did that the station records or shows; <see cref="Name"/> is its JSON event name.</summary>
public abstract record CameraEvent(DateTimeOffset Time)
{
    public abstract string Name { get; }
}

public enum CameraLossReason
{
    /// <summary>ffmpeg (or rpicam-vid) exited: the device went away, the stream broke, the process was killed.</summary>
    Exited,

    /// <summary>No frame for <c>Camera:StallMs</c> (or none within <c>Camera:StartTimeoutMs</c> of a start): a frozen stream, an unplugged camera.</summary>
    Stalled,

    /// <summary>The child process could not be started at all.</summary>
    StartFailed,
}

/// <summary>
/// The camera stopped delivering frames (or never started). Raised once per loss: the restarts that fail after it are
/// logged, not raised again. <see cref="Detail"/> is one line: the exit code and ffmpeg's last stderr line, or the stall.
/// </summary>
public sealed record CameraLost(DateTimeOffset Time, CameraLossReason Reason, int? ExitCode, string Detail) : CameraEvent(Time)
{
    public override string Name => "camera_lost";
}

/// <summary>Frames flow again after a <see cref="CameraLost"/>; <see cref="Restarts"/> counts the ffmpeg starts it took.</summary>
public sealed record CameraBack(DateTimeOffset Time, TimeSpan Downtime, int Restarts) : CameraEvent(Time)
{
    public override string Name => "camera_back";
}

/// <summary>A finite source (a video file or photo folder without <c>Camera:Loop</c>, a finite lavfi graph) played to its end.</summary>
public sealed record CameraEnded(DateTimeOffset Time, long Frames) : CameraEvent(Time)
{
    public override string Name => "camera_ended";
}

public enum CameraState
{
    /// <summary>ffmpeg started, no frame yet.</summary>
    Starting,

    /// <summary>Frames are arriving.</summary>
    Running,

    /// <summary>Lost; ffmpeg is being started again with backoff.</summary>
    Lost,

    /// <summary>A finite source played to its end; no more frames.</summary>
    Ended,

    /// <summary>Not started, or stopped with the host.</summary>
    Stopped,
}

/// <summary>
/// The camera's figures for a health page. <see cref="FramesPerSecond"/> is measured over the last five seconds;
/// <see cref="FramesDropped"/> counts frames replaced by a newer one before the access loop took them (counted from its
/// first read); <see cref="Restarts"/> counts ffmpeg starts after a failure.
/// </summary>
public sealed record CameraHealth(
    CameraState State,
    string Source,
    double FramesPerSecond,
    DateTimeOffset? LastFrameAt,
    long FramesReceived,
    long FramesDropped,
    int Restarts,
    int? ProcessId,
    string? LastProblem);
