namespace StationEdge.Vision.Imaging;

/// <summary>A photo that could not be decoded; the message is one line naming the file and the reason.</summary>
public sealed class PhotoDecodeException : Exception
{
    public PhotoDecodeException()
        : this("(unknown file)", "could not be decoded")
    {
    }

    public PhotoDecodeException(string message)
        : base(message)
    {
        FilePath = string.Empty;
        Reason = message;
    }

    public PhotoDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = string.Empty;
        Reason = message;
    }

    public PhotoDecodeException(string filePath, string reason, Exception? innerException = null)
        : base($"{filePath}: {reason}", innerException)
    {
        FilePath = filePath;
        Reason = reason;
    }

    /// <summary>The path as the caller gave it.</summary>
    public string FilePath { get; }

    /// <summary>What was wrong, without the path.</summary>
    public string Reason { get; }
}
