using System.Buffers.Binary;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Conversion;

/// <summary>
/// A constant tensor's values: floats for FLOAT32 (and FLOAT16 once dequantized), longs for integer and bool types.
/// </summary>
internal sealed record Constant(int[] Shape, TfLiteTensorType Type, float[]? Floats, long[]? Integers)
{
    public int Count => Floats?.Length ?? Integers!.Length;

    public static Constant Read(TfLiteTensor tensor, ReadOnlySpan<byte> data)
    {
        long count = 1;
        foreach (int d in tensor.Shape)
        {
            count *= d;
        }

        int size = tensor.Type switch
        {
            TfLiteTensorType.FLOAT32 or TfLiteTensorType.INT32 => 4,
            TfLiteTensorType.FLOAT16 or TfLiteTensorType.INT16 => 2,
            TfLiteTensorType.INT64 => 8,
            TfLiteTensorType.BOOL or TfLiteTensorType.UINT8 or TfLiteTensorType.INT8 => 1,
            _ => throw new ConversionException($"constant tensor '{tensor.Name}' has type {tensor.Type}, which the converter does not read"),
        };
        if (count * size != data.Length)
        {
            throw new ConversionException(
                $"constant tensor '{tensor.Name}' has shape [{string.Join(',', tensor.Shape)}] of {tensor.Type} but {data.Length} bytes of data");
        }

        int n = (int)count;
        switch (tensor.Type)
        {
            case TfLiteTensorType.FLOAT32:
                {
                    var f = new float[n];
                    for (int i = 0; i < n; i++)
                    {
                        f[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
                    }

                    return new Constant(tensor.Shape, tensor.Type, f, null);
                }

            case TfLiteTensorType.FLOAT16:
                {
                    // Every half is exactly representable as a float, so widening here loses nothing.
                    var f = new float[n];
                    for (int i = 0; i < n; i++)
                    {
                        f[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(2 * i)..]);
                    }

                    return new Constant(tensor.Shape, tensor.Type, f, null);
                }

            default:
                {
                    var v = new long[n];
                    for (int i = 0; i < n; i++)
                    {
                        v[i] = tensor.Type switch
                        {
                            TfLiteTensorType.INT32 => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
                            TfLiteTensorType.INT16 => BinaryPrimitives.ReadInt16LittleEndian(data[(2 * i)..]),
                            TfLiteTensorType.INT64 => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
                            TfLiteTensorType.INT8 => (sbyte)data[i],
                            _ => data[i],
                        };
                    }

                    return new Constant(tensor.Shape, tensor.Type, null, v);
                }
        }
    }

    public int[] IntValues() => Integers is { } v
        ? v.Select(x => checked((int)x)).ToArray()
        : throw new ConversionException($"expected an integer constant, found {Type}");

    /// <summary>The same values reordered by <paramref name="perm"/> (output axis i is input axis perm[i]).</summary>
    public Constant Transpose(int[] perm)
    {
        int rank = Shape.Length;
        var newShape = perm.Select(p => Shape[p]).ToArray();
        var inStrides = Strides(Shape);
        int n = Count;
        var map = new int[n];
        var index = new int[rank];
        for (int o = 0; o < n; o++)
        {
            int src = 0;
            for (int a = 0; a < rank; a++)
            {
                src += index[a] * inStrides[perm[a]];
            }

            map[o] = src;
            for (int a = rank - 1; a >= 0; a--)
            {
                if (++index[a] < newShape[a])
                {
                    break;
                }

                index[a] = 0;
            }
        }

        return new Constant(
            newShape,
            Type,
            Floats is { } f ? map.Select(i => f[i]).ToArray() : null,
            Integers is { } v ? map.Select(i => v[i]).ToArray() : null);
    }

    public Constant WithShape(int[] shape) => this with { Shape = shape };

    private static int[] Strides(int[] shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }

        return strides;
    }
}
