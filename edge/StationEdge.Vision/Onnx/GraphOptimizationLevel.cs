namespace StationEdge.Vision.Onnx;

/// <summary>How far ORT rewrites the graph when a session is created (values as in the C API).</summary>
public enum GraphOptimizationLevel
{
    DisableAll = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}
