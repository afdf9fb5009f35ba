using Microsoft.Extensions.Logging;

namespace StationEdge.Camera;

internal static partial class CameraLog
{
    [LoggerMessage(1, LogLevel.Information, "Camera {Source}: starting `{Command}`")]
    public static partial void Starting(ILogger logger, string source, string command);

    [LoggerMessage(2, LogLevel.Debug, "Camera {Source}: ffmpeg started (pid {Pid})")]
    public static partial void Started(ILogger logger, string source, int pid);

    [LoggerMessage(3, LogLevel.Information, "Camera {Source}: first frame from pid {Pid} after {Ms} ms")]
    public static partial void FirstFrame(ILogger logger, string source, int pid, int ms);

    [LoggerMessage(4, LogLevel.Warning, "Camera {Source} lost: {Detail}")]
    public static partial void Lost(ILogger logger, string source, string detail);

    [LoggerMessage(5, LogLevel.Information, "Camera {Source}: starting ffmpeg again in {DelayMs} ms (last run: {Detail})")]
    public static partial void Restarting(ILogger logger, string source, int delayMs, string detail);

    [LoggerMessage(6, LogLevel.Information, "Camera {Source} back after {DowntimeMs} ms")]
    public static partial void Back(ILogger logger, string source, int downtimeMs);

    [LoggerMessage(7, LogLevel.Information, "Camera {Source} ended after {Frames} frames")]
    public static partial void Ended(ILogger logger, string source, long frames);

    [LoggerMessage(8, LogLevel.Debug, "Camera {Source}: end of source, playing it again")]
    public static partial void Looping(ILogger logger, string source);

    [LoggerMessage(9, LogLevel.Error, "Camera {Source}: {Detail}")]
    public static partial void NotReaped(ILogger logger, string source, string detail);

    [LoggerMessage(10, LogLevel.Information, "Camera {Source} stopped")]
    public static partial void Stopped(ILogger logger, string source);
}
