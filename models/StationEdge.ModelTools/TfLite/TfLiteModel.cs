namespace StationEdge.ModelTools.TfLite;

/// <summary>The parts of a TFLite model that conversion and reference execution need.</summary>
public sealed record TfLiteModel(
    uint Version,
    IReadOnlyList<TfLiteOperatorCode> OperatorCodes,
    IReadOnlyList<TfLiteSubGraph> SubGraphs,
    IReadOnlyList<ReadOnlyMemory<byte>> Buffers,
    string? Description)
{
    /// <summary>The main graph; TFLite treats subgraph 0 as the model.</summary>
    public TfLiteSubGraph Main => SubGraphs[0];

    public TfLiteBuiltinOperator OperatorOf(TfLiteOperator op) => OperatorCodes[op.OpcodeIndex].Builtin;

    /// <summary>The constant data of a tensor, empty for activations and graph inputs.</summary>
    public ReadOnlyMemory<byte> DataOf(TfLiteTensor tensor) =>
        tensor.Buffer < Buffers.Count ? Buffers[tensor.Buffer] : ReadOnlyMemory<byte>.Empty;
}

public sealed record TfLiteOperatorCode(TfLiteBuiltinOperator Builtin, string? CustomCode, int Version);

public sealed record TfLiteSubGraph(
    IReadOnlyList<TfLiteTensor> Tensors,
    int[] Inputs,
    int[] Outputs,
    IReadOnlyList<TfLiteOperator> Operators,
    string? Name);

public sealed record TfLiteTensor(string Name, int[] Shape, TfLiteTensorType Type, int Buffer, int[] ShapeSignature);

/// <summary>One operator; <see cref="Inputs"/> holds -1 for an omitted optional input.</summary>
public sealed record TfLiteOperator(int OpcodeIndex, int[] Inputs, int[] Outputs, TfLiteOptions? Options);
