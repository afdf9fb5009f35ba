namespace StationEdge.Tests.Shared;

/// <summary>
/// Folders the tests find from the repository root: the nearest folder above the test binaries holding
/// StationEdge.sln. One copy for every test project (linked in by Directory.Build.props).
/// </summary>
public static class RepoPaths
{
    /// <summary>The repository root; outside a checkout, null.</summary>
    internal static string? FoundRoot { get; } = FindRoot();

    public static string Root =>
        FoundRoot ?? throw new InvalidOperationException($"no StationEdge.sln above {AppContext.BaseDirectory}: run the tests from a checkout");

    /// <summary>The installed models: $STATIONEDGE_MODELS, else &lt;repository root&gt;/out/models (written by ./deploy.sh setup).</summary>
    public static string Models =>
        Environment.GetEnvironmentVariable("STATIONEDGE_MODELS") is { } dir && !string.IsNullOrWhiteSpace(dir)
            ? Path.GetFullPath(dir)
            : Path.Combine(Root, "out", "models");

    /// <summary>A file of the models folder; a missing one fails the test saying how to get it.</summary>
    public static string Model(string fileName)
    {
        var path = Path.Combine(Models, fileName);
        Assert.True(File.Exists(path), $"{path} is missing: run ./deploy.sh setup, or point STATIONEDGE_MODELS at a folder holding {fileName}");
        return path;
    }

    private static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StationEdge.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
