namespace StationEdge.Vision.Imaging;

/// <summary>
/// ffmpeg could not be run (not installed, not executable): a fault of the station, not of the photo, so callers
/// report it apart from <see cref="PhotoDecodeException"/>. The message is one line saying how to fix it.
/// </summary>
public sealed class FfmpegUnavailableException : Exception
{
    public FfmpegUnavailableException()
        : this("ffmpeg cannot be run")
    {
    }

    public FfmpegUnavailableException(string message)
        : base(message)
    {
    }

    public FfmpegUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
