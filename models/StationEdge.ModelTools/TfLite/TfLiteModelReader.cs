namespace StationEdge.ModelTools.TfLite;

/// <summary>
/// Reads a TFLite flatbuffer (schema.fbs, root type Model, identifier "TFL3"). Field numbers below are the
/// schema's field order; a union takes two slots (its type byte, then the table).
/// </summary>
public static class TfLiteModelReader
{
    // BuiltinOptions union member indices (1-based; 0 is NONE).
    private const byte Conv2DOptionsType = 1;
    private const byte DepthwiseConv2DOptionsType = 2;
    private const byte Pool2DOptionsType = 5;
    private const byte FullyConnectedOptionsType = 8;
    private const byte ConcatenationOptionsType = 10;
    private const byte AddOptionsType = 11;
    private const byte ReshapeOptionsType = 17;
    private const byte MulOptionsType = 21;
    private const byte SubOptionsType = 28;
    private const byte DivOptionsType = 29;
    private const byte StridedSliceOptionsType = 32;
    private const byte CastOptionsType = 37;
    private const byte LeakyReluOptionsType = 75;

    public static TfLiteModel Read(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < 8 || data[4] != 'T' || data[5] != 'F' || data[6] != 'L' || data[7] != '3')
        {
            throw new TfLiteFormatException("not a TFLite file: the flatbuffer identifier \"TFL3\" is missing");
        }

        var model = FlatBufferTable.Root(data);
        var codes = model.GetTableVector(1).Select(ReadOperatorCode).ToArray();
        var subGraphs = model.GetTableVector(2).Select(ReadSubGraph).ToArray();
        var buffers = model.GetTableVector(4).Select(b => ReadBuffer(b, data)).ToArray();
        if (subGraphs.Length == 0)
        {
            throw new TfLiteFormatException("TFLite model has no subgraph");
        }

        foreach (var sg in subGraphs)
        {
            Validate(sg, codes.Length, buffers.Length);
        }

        return new TfLiteModel(model.GetUInt32(0), codes, subGraphs, buffers, model.GetString(3));
    }

    private static TfLiteOperatorCode ReadOperatorCode(FlatBufferTable t)
    {
        // Codes above 127 only fit builtin_code; older files fill only the byte-sized deprecated field.
        int deprecated = t.GetSByte(0);
        int extended = t.GetInt32(3);
        return new TfLiteOperatorCode((TfLiteBuiltinOperator)Math.Max(deprecated, extended), t.GetString(1), t.GetInt32(2, 1));
    }

    private static TfLiteSubGraph ReadSubGraph(FlatBufferTable t)
    {
        var tensors = t.GetTableVector(0).Select((x, i) => ReadTensor(x, i)).ToArray();
        var operators = t.GetTableVector(3).Select(ReadOperator).ToArray();
        return new TfLiteSubGraph(tensors, t.GetInt32Vector(1), t.GetInt32Vector(2), operators, t.GetString(4));
    }

    private static TfLiteTensor ReadTensor(FlatBufferTable t, int index)
    {
        string? name = t.GetString(3);
        return new TfLiteTensor(
            string.IsNullOrEmpty(name) ? $"tensor_{index}" : name,
            t.GetInt32Vector(0),
            (TfLiteTensorType)t.GetByte(1),
            checked((int)t.GetUInt32(2)),
            t.GetInt32Vector(7));
    }

    private static TfLiteOperator ReadOperator(FlatBufferTable t)
    {
        byte unionType = t.GetByte(3);
        var table = t.GetTable(4);
        TfLiteOptions? options = unionType == 0 || table is not { } o ? null : ReadOptions(unionType, o);
        return new TfLiteOperator(checked((int)t.GetUInt32(0)), t.GetInt32Vector(1), t.GetInt32Vector(2), options);
    }

    private static TfLiteOptions ReadOptions(byte unionType, FlatBufferTable o) => unionType switch
    {
        Conv2DOptionsType => new Conv2DOptions(
            (TfLitePadding)o.GetByte(0), o.GetInt32(1), o.GetInt32(2), (TfLiteActivation)o.GetByte(3), o.GetInt32(4, 1), o.GetInt32(5, 1)),
        DepthwiseConv2DOptionsType => new DepthwiseConv2DOptions(
            (TfLitePadding)o.GetByte(0), o.GetInt32(1), o.GetInt32(2), o.GetInt32(3), (TfLiteActivation)o.GetByte(4), o.GetInt32(5, 1), o.GetInt32(6, 1)),
        Pool2DOptionsType => new Pool2DOptions(
            (TfLitePadding)o.GetByte(0), o.GetInt32(1), o.GetInt32(2), o.GetInt32(3), o.GetInt32(4), (TfLiteActivation)o.GetByte(5)),
        FullyConnectedOptionsType => new FullyConnectedOptions((TfLiteActivation)o.GetByte(0), o.GetByte(1), o.GetBool(2)),
        ConcatenationOptionsType => new ConcatenationOptions(o.GetInt32(0), (TfLiteActivation)o.GetByte(1)),
        AddOptionsType or MulOptionsType or SubOptionsType or DivOptionsType => new ActivationOptions((TfLiteActivation)o.GetByte(0)),
        ReshapeOptionsType => new ReshapeOptions(o.GetInt32Vector(0)),
        StridedSliceOptionsType => new StridedSliceOptions(
            o.GetInt32(0), o.GetInt32(1), o.GetInt32(2), o.GetInt32(3), o.GetInt32(4), o.GetBool(5)),
        CastOptionsType => new CastOptions((TfLiteTensorType)o.GetByte(0), (TfLiteTensorType)o.GetByte(1)),
        LeakyReluOptionsType => new LeakyReluOptions(o.GetFloat(0)),
        _ => new UnparsedOptions(unionType),
    };

    private static ReadOnlyMemory<byte> ReadBuffer(FlatBufferTable t, byte[] file)
    {
        // Models over 2 GB keep buffer data after the flatbuffer; offset 1 is the "not used" marker.
        ulong offset = t.GetUInt64(1);
        ulong size = t.GetUInt64(2);
        if (offset > 1)
        {
            if (offset + size > (ulong)file.Length)
            {
                throw new TfLiteFormatException($"TFLite buffer at byte {offset} with {size} bytes lies past the end of the file");
            }

            return file.AsMemory((int)offset, (int)size);
        }

        return t.GetByteVector(0);
    }

    private static void Validate(TfLiteSubGraph sg, int codeCount, int bufferCount)
    {
        int n = sg.Tensors.Count;
        foreach (var tensor in sg.Tensors)
        {
            if (tensor.Buffer >= bufferCount && tensor.Buffer != 0)
            {
                throw new TfLiteFormatException($"TFLite tensor '{tensor.Name}' refers to buffer {tensor.Buffer} of {bufferCount}");
            }
        }

        foreach (int i in sg.Inputs.Concat(sg.Outputs))
        {
            if (i < 0 || i >= n)
            {
                throw new TfLiteFormatException($"TFLite subgraph input/output refers to tensor {i} of {n}");
            }
        }

        for (int k = 0; k < sg.Operators.Count; k++)
        {
            var op = sg.Operators[k];
            if (op.OpcodeIndex >= codeCount)
            {
                throw new TfLiteFormatException($"TFLite operator {k} refers to operator code {op.OpcodeIndex} of {codeCount}");
            }

            foreach (int i in op.Inputs.Concat(op.Outputs))
            {
                if (i < -1 || i >= n)
                {
                    throw new TfLiteFormatException($"TFLite operator {k} refers to tensor {i} of {n}");
                }
            }
        }
    }
}
