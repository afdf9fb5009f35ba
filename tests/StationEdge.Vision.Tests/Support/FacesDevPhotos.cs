using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Support;

/// <summary>Decodes photos of the faces-dev set (tests using it carry <see cref="FacesDevFactAttribute"/>).</summary>
internal static class FacesDevPhotos
{
    public static async Task<RgbImage> LoadAsync(string fileName)
    {
        var folder = RepoPaths.FacesDev ?? throw new InvalidOperationException("faces-dev is absent; mark the test [FacesDevFact]");
        var photo = await new PhotoDecoder().DecodeAsync(Path.Combine(folder, fileName), CancellationToken.None);
        return photo.Image;
    }
}
