namespace StationEdge.Tests.Shared;

/// <summary>
/// The development photo set, ../shared/data/faces-dev beside the repository root. Face photos never go into the
/// repository, so a machine may lack it: locally its tests are skipped saying so; under CI (CI=true) they fail,
/// because a CI run that skipped them has checked nothing about faces.
/// </summary>
public static class FacesDev
{
    private static readonly string? Found = Locate();

    public static bool IsPresent => Found is not null;

    /// <summary>The folder; absent, an exception whose message says where it was looked for.</summary>
    public static string Folder => Found ?? throw new InvalidOperationException(MissingReason);

    public static string Photo(string name) => Path.Combine(Folder, name);

    internal static bool InCi => Environment.GetEnvironmentVariable("CI") is { } ci
        && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    internal static string MissingReason =>
        $"needs the faces-dev photo set at {Expected}, and it is not there"
        + (InCi ? " (CI=true: face tests fail rather than skip without it)" : "");

    private static string Expected => RepoPaths.FoundRoot is { } root
        ? Path.GetFullPath(Path.Combine(root, "..", "shared", "data", "faces-dev"))
        : $"../shared/data/faces-dev beside the repository root (no StationEdge.sln above {AppContext.BaseDirectory})";

    private static string? Locate() =>
        RepoPaths.FoundRoot is not null && Directory.Exists(Expected) ? Expected : null;
}

/// <summary>A fact that needs <see cref="FacesDev"/>: skipped, saying why, where it is absent, except under CI.</summary>
public sealed class FacesDevFactAttribute : FactAttribute
{
    public FacesDevFactAttribute()
    {
        if (!FacesDev.IsPresent && !FacesDev.InCi)
        {
            Skip = FacesDev.MissingReason;
        }
    }
}

/// <summary>A theory that needs <see cref="FacesDev"/>: skipped, saying why, where it is absent, except under CI.</summary>
public sealed class FacesDevTheoryAttribute : TheoryAttribute
{
    public FacesDevTheoryAttribute()
    {
        if (!FacesDev.IsPresent && !FacesDev.InCi)
        {
            Skip = FacesDev.MissingReason;
        }
    }
}
