namespace StationEdge.Vision.Models;

/// <summary>A model or native library is missing, unreadable or not the pinned bytes.</summary>
public sealed class ModelIntegrityException : Exception
{
    public ModelIntegrityException(string message)
        : base(message)
    {
    }

    public ModelIntegrityException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
