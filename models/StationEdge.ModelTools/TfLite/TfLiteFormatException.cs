namespace StationEdge.ModelTools.TfLite;

/// <summary>The bytes are not a readable TFLite flatbuffer (wrong identifier, truncated, offsets out of range).</summary>
public sealed class TfLiteFormatException : Exception
{
    public TfLiteFormatException(string message)
        : base(message)
    {
    }

    public TfLiteFormatException()
    {
    }

    public TfLiteFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
