using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Interop.OnnxRuntime;

/// <summary>Reads element type and dimensions out of an <c>OrtTensorTypeAndShapeInfo</c> (not released here).</summary>
internal static unsafe class OrtTensorInfo
{
    internal static (TensorElementType ElementType, long[] Dimensions) Read(nint info, string context)
    {
        int elementType;
        OrtStatus.Check(OrtApi.GetTensorElementType(info, &elementType), context);

        nuint count;
        OrtStatus.Check(OrtApi.GetDimensionsCount(info, &count), context);

        var dimensions = new long[(int)count];
        fixed (long* dims = dimensions)
        {
            OrtStatus.Check(OrtApi.GetDimensions(info, dims, count), context);
        }

        return ((TensorElementType)elementType, dimensions);
    }
}
