using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Support;

/// <summary>Decodes photos of the faces-dev set (tests using it carry <see cref="FacesDevFactAttribute"/>).</summary>
internal static class FacesDevPhotos
{
    public static async Task<RgbImage> LoadAsync(string fileName)
    {
        var photo = await new PhotoDecoder().DecodeAsync(FacesDev.Photo(fileName), CancellationToken.None);
        return photo.Image;
    }
}
