using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Tests.Onnx;

/// <summary>
/// The models folder the tests use: $STATIONEDGE_MODELS, else &lt;repo root&gt;/out/models.
/// A missing file fails the test with a message saying how to get it (CI runs set-up first).
/// </summary>
internal static class OnnxTestModels
{
    public static string Directory { get; } = RepoPaths.Models;

    public static string PathOf(string fileName) => RepoPaths.Model(fileName);

    /// <summary>Loads ONNX Runtime from the models folder (idempotent).</summary>
    public static void LoadRuntime() => OnnxRuntimeLibrary.Load(PathOf(OnnxRuntimeLibrary.FileName));
}
