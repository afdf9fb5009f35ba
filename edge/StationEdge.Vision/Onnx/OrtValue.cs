using System.Buffers;
using StationEdge.Vision.Interop.OnnxRuntime;

namespace StationEdge.Vision.Onnx;

/// <summary>
/// A tensor ORT can read or write: either over a caller's buffer (pinned, not copied, for the value's lifetime)
/// or one that ORT allocated as a Run output. Dispose it; spans handed out are valid only until then.
/// </summary>
public sealed class OrtValue : IDisposable
{
    private readonly OrtValueHandle _handle;
    private long[]? _shape;
    private TensorElementType _elementType;

    private OrtValue(OrtValueHandle handle, long[]? shape, TensorElementType elementType)
    {
        _handle = handle;
        _shape = shape;
        _elementType = elementType;
    }

    /// <summary>Dimensions of the tensor (a copy).</summary>
    public long[] Shape => (long[])TypeAndShape().Shape.Clone();

    public TensorElementType ElementType => TypeAndShape().ElementType;

    internal OrtValueHandle Handle => _handle;

    /// <summary>A float tensor over <paramref name="data"/>, which stays pinned (not copied) until the value is disposed.</summary>
    public static OrtValue CreateTensorValueFromMemory(float[] data, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return CreateTensorValueFromMemory(new Memory<float>(data), shape);
    }

    /// <summary>A float tensor over <paramref name="data"/>, pinned through its MemoryHandle until the value is disposed.</summary>
    public static OrtValue CreateTensorValueFromMemory(Memory<float> data, long[] shape) =>
        Create(data, shape, TensorElementType.Float);

    /// <summary>A tensor of any numeric type over <paramref name="data"/> (pinned, not copied).</summary>
    public static OrtValue CreateTensorValueFromMemory<T>(T[] data, long[] shape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return Create(new Memory<T>(data), shape, ElementTypeOf<T>());
    }

    /// <summary>The float elements, in row-major order; valid until the value is disposed.</summary>
    /// <exception cref="OnnxRuntimeException">the tensor does not hold floats.</exception>
    public ReadOnlySpan<float> GetTensorDataAsSpan() => GetTensorMutableDataAsSpan<float>();

    /// <summary>The elements as <typeparamref name="T"/>, which must match <see cref="ElementType"/>.</summary>
    public ReadOnlySpan<T> GetTensorDataAsSpan<T>()
        where T : unmanaged => GetTensorMutableDataAsSpan<T>();

    /// <summary>The elements, writable in place (e.g. to refill an input between runs).</summary>
    public unsafe Span<T> GetTensorMutableDataAsSpan<T>()
        where T : unmanaged
    {
        var (elementType, shape) = TypeAndShape();
        var wanted = ElementTypeOf<T>();
        if (elementType != wanted)
        {
            throw new OnnxRuntimeException(
                OrtErrorCode.InvalidArgument,
                $"tensor of shape [{string.Join(",", shape)}] holds {elementType} elements, not {wanted}");
        }

        var count = checked((int)ElementCount(shape));
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            void* data;
            OrtStatus.Check(OrtApi.GetTensorMutableData(_handle.DangerousGetHandle(), &data), "cannot read tensor data");
            return new Span<T>(data, count);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>Wraps a value ORT created (a Run output); this object now owns it.</summary>
    internal static OrtValue FromNative(nint value) => new(new OrtValueHandle(value), null, TensorElementType.Undefined);

    internal static long ElementCount(long[] shape)
    {
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                throw new ArgumentException($"tensor shape [{string.Join(",", shape)}] has a negative dimension", nameof(shape));
            }

            count = checked(count * dimension);
        }

        return count;
    }

    private static unsafe OrtValue Create<T>(Memory<T> data, long[] shape, TensorElementType elementType)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        var count = ElementCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException(
                $"tensor shape [{string.Join(",", shape)}] has {count} elements but the buffer has {data.Length}", nameof(data));
        }

        OnnxRuntimeLibrary.EnsureLoaded();
        var memoryInfo = OrtEnvironment.CpuMemoryInfo;
        var pin = data.Pin();
        try
        {
            nint value;
            fixed (long* dims = shape)
            {
                OrtStatus.Check(
                    OrtApi.CreateTensorWithDataAsOrtValue(
                        memoryInfo, pin.Pointer, (nuint)(data.Length * sizeof(T)), dims, (nuint)shape.Length, (int)elementType, &value),
                    $"cannot create a {elementType} tensor of shape [{string.Join(",", shape)}]");
            }

            return new OrtValue(new OrtValueHandle(value, pin), (long[])shape.Clone(), elementType);
        }
        catch
        {
            pin.Dispose();
            throw;
        }
    }

    private static TensorElementType ElementTypeOf<T>()
        where T : unmanaged =>
        typeof(T) == typeof(float) ? TensorElementType.Float
        : typeof(T) == typeof(byte) ? TensorElementType.UInt8
        : typeof(T) == typeof(sbyte) ? TensorElementType.Int8
        : typeof(T) == typeof(ushort) ? TensorElementType.UInt16
        : typeof(T) == typeof(short) ? TensorElementType.Int16
        : typeof(T) == typeof(int) ? TensorElementType.Int32
        : typeof(T) == typeof(long) ? TensorElementType.Int64
        : typeof(T) == typeof(bool) ? TensorElementType.Bool
        : typeof(T) == typeof(double) ? TensorElementType.Double
        : typeof(T) == typeof(uint) ? TensorElementType.UInt32
        : typeof(T) == typeof(ulong) ? TensorElementType.UInt64
        : throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type this binding maps");

    // Outputs learn their type and shape from ORT on first use; the answer never changes, so a race only repeats work.
    private unsafe (TensorElementType ElementType, long[] Shape) TypeAndShape()
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (Volatile.Read(ref _shape) is { } known)
        {
            return (_elementType, known);
        }

        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            nint info;
            OrtStatus.Check(OrtApi.GetTensorTypeAndShape(_handle.DangerousGetHandle(), &info), "cannot read the value's tensor type");
            using var infoHandle = new OrtTensorTypeAndShapeInfoHandle(info);
            var (elementType, shape) = OrtTensorInfo.Read(info, "cannot read the value's tensor type");
            _elementType = elementType;
            Volatile.Write(ref _shape, shape);
            return (elementType, shape);
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }
}
