namespace StationEdge.Vision.Models;

/// <summary>A model is missing, unreadable, outside its folder, not the pinned bytes, or not loadable by ONNX Runtime.</summary>
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
