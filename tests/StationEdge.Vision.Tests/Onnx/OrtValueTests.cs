using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Tests.Onnx;

public sealed class OrtValueTests
{
    public OrtValueTests() => OnnxTestModels.LoadRuntime();

    [Fact]
    public void FromArray_ReportsShapeAndType()
    {
        using var value = OrtValue.CreateTensorValueFromMemory(new float[6], [2, 3]);

        Assert.Equal([2L, 3], value.Shape);
        Assert.Equal(TensorElementType.Float, value.ElementType);
    }

    [Fact]
    public void FromArray_SharesTheArrayWithOrtInsteadOfCopying()
    {
        var data = new float[] { 1, 2, 3, 4 };
        using var value = OrtValue.CreateTensorValueFromMemory(data, [4]);

        data[2] = 42f;
        value.GetTensorMutableDataAsSpan<float>()[0] = -7f;

        Assert.Equal(42f, value.GetTensorDataAsSpan()[2]);
        Assert.Equal(-7f, data[0]);
    }

    [Fact]
    public void FromMemorySlice_SeesOnlyTheSlice()
    {
        var backing = new float[] { 9, 1, 2, 3, 9 };
        using var value = OrtValue.CreateTensorValueFromMemory(backing.AsMemory(1, 3), [3]);

        Assert.Equal([1f, 2f, 3f], value.GetTensorDataAsSpan().ToArray());
    }

    [Fact]
    public void FromIntArray_IsInt32_AndRefusesToBeReadAsFloat()
    {
        using var value = OrtValue.CreateTensorValueFromMemory(new[] { 1, 2, 3 }, [3]);

        Assert.Equal(TensorElementType.Int32, value.ElementType);
        Assert.Equal([1, 2, 3], value.GetTensorDataAsSpan<int>().ToArray());
        var error = Assert.Throws<OnnxRuntimeException>(() => value.GetTensorDataAsSpan().Length);
        Assert.Equal("tensor of shape [3] holds Int32 elements, not Float", error.Message);
    }

    [Fact]
    public void FromArray_WhoseLengthDiffersFromTheShape_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => OrtValue.CreateTensorValueFromMemory(new float[5], [2, 3]));

        Assert.StartsWith("tensor shape [2,3] has 6 elements but the buffer has 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposed_RefusesFurtherUse()
    {
        var value = OrtValue.CreateTensorValueFromMemory(new float[2], [2]);
        value.Dispose();
        value.Dispose();

        Assert.Throws<ObjectDisposedException>(() => value.Shape);
    }
}
