namespace StationEdge.ModelTools.Onnx;

/// <summary>
/// Serialises <see cref="OnnxModel"/> as an ONNX ModelProto. Field numbers are onnx.proto's. Repeated scalar
/// fields that onnx.proto does not declare packed are written unpacked, as proto2 expects.
/// </summary>
public static class OnnxModelWriter
{
    public static byte[] Write(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var w = new ProtoWriter();
        w.WriteInt64(1, model.IrVersion);
        w.WriteString(2, model.ProducerName);
        w.WriteMessage(7, g => WriteGraph(g, model.Graph));
        foreach (var opset in model.OpsetImports)
        {
            w.WriteMessage(8, o =>
            {
                if (opset.Domain.Length > 0)
                {
                    o.WriteString(1, opset.Domain);
                }

                o.WriteInt64(2, opset.Version);
            });
        }

        foreach (var (key, value) in model.Metadata)
        {
            w.WriteMessage(14, e =>
            {
                e.WriteString(1, key);
                e.WriteString(2, value);
            });
        }

        return w.ToArray();
    }

    private static void WriteGraph(ProtoWriter w, OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            w.WriteMessage(1, n => WriteNode(n, node));
        }

        w.WriteString(2, graph.Name);
        foreach (var tensor in graph.Initializers)
        {
            w.WriteMessage(5, t => WriteTensor(t, tensor));
        }

        foreach (var input in graph.Inputs)
        {
            w.WriteMessage(11, v => WriteValueInfo(v, input));
        }

        foreach (var output in graph.Outputs)
        {
            w.WriteMessage(12, v => WriteValueInfo(v, output));
        }
    }

    private static void WriteNode(ProtoWriter w, OnnxNode node)
    {
        foreach (string input in node.Inputs)
        {
            w.WriteString(1, input);
        }

        foreach (string output in node.Outputs)
        {
            w.WriteString(2, output);
        }

        w.WriteString(3, node.Name);
        w.WriteString(4, node.OpType);
        foreach (var attribute in node.Attributes)
        {
            w.WriteMessage(5, a => WriteAttribute(a, attribute));
        }
    }

    private static void WriteAttribute(ProtoWriter w, OnnxAttribute attribute)
    {
        w.WriteString(1, attribute.Name);
        switch (attribute.Type)
        {
            case OnnxAttributeType.Float:
                w.WriteFloat(2, attribute.FloatValue);
                break;
            case OnnxAttributeType.Int:
                w.WriteInt64(3, attribute.IntValue);
                break;
            case OnnxAttributeType.String:
                w.WriteString(4, attribute.StringValue ?? "");
                break;
            case OnnxAttributeType.Ints:
                foreach (long v in attribute.IntsValue ?? [])
                {
                    w.WriteInt64(8, v);
                }

                break;
            default:
                throw new InvalidOperationException($"attribute type {attribute.Type} is not supported");
        }

        w.WriteInt64(20, (long)attribute.Type);
    }

    private static void WriteTensor(ProtoWriter w, OnnxTensor tensor)
    {
        foreach (long d in tensor.Dims)
        {
            w.WriteInt64(1, d);
        }

        w.WriteInt64(2, (long)tensor.DataType);
        w.WriteString(8, tensor.Name);
        w.WriteBytes(9, tensor.RawData);
    }

    private static void WriteValueInfo(ProtoWriter w, OnnxValueInfo info)
    {
        w.WriteString(1, info.Name);
        w.WriteMessage(2, type => type.WriteMessage(1, tensorType =>
        {
            tensorType.WriteInt64(1, (long)info.ElementType);
            tensorType.WriteMessage(2, shape =>
            {
                foreach (var dim in info.Shape)
                {
                    shape.WriteMessage(1, d =>
                    {
                        if (dim.Param is { } param)
                        {
                            d.WriteString(2, param);
                        }
                        else
                        {
                            d.WriteInt64(1, dim.Value ?? 0);
                        }
                    });
                }
            });
        }));
    }
}
