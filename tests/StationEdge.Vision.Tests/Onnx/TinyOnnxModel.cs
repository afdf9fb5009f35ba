using System.Buffers.Binary;
using System.Text;

namespace StationEdge.Vision.Tests.Onnx;

/// <summary>
/// Writes small ONNX models by hand (protobuf wire format, field numbers from onnx.proto), so tests know
/// exactly what the graph computes without any model file.
/// </summary>
internal static class TinyOnnxModel
{
    /// <summary>Y = Relu(X + B), X and Y float [N,4] with a dynamic batch N, B a float[4] initializer.</summary>
    public static byte[] AddRelu(float[] bias)
    {
        var model = new ProtoWriter();
        model.Varint(1, 8); // ir_version
        model.String(2, "StationEdge.Vision.Tests"); // producer_name
        model.Message(7, graph =>
        {
            graph.Message(1, node => Node(node, "Add", ["X", "B"], "S"));
            graph.Message(1, node => Node(node, "Relu", ["S"], "Y"));
            graph.String(2, "add_relu");
            graph.Message(5, tensor =>
            {
                tensor.Varint(1, bias.Length); // dims
                tensor.Varint(2, 1); // data_type FLOAT
                tensor.PackedFloats(4, bias); // float_data
                tensor.String(8, "B"); // name
            });
            graph.Message(11, value => FloatTensorInfo(value, "X", "N", 4)); // input
            graph.Message(12, value => FloatTensorInfo(value, "Y", "N", 4)); // output
        });
        model.Message(8, opset =>
        {
            opset.String(1, string.Empty); // domain: the default ONNX operator set
            opset.Varint(2, 13); // version
        });
        return model.ToArray();
    }

    private static void Node(ProtoWriter node, string opType, string[] inputs, string output)
    {
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, opType.ToLowerInvariant());
        node.String(4, opType);
    }

    // ValueInfoProto { name = 1; type = 2 { tensor_type = 1 { elem_type = 1; shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }
    private static void FloatTensorInfo(ProtoWriter value, string name, string batchParam, long width)
    {
        value.String(1, name);
        value.Message(2, type => type.Message(1, tensorType =>
        {
            tensorType.Varint(1, 1);
            tensorType.Message(2, shape =>
            {
                shape.Message(1, dim => dim.String(2, batchParam));
                shape.Message(1, dim => dim.Varint(1, width));
            });
        }));
    }

    private sealed class ProtoWriter
    {
        private readonly List<byte> _buffer = [];

        public void Varint(int field, long value)
        {
            Tag(field, 0);
            WriteVarint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void PackedFloats(int field, float[] values)
        {
            var bytes = new byte[values.Length * 4];
            for (var i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            }

            Bytes(field, bytes);
        }

        public void Message(int field, Action<ProtoWriter> write)
        {
            var inner = new ProtoWriter();
            write(inner);
            Bytes(field, inner.ToArray());
        }

        public byte[] ToArray() => _buffer.ToArray();

        private void Bytes(int field, byte[] bytes)
        {
            Tag(field, 2);
            WriteVarint((ulong)bytes.Length);
            _buffer.AddRange(bytes);
        }

        private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _buffer.Add((byte)value);
        }
    }
}
