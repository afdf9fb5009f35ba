namespace StationEdge.Cli.Tests.Bench;

/// <summary>The models folder the bench tests run on: $STATIONEDGE_MODELS, else &lt;repo root&gt;/out/models (written by set-up).</summary>
internal static class BenchModels
{
    private static readonly string[] Needed =
        ["libonnxruntime.so.1", "blazeface-front.onnx", "blazeface-back.onnx", "mobilefacenet.onnx", "antispoof.onnx", "demo/sample1.jpg"];

    public static string Directory
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("STATIONEDGE_MODELS") is { Length: > 0 } fromEnv
                ? fromEnv
                : Path.Combine(RepoRoot(), "out", "models");
            foreach (var file in Needed)
            {
                if (!File.Exists(Path.Combine(dir, file)))
                {
                    Assert.Fail($"{Path.Combine(dir, file)} is missing: run ./deploy.sh setup, or point STATIONEDGE_MODELS at a complete models folder");
                }
            }

            return dir;
        }
    }

    public static string DemoPhoto => Path.Combine(Directory, "demo", "sample1.jpg");

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StationEdge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no StationEdge.sln above {AppContext.BaseDirectory}: set STATIONEDGE_MODELS");
    }
}
