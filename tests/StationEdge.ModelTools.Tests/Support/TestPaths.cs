namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Where tests find the repository, the model files and the development photos.</summary>
internal static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>STATIONEDGE_MODELS if set, else &lt;repo&gt;/out/models (written by the set-up step).</summary>
    public static string ModelsDir =>
        Environment.GetEnvironmentVariable("STATIONEDGE_MODELS") is { Length: > 0 } dir ? dir : Path.Combine(RepoRoot, "out", "models");

    public static string FacesDevDir => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", "faces-dev"));

    /// <summary>A model file; missing models fail the test with a message saying how to get them.</summary>
    public static string Model(string fileName)
    {
        string path = Path.Combine(ModelsDir, fileName);
        Assert.True(
            File.Exists(path),
            $"model file {path} is missing: run the set-up (it writes out/models) or point STATIONEDGE_MODELS at a folder holding {fileName}");
        return path;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StationEdge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no StationEdge.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fact that needs the development photos in ../shared/data/faces-dev; skipped where they are absent.</summary>
internal sealed class FacesDevFactAttribute : FactAttribute
{
    public FacesDevFactAttribute()
    {
        if (!Directory.Exists(TestPaths.FacesDevDir))
        {
            Skip = $"development photos not present at {TestPaths.FacesDevDir} (../shared/data/faces-dev relative to the repository)";
        }
    }
}
