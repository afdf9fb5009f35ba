namespace StationEdge.Vision.Onnx;

/// <summary>
/// A model input or output as declared in the model: element type and dimensions, -1 for a dynamic dimension.
/// Non-tensor nodes (sequences, maps) show as <see cref="TensorElementType.Undefined"/> with no dimensions.
/// </summary>
public sealed record NodeMetadata(TensorElementType ElementType, long[] Dimensions);
