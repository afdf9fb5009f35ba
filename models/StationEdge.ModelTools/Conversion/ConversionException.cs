namespace StationEdge.ModelTools.Conversion;

/// <summary>The TFLite graph uses something the converter does not handle; the message names the operator and its index.</summary>
public sealed class ConversionException : Exception
{
    public ConversionException(string message)
        : base(message)
    {
    }

    public ConversionException()
    {
    }

    public ConversionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
