using System.Drawing;

namespace StationEdge.Vision.Detection;

/// <summary>Index of each BlazeFace keypoint. "Right" is the subject's right, which is on the image's left.</summary>
public enum FaceKeypoint
{
    RightEye = 0,
    LeftEye = 1,
    NoseTip = 2,
    MouthCenter = 3,
    RightEar = 4,
    LeftEar = 5,
}

/// <summary>
/// One face in frame pixels, pixel-edge coordinates ((0,0) is the top-left corner of the first pixel, as
/// <see cref="Imaging.LetterboxTransform"/> gives them). <paramref name="Model"/> names the detector variant that found it.
/// </summary>
public sealed record DetectedFace(RectangleF Box, PointF[] Keypoints, float Score, string Model)
{
    public PointF this[FaceKeypoint keypoint] => Keypoints[(int)keypoint];

    public PointF RightEye => Keypoints[(int)FaceKeypoint.RightEye];

    public PointF LeftEye => Keypoints[(int)FaceKeypoint.LeftEye];

    public PointF NoseTip => Keypoints[(int)FaceKeypoint.NoseTip];

    public PointF MouthCenter => Keypoints[(int)FaceKeypoint.MouthCenter];
}
