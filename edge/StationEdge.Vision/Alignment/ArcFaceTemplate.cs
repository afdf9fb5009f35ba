using System.Drawing;

namespace StationEdge.Vision.Alignment;

/// <summary>
/// Where the ArcFace 112×112 crop puts the four keypoints BlazeFace gives us. The mouth centre is the
/// midpoint of the template's two mouth corners, since BlazeFace has one mouth point.
/// </summary>
public static class ArcFaceTemplate
{
    public const int Size = 112;

    public static PointF RightEye { get; } = new(38.2946f, 51.6963f);

    public static PointF LeftEye { get; } = new(73.5318f, 51.5014f);

    public static PointF NoseTip { get; } = new(56.0252f, 71.7366f);

    public static PointF MouthCenter { get; } = new(56.1396f, 92.2848f);

    /// <summary>Right eye, left eye, nose tip, mouth centre — the order <see cref="FaceAligner"/> uses.</summary>
    public static IReadOnlyList<PointF> Points { get; } = [RightEye, LeftEye, NoseTip, MouthCenter];
}
