using System.Buffers.Binary;

namespace StationEdge.ModelTools.Onnx;

/// <summary>
/// Sets every subnormal float32 weight of an ONNX model to zero, in place of the same bytes. faceplugin's
/// fr_feature.onnx carries thousands of them (values below 1.2e-38 that contribute nothing to an embedding), and
/// x86 and Arm cores take a slow path for each multiply that touches one: 77 ms → 19 ms a face once zeroed. Only the
/// float payloads of tensors change, never a length, so the output is the input with some 4-byte words cleared and
/// the install can pin its sha256.
/// </summary>
internal static class SubnormalFlush
{
    // Field numbers from onnx.proto.
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeAttribute = 5;
    private const int AttributeTensor = 5;
    private const int AttributeTensors = 10;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorRawData = 9;
    private const int FloatType = 1;

    /// <summary>A copy of <paramref name="model"/> with subnormal float32 tensor values set to +0.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable protobuf ModelProto.</exception>
    public static byte[] Zero(ReadOnlySpan<byte> model, out int zeroed)
    {
        var copy = model.ToArray();
        zeroed = 0;
        foreach (var graph in Fields(copy, 0, copy.Length).Where(f => f.Number == ModelGraph && f.Wire == 2))
        {
            zeroed += Graph(copy, graph);
        }

        return copy;
    }

    private static int Graph(byte[] data, Field graph)
    {
        var zeroed = 0;
        foreach (var f in Fields(data, graph.Start, graph.End).Where(f => f.Wire == 2))
        {
            if (f.Number == GraphInitializer)
            {
                zeroed += Tensor(data, f);
            }
            else if (f.Number == GraphNode)
            {
                // Constant nodes (and any node attribute) may hold tensors of weights too.
                foreach (var attribute in Fields(data, f.Start, f.End).Where(a => a.Number == NodeAttribute && a.Wire == 2))
                {
                    foreach (var t in Fields(data, attribute.Start, attribute.End).Where(t => t.Number is AttributeTensor or AttributeTensors && t.Wire == 2))
                    {
                        zeroed += Tensor(data, t);
                    }
                }
            }
        }

        return zeroed;
    }

    private static int Tensor(byte[] data, Field tensor)
    {
        var fields = Fields(data, tensor.Start, tensor.End);
        if (!fields.Any(f => f.Number == TensorDataType && f.Wire == 0 && f.Varint == FloatType))
        {
            return 0;
        }

        var zeroed = 0;
        foreach (var f in fields)
        {
            if ((f.Number == TensorRawData && f.Wire == 2) || (f.Number == TensorFloatData && f.Wire == 2))
            {
                // raw_data is little-endian float32 by the ONNX spec; packed float_data is fixed32, little-endian too.
                for (var p = f.Start; p + 4 <= f.End; p += 4)
                {
                    zeroed += ZeroIfSubnormal(data.AsSpan(p, 4));
                }
            }
            else if (f.Number == TensorFloatData && f.Wire == 5)
            {
                zeroed += ZeroIfSubnormal(data.AsSpan(f.Start, 4));
            }
        }

        return zeroed;
    }

    private static int ZeroIfSubnormal(Span<byte> word)
    {
        if (!float.IsSubnormal(BinaryPrimitives.ReadSingleLittleEndian(word)))
        {
            return 0;
        }

        word.Clear();
        return 1;
    }

    private readonly record struct Field(int Number, int Wire, ulong Varint, int Start, int End);

    /// <summary>The fields of the message in data[start..end]: a length-delimited field's Start/End bound its payload.</summary>
    private static List<Field> Fields(byte[] data, int start, int end)
    {
        var fields = new List<Field>();
        var p = start;
        while (p < end)
        {
            var key = ReadVarint(data, ref p, end);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, ReadVarint(data, ref p, end), p, p));
                    break;
                case 1:
                    fields.Add(new Field(number, wire, 0, p, Advance(ref p, 8, end)));
                    break;
                case 2:
                    var length = ReadVarint(data, ref p, end);
                    if (length > (ulong)(end - p))
                    {
                        throw new InvalidDataException($"field {number} at byte {p} claims {length} bytes, past the end of its message");
                    }

                    fields.Add(new Field(number, wire, 0, p, Advance(ref p, (int)length, end)));
                    break;
                case 5:
                    fields.Add(new Field(number, wire, 0, p, Advance(ref p, 4, end)));
                    break;
                default:
                    throw new InvalidDataException($"protobuf wire type {wire} at byte {p} is not one ONNX uses");
            }
        }

        return fields;
    }

    private static int Advance(ref int p, int count, int end)
    {
        if (count > end - p)
        {
            throw new InvalidDataException($"a field at byte {p} runs past the end of its message");
        }

        p += count;
        return p;
    }

    private static ulong ReadVarint(byte[] data, ref int p, int end)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (p >= end)
            {
                throw new InvalidDataException("a varint runs past the end of its message");
            }

            var b = data[p++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException($"a varint longer than 10 bytes ends at byte {p}");
    }
}
