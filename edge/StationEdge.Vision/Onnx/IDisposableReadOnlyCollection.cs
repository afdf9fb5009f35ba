namespace StationEdge.Vision.Onnx;

/// <summary>Values returned by <see cref="InferenceSession.Run(IReadOnlyList{string}, IReadOnlyList{OrtValue}, IReadOnlyList{string})"/>: disposing the collection disposes them all.</summary>
public interface IDisposableReadOnlyCollection<out T> : IReadOnlyList<T>, IDisposable
{
}

internal sealed class DisposableList<T>(int capacity) : List<T>(capacity), IDisposableReadOnlyCollection<T>
    where T : IDisposable
{
    public void Dispose()
    {
        foreach (var item in this)
        {
            item?.Dispose();
        }

        Clear();
    }
}
