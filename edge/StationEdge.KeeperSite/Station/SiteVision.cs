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
/// The checks a face passes before it is enrolled: the door's own quality gate (StationEdge.Vision's
/// <see cref="QualityGate"/>, with its defaults and codes: too_small, turned, dark, bright, blurred), so the site, the
/// command line's enroll and the access loop judge a face alike.
/// </summary>
internal static class FaceCheck
{
    private static readonly QualityGate Gate = new();

    /// <summary>The person in front of the camera: the largest face.</summary>
    public static DetectedFace? Main(IReadOnlyList<DetectedFace> faces) =>
        faces.Count == 0 ? null : faces.MaxBy(f => f.Box.Width * f.Box.Height);

    /// <summary>
    /// The problem code of <paramref name="face"/>, or null when it may be enrolled; <paramref name="aligned"/> is its face
    /// aligned as <paramref name="alignment"/> aligns it, the way its template is made (the crop a later re-embedding reads).
    /// </summary>
    public static string? Problem(RgbImage image, DetectedFace face, FaceAlignment alignment, out RgbImage? aligned)
    {
        aligned = null;
        if (!FaceAligner.TryEstimateTransform(face, out _))
        {
            return QualityGate.Code(QualityProblem.NoFace);
        }

        var verdict = Gate.CheckFace(image, face);
        if (verdict.Code is { } problem)
        {
            return problem;
        }

        aligned = alignment.AlignToImage(image, face);
        return null;
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
