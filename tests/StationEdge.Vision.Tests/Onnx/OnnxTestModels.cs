namespace StationEdge.Vision.Tests.Onnx;

/// <summary>
/// The models folder the tests use: $STATIONEDGE_MODELS, else &lt;repo root&gt;/out/models.
/// A missing file fails the test with a message saying how to get it (CI runs set-up first).
/// </summary>
internal static class OnnxTestModels
{
    public static string Directory { get; } = RepoPaths.Models;

    public static string PathOf(string fileName) => RepoPaths.Model(fileName);

    /// <summary>A model file's bytes, as the product hands them to ONNX Runtime.</summary>
    public static byte[] Bytes(string fileName) => File.ReadAllBytes(PathOf(fileName));
}
