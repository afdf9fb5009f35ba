using System.Drawing;

namespace StationEdge.Vision.Alignment;

/// <summary>
/// The standard five-point ArcFace 112×112 template (insightface's), and the four points BlazeFace gives us: its
/// mouth centre is the midpoint of the template's two mouth corners, since BlazeFace has one mouth point.
/// </summary>
public static class ArcFaceTemplate
{
    public const int Size = 112;

    public static PointF RightEye { get; } = new(38.2946f, 51.6963f);

    public static PointF LeftEye { get; } = new(73.5318f, 51.5014f);

    public static PointF NoseTip { get; } = new(56.0252f, 71.7366f);

    public static PointF MouthCenter { get; } = new(56.1396f, 92.2848f);

    /// <summary>The subject's right mouth corner (on the image's left).</summary>
    public static PointF RightMouth { get; } = new(41.5493f, 92.3655f);

    public static PointF LeftMouth { get; } = new(70.7299f, 92.2041f);

    /// <summary>Right eye, left eye, nose tip, mouth centre — the order <see cref="FaceAligner"/> uses.</summary>
    public static IReadOnlyList<PointF> Points { get; } = [RightEye, LeftEye, NoseTip, MouthCenter];

    /// <summary>Right eye, left eye, nose tip, right mouth corner, left mouth corner — the five-point order of <see cref="FaceAlignment"/>.</summary>
    public static IReadOnlyList<PointF> FivePoints { get; } = [RightEye, LeftEye, NoseTip, RightMouth, LeftMouth];
}
