using System.Drawing;
using StationEdge.Vision.Detection;

namespace StationEdge.Vision.Quality;

/// <summary>Rough head pose from BlazeFace keypoints, good enough to gate enrollment and probes, not to measure.</summary>
public static class HeadPose
{
    /// <summary>
    /// Depth of the nose tip in front of the eye centres, as a fraction of the distance between the eyes
    /// (about 0.4 for an average adult head: nose tip roughly 25 mm in front of eyes about 63 mm apart).
    /// </summary>
    public const float NoseDepthOverEyeDistance = 0.4f;

    /// <summary>
    /// Yaw in degrees; 0 is frontal, positive when the nose has moved towards the image's right (the subject
    /// turned to their own left). Model: the eyes sit at ±d/2 on the face plane and the nose tip a depth h in
    /// front of their midpoint; turned by θ, the nose projects h·sinθ from the eye midpoint while the eyes
    /// project d·cosθ apart, so offset / eyeDistance = (h/d)·tanθ and θ = atan(offset / (eyeDistance · h/d)).
    /// The offset is measured along the eye axis, so head roll does not read as yaw.
    /// </summary>
    public static float EstimateYawDegrees(DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        return EstimateYawDegrees(face.RightEye, face.LeftEye, face.NoseTip);
    }

    /// <param name="imageLeftEye">The eye on the image's left (the subject's right eye).</param>
    /// <param name="imageRightEye">The eye on the image's right (the subject's left eye).</param>
    public static float EstimateYawDegrees(PointF imageLeftEye, PointF imageRightEye, PointF noseTip)
    {
        var ax = imageRightEye.X - imageLeftEye.X;
        var ay = imageRightEye.Y - imageLeftEye.Y;
        var eyeDistance = MathF.Sqrt((ax * ax) + (ay * ay));
        if (!(eyeDistance > 1e-3f))
        {
            // Eyes on one spot: the pose is undefined; reading it as fully turned makes any yaw gate reject it.
            return 90f;
        }

        var midX = (imageLeftEye.X + imageRightEye.X) / 2;
        var midY = (imageLeftEye.Y + imageRightEye.Y) / 2;
        var offset = (((noseTip.X - midX) * ax) + ((noseTip.Y - midY) * ay)) / eyeDistance;
        return MathF.Atan(offset / (eyeDistance * NoseDepthOverEyeDistance)) * (180f / MathF.PI);
    }

    public static float InterEyeDistance(DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        var dx = face.LeftEye.X - face.RightEye.X;
        var dy = face.LeftEye.Y - face.RightEye.Y;
        return MathF.Sqrt((dx * dx) + (dy * dy));
    }
}
