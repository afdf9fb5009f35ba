using System.Drawing;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Quality;

/// <summary>
/// Quality signals for one detected face, for gating enrollment and probes.
/// <paramref name="InterEyeDistance"/> in frame pixels; <paramref name="YawDegrees"/> from
/// <see cref="HeadPose.EstimateYawDegrees(DetectedFace)"/>; <paramref name="Sharpness"/> is the variance of the
/// Laplacian of luma inside the face box (scale-dependent: compare faces of similar pixel size);
/// <paramref name="Brightness"/> the mean luma (0–255) inside the box.
/// </summary>
public sealed record FaceQuality(float DetectorScore, float InterEyeDistance, float YawDegrees, float Sharpness, float Brightness)
{
    public static FaceQuality Measure(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        var box = Rectangle.Intersect(Rectangle.Round(face.Box), new Rectangle(0, 0, image.Width, image.Height));
        var inside = box.Width > 0 && box.Height > 0;
        return new FaceQuality(
            face.Score,
            HeadPose.InterEyeDistance(face),
            HeadPose.EstimateYawDegrees(face),
            inside ? (float)ImageQuality.Sharpness(image, box) : 0f,
            inside ? (float)ImageQuality.Brightness(image, box) : 0f);
    }
}
