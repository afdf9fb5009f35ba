using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Onnx;

/// <summary>
/// The models folder the tests use: $STATIONEDGE_MODELS, else &lt;repo root&gt;/out/models.
/// A missing file fails the test with a message saying how to get it (CI runs set-up first).
/// </summary>
internal static class OnnxTestModels
{
    public static string Directory { get; } = Locate();

    public static string PathOf(string fileName)
    {
        var path = System.IO.Path.Combine(Directory, fileName);
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing: run ./deploy.sh setup, or point STATIONEDGE_MODELS at a folder holding {fileName}");
        }

        return path;
    }

    /// <summary>A model file's bytes, as the product hands them to ONNX Runtime.</summary>
    public static byte[] Bytes(string fileName) => File.ReadAllBytes(PathOf(fileName));

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("STATIONEDGE_MODELS");
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return System.IO.Path.GetFullPath(fromEnv);
        }

        return RepoPaths.Root is { } root
            ? System.IO.Path.Combine(root, "out", "models")
            : throw new InvalidOperationException($"no StationEdge.sln above {AppContext.BaseDirectory}: set STATIONEDGE_MODELS");
    }
}
