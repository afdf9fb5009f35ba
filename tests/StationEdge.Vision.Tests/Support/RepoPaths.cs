namespace StationEdge.Vision.Tests.Support;

/// <summary>
/// Folders the tests find from the repository root: the nearest folder above the test binaries holding StationEdge.sln.
/// </summary>
internal static class RepoPaths
{
    /// <summary>The repository root, or null when the tests run outside a checkout.</summary>
    public static string? Root { get; } = FindRoot();

    /// <summary>../shared/data/faces-dev from the repository root, or null when it is absent.</summary>
    public static string? FacesDev { get; } = FindFacesDev();

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

    private static string? FindFacesDev()
    {
        if (Root is null || Directory.GetParent(Root) is not { } parent)
        {
            return null;
        }

        var folder = Path.Combine(parent.FullName, "shared", "data", "faces-dev");
        return Directory.Exists(folder) ? folder : null;
    }
}

/// <summary>A fact that needs ../shared/data/faces-dev and is skipped, saying so, when it is absent.</summary>
public sealed class FacesDevFactAttribute : FactAttribute
{
    public FacesDevFactAttribute()
    {
        if (RepoPaths.FacesDev is null)
        {
            Skip = "needs the faces-dev photo set at ../shared/data/faces-dev next to the repository root; it is not there";
        }
    }
}
