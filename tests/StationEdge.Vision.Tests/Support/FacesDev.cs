using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Support;

/// <summary>The development photo set, ../shared/data/faces-dev beside the repository.</summary>
internal static class FacesDev
{
    public static string? Directory { get; } = Locate();

    public static string PathOf(string fileName) =>
        System.IO.Path.Combine(Directory ?? throw new InvalidOperationException("faces-dev is absent"), fileName);

    public static async Task<RgbImage> LoadAsync(string fileName)
    {
        var photo = await new PhotoDecoder().DecodeAsync(PathOf(fileName), CancellationToken.None);
        return photo.Image;
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StationEdge.sln")))
            {
                var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared", "data", "faces-dev"));
                return System.IO.Directory.Exists(path) ? path : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs the faces-dev photos; skipped, saying why, where they are absent.</summary>
internal sealed class FacesDevFactAttribute : FactAttribute
{
    public FacesDevFactAttribute()
    {
        if (FacesDev.Directory is null)
        {
            Skip = "needs the development photos in ../shared/data/faces-dev beside the repository, which are absent here";
        }
    }
}
