using System.Runtime.InteropServices;

namespace StationEdge.ModelTools.Onnx;

#pragma warning disable CA1720 // onnx.proto spelling: the members are named for the types they stand for

/// <summary>ONNX TensorProto.DataType values used here.</summary>
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int16 = 5,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}

/// <summary>An ONNX model as this project writes it: one graph, default-domain opsets, string metadata.</summary>
public sealed record OnnxModel(
    long IrVersion,
    string ProducerName,
    IReadOnlyList<OnnxOpsetImport> OpsetImports,
    OnnxGraph Graph,
    IReadOnlyList<KeyValuePair<string, string>> Metadata);

public sealed record OnnxOpsetImport(string Domain, long Version);

public sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyList<OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs);

/// <summary>A node; an empty string in <see cref="Inputs"/> marks an omitted optional input.</summary>
public sealed record OnnxNode(
    string OpType,
    string Name,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyList<OnnxAttribute> Attributes)
{
    public OnnxAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);
}

public enum OnnxAttributeType
{
    Float = 1,
    Int = 2,
    String = 3,
    Ints = 7,
}

#pragma warning restore CA1720

#pragma warning disable CA1720 // factory names follow onnx.proto attribute types
public sealed record OnnxAttribute(string Name, OnnxAttributeType Type, float FloatValue, long IntValue, string? StringValue, long[]? IntsValue)
{
    public static OnnxAttribute Float(string name, float value) => new(name, OnnxAttributeType.Float, value, 0, null, null);

    public static OnnxAttribute Int(string name, long value) => new(name, OnnxAttributeType.Int, 0, value, null, null);

    public static OnnxAttribute String(string name, string value) => new(name, OnnxAttributeType.String, 0, 0, value, null);

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, OnnxAttributeType.Ints, 0, 0, null, values);
}
#pragma warning restore CA1720

/// <summary>An initializer; <see cref="RawData"/> is little-endian, row-major.</summary>
public sealed record OnnxTensor(string Name, OnnxDataType DataType, long[] Dims, byte[] RawData)
{
    public static OnnxTensor FromFloats(string name, long[] dims, ReadOnlySpan<float> values) =>
        new(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(values).ToArray());

    public static OnnxTensor FromInt64s(string name, long[] dims, ReadOnlySpan<long> values) =>
        new(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(values).ToArray());

    public float[] ToFloats() => DataType == OnnxDataType.Float
        ? MemoryMarshal.Cast<byte, float>(RawData).ToArray()
        : throw new InvalidOperationException($"initializer {Name} holds {DataType}, not Float");

    public long[] ToInt64s() => DataType == OnnxDataType.Int64
        ? MemoryMarshal.Cast<byte, long>(RawData).ToArray()
        : throw new InvalidOperationException($"initializer {Name} holds {DataType}, not Int64");
}

/// <summary>A dimension: a fixed size, or a named symbol such as "N" for a dynamic batch.</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public static OnnxDim Fixed(long value) => new(value, null);

    public static OnnxDim Symbol(string name) => new(null, name);

    public override string ToString() => Param ?? Value?.ToString() ?? "?";
}

public sealed record OnnxValueInfo(string Name, OnnxDataType ElementType, IReadOnlyList<OnnxDim> Shape);
