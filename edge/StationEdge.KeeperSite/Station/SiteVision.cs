using System.Drawing;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// The keeper site's own face models (detector and embedder, one ONNX Runtime thread), loaded from the models folder at
/// first use. Separate sessions from the access loop's, so a preview or an enrolment never waits on the door's locks.
/// </summary>
public sealed class SiteVision(string modelsPath) : IDisposable
{
    private readonly Lazy<FacePipeline> _pipeline = new(() => FacePipeline.Load(modelsPath, new VisionOptions
    {
        IntraOpThreads = 1,
        Parts = FaceModelParts.Detector | FaceModelParts.Embedder,
    }));

    public string ModelsPath { get; } = modelsPath;

    public FacePipeline Pipeline => _pipeline.Value;

    public void Dispose()
    {
        if (_pipeline.IsValueCreated)
        {
            _pipeline.Value.Dispose();
        }
    }
}

/// <summary>
/// The checks a face passes before it is enrolled, with the quality gate's codes and limits (at least 40 px between the
/// eyes, at most 30° of yaw, the aligned face's mean luma 40–190 and Laplacian variance at least 20), measured on the
/// aligned 112×112 face. The door's own gate (StationEdge.Vision's QualityGate, coming with the daemon) uses the same
/// codes; when it lands this class should call it instead.
/// </summary>
internal static class FaceCheck
{
    public const float MinInterEyePx = 40;
    public const float MaxYawDegrees = 30;
    public const float MinBrightness = 40;
    public const float MaxBrightness = 190;
    public const float MinSharpness = 20;

    /// <summary>The person in front of the camera: the largest face.</summary>
    public static DetectedFace? Main(IReadOnlyList<DetectedFace> faces) =>
        faces.Count == 0 ? null : faces.MaxBy(f => f.Box.Width * f.Box.Height);

    /// <summary>The problem code of <paramref name="face"/>, or null when it may be enrolled; <paramref name="aligned"/> is its aligned face.</summary>
    public static string? Problem(RgbImage image, DetectedFace face, out RgbImage? aligned)
    {
        aligned = null;
        if (HeadPose.InterEyeDistance(face) < MinInterEyePx)
        {
            return "too_small";
        }

        if (MathF.Abs(HeadPose.EstimateYawDegrees(face)) > MaxYawDegrees)
        {
            return "turned";
        }

        if (!FaceAligner.TryEstimateTransform(face, out _))
        {
            return "no_face";
        }

        aligned = FaceAligner.AlignToImage(image, face);
        var brightness = ImageQuality.Brightness(aligned);
        return brightness < MinBrightness ? "dark"
            : brightness > MaxBrightness ? "bright"
            : ImageQuality.Sharpness(aligned) < MinSharpness ? "blurred"
            : null;
    }

    /// <summary>Draws a box 3 px wide (clipped to the image).</summary>
    public static void DrawBox(RgbImage image, RectangleF box, (byte R, byte G, byte B) colour)
    {
        var r = Rectangle.Intersect(Rectangle.Round(box), new Rectangle(0, 0, image.Width, image.Height));
        if (r.Width < 2 || r.Height < 2)
        {
            return;
        }

        for (var t = 0; t < 3; t++)
        {
            image.Fill(colour.R, colour.G, colour.B, new Rectangle(r.X, r.Y + t, r.Width, 1));
            image.Fill(colour.R, colour.G, colour.B, new Rectangle(r.X, r.Bottom - 1 - t, r.Width, 1));
            image.Fill(colour.R, colour.G, colour.B, new Rectangle(r.X + t, r.Y, 1, r.Height));
            image.Fill(colour.R, colour.G, colour.B, new Rectangle(r.Right - 1 - t, r.Y, 1, r.Height));
        }
    }
}
