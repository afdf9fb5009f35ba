using System.Buffers.Binary;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Builds small TFLite files for op-by-op tests, written with the schema's field numbers.</summary>
internal sealed class TfLiteModelBuilder
{
    private readonly List<FbTable> _tensors = [];
    private readonly List<byte[]> _buffers = [[]];
    private readonly List<(int Code, bool ExtendedOnly)> _codes = [];
    private readonly List<FbTable> _operators = [];
    private int[] _inputs = [];
    private int[] _outputs = [];

    /// <summary>When false, operator codes go only in deprecated_builtin_code, as files from before schema 3a do.</summary>
    public bool WriteExtendedCodes { get; init; } = true;

    public int Tensor(string name, int[] shape, TfLiteTensorType type = TfLiteTensorType.FLOAT32, byte[]? data = null)
    {
        int buffer = 0;
        if (data is not null)
        {
            buffer = _buffers.Count;
            _buffers.Add(data);
        }

        _tensors.Add(new FbTable().Ints(0, shape).Byte(1, (byte)type).UInt(2, (uint)buffer).String(3, name));
        return _tensors.Count - 1;
    }

    public int Input(string name, params int[] shape)
    {
        int t = Tensor(name, shape);
        _inputs = [.. _inputs, t];
        return t;
    }

    public int Output(string name, params int[] shape)
    {
        int t = Tensor(name, shape);
        _outputs = [.. _outputs, t];
        return t;
    }

    public int Activation(string name, params int[] shape) => Tensor(name, shape);

    public int Const(string name, int[] shape, params float[] values)
    {
        var data = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        }

        return Tensor(name, shape, TfLiteTensorType.FLOAT32, data);
    }

    public int ConstFp16(string name, int[] shape, params float[] values)
    {
        var data = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2 * i), (Half)values[i]);
        }

        return Tensor(name, shape, TfLiteTensorType.FLOAT16, data);
    }

    public int ConstInt32(string name, int[] shape, params int[] values)
    {
        var data = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(4 * i), values[i]);
        }

        return Tensor(name, shape, TfLiteTensorType.INT32, data);
    }

    public TfLiteModelBuilder Op(TfLiteBuiltinOperator code, int[] inputs, int[] outputs, (byte Type, FbTable Table)? options = null)
    {
        int index = _codes.FindIndex(c => c.Code == (int)code);
        if (index < 0)
        {
            _codes.Add(((int)code, false));
            index = _codes.Count - 1;
        }

        var op = new FbTable().UInt(0, (uint)index).Ints(1, inputs).Ints(2, outputs);
        if (options is var (type, table))
        {
            op.Byte(3, type).Table(4, table);
        }

        _operators.Add(op);
        return this;
    }

    public byte[] Build()
    {
        var codes = _codes.Select(c =>
        {
            var t = new FbTable().Byte(0, (byte)Math.Min(c.Code, 127)).Int(2, 1);
            return WriteExtendedCodes ? t.Int(3, c.Code) : t;
        });
        var subgraph = new FbTable()
            .Tables(0, _tensors)
            .Ints(1, _inputs)
            .Ints(2, _outputs)
            .Tables(3, _operators)
            .String(4, "main");
        return new FbTable()
            .UInt(0, 3)
            .Tables(1, codes)
            .Tables(2, [subgraph])
            .String(3, "test model")
            .Tables(4, _buffers.Select(b => b.Length == 0 ? new FbTable() : new FbTable().Bytes(0, b)))
            .Finish("TFL3");
    }

    public static (byte, FbTable) Conv2D(TfLitePadding padding, int stride, TfLiteActivation activation = TfLiteActivation.NONE, int dilation = 1) =>
        (1, new FbTable().Byte(0, (byte)padding).Int(1, stride).Int(2, stride).Byte(3, (byte)activation).Int(4, dilation).Int(5, dilation));

    public static (byte, FbTable) DepthwiseConv2D(TfLitePadding padding, int stride, int depthMultiplier, TfLiteActivation activation = TfLiteActivation.NONE) =>
        (2, new FbTable().Byte(0, (byte)padding).Int(1, stride).Int(2, stride).Int(3, depthMultiplier).Byte(4, (byte)activation));

    public static (byte, FbTable) Pool2D(TfLitePadding padding, int stride, int filter, TfLiteActivation activation = TfLiteActivation.NONE) =>
        (5, new FbTable().Byte(0, (byte)padding).Int(1, stride).Int(2, stride).Int(3, filter).Int(4, filter).Byte(5, (byte)activation));

    public static (byte, FbTable) FullyConnected(TfLiteActivation activation = TfLiteActivation.NONE) =>
        (8, new FbTable().Byte(0, (byte)activation));

    public static (byte, FbTable) Concatenation(int axis, TfLiteActivation activation = TfLiteActivation.NONE) =>
        (10, new FbTable().Int(0, axis).Byte(1, (byte)activation));

    public static (byte, FbTable) Add(TfLiteActivation activation = TfLiteActivation.NONE) => (11, new FbTable().Byte(0, (byte)activation));

    public static (byte, FbTable) Reshape(params int[] newShape) => (17, new FbTable().Ints(0, newShape));

    public static (byte, FbTable) Mul(TfLiteActivation activation = TfLiteActivation.NONE) => (21, new FbTable().Byte(0, (byte)activation));

    public static (byte, FbTable) Sub(TfLiteActivation activation = TfLiteActivation.NONE) => (28, new FbTable().Byte(0, (byte)activation));

    public static (byte, FbTable) StridedSlice(int beginMask, int endMask, int shrinkAxisMask = 0) =>
        (32, new FbTable().Int(0, beginMask).Int(1, endMask).Int(4, shrinkAxisMask));

    public static (byte, FbTable) Cast() => (37, new FbTable());

    public static (byte, FbTable) LeakyRelu(float alpha) => (75, new FbTable().Float(0, alpha));
}
