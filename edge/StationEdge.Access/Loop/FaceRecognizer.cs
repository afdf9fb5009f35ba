using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Quality;

namespace StationEdge.Access;

/// <summary>
/// One face of one frame, looked at: the quality gate's verdict and, when the face passed, its match in the gallery.
/// <see cref="Vote"/> is the worker the frame counts for in a walk-up (null: an unknown face, or an unusable one).
/// </summary>
public sealed record FaceLook(DetectedFace Face, QualityVerdict Quality, GalleryMatch? Match, string? Vote)
{
    /// <summary>The embedding that was matched (fused over the walk-up when the loop fused it); null when not matched.</summary>
    public float[]? Probe { get; init; }

    /// <summary>The face passed the gate and was matched: the frame counts in a walk-up.</summary>
    public bool Usable => Match is not null;
}

/// <summary>
/// Frame → decision, shared by the access loop (frame after frame) and <c>identify</c> (one photo): which face to follow,
/// the quality gate, the gallery match, liveness on the matched face, and <see cref="AccessRule"/>.
/// </summary>
public sealed class FaceRecognizer(StationVision vision, StationGallery gallery, AccessPolicy policy, bool requireLiveness)
{
    public AccessPolicy Policy => policy;

    public StationGallery Gallery => gallery;

    /// <summary>
    /// The face to follow: the largest and most frontal, by inter-eye distance × cos(yaw) — the rider at the door, not
    /// someone passing behind, and not the detector's most confident face, which may be a small one.
    /// </summary>
    public static DetectedFace? MainFace(IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        DetectedFace? best = null;
        var bestWeight = float.NegativeInfinity;
        foreach (var face in faces)
        {
            var weight = HeadPose.InterEyeDistance(face) * MathF.Cos(float.DegreesToRadians(Math.Clamp(HeadPose.EstimateYawDegrees(face), -90f, 90f)));
            if (weight > bestWeight)
            {
                (best, bestWeight) = (face, weight);
            }
        }

        return best;
    }

    /// <summary>
    /// Gates and, when the face passes, embeds and matches it; with <paramref name="fuse"/>, by the embedding it returns
    /// for the face's (a walk-up's frames fused).
    /// </summary>
    public FaceLook Look(RgbImage image, DetectedFace face, Func<float[], float[]>? fuse = null)
    {
        var quality = vision.Gate.CheckFace(image, face);
        if (!quality.Passed)
        {
            return new FaceLook(face, quality, null, null);
        }

        var analysis = vision.Pipeline.Analyze(image, [face]);
        if (analysis.Length == 0)
        {
            // Keypoints the aligner cannot use: no better than a face that failed the gate.
            return new FaceLook(face, quality, null, null);
        }

        var probe = fuse is null ? analysis[0].Embedding : fuse(analysis[0].Embedding);
        var match = gallery.Match(probe);
        return new FaceLook(face, quality, match, match.Match.IsKnown ? match.Match.WorkerId : null) { Probe = probe };
    }

    /// <summary>
    /// Liveness of a looked-at face that matched a worker, when <c>Access:RequireLiveness</c> (about 50 ms: only for
    /// frames that vote for a worker); null when not required or nobody matched.
    /// </summary>
    public LivenessResult? CheckLiveness(RgbImage image, FaceLook look)
    {
        ArgumentNullException.ThrowIfNull(look);
        return requireLiveness && look.Vote is not null ? vision.Pipeline.CheckLiveness(image, look.Face) : null;
    }

    /// <summary>
    /// The rule on a looked-at face: <see cref="AccessRule.Decide"/> with the liveness of this face, or of an earlier
    /// frame of the same walk-up that matched the same worker (<paramref name="liveness"/>), scored here when not given.
    /// </summary>
    public FrameDecision Decide(RgbImage image, FaceLook look, DateTimeOffset now, LivenessResult? liveness = null)
    {
        ArgumentNullException.ThrowIfNull(look);
        var match = look.Match ?? throw new ArgumentException("the face was not matched (it failed the quality gate)", nameof(look));
        return AccessRule.Decide(match.Match, match.Worker, now, policy, liveness ?? CheckLiveness(image, look));
    }

    /// <summary>
    /// The door's rule on one photo (<c>identify</c>): the main face, the gate (a face that fails it is refused with the
    /// gate's code and message), the match, liveness and the rule. One frame's vote: the door itself also needs the
    /// agreement of <c>Access:AgreeFrames</c> frames of a walk-up.
    /// </summary>
    public FrameDecision IdentifyPhoto(RgbImage image, DateTimeOffset now)
    {
        var face = MainFace(vision.Pipeline.Detect(image));
        if (face is null)
        {
            return FrameDecision.RefusedWithoutMatch(QualityGate.Code(QualityProblem.NoFace), "no face found", now);
        }

        var look = Look(image, face);
        return look.Usable
            ? Decide(image, look, now)
            : FrameDecision.RefusedWithoutMatch(look.Quality.Code ?? QualityGate.Code(QualityProblem.NoFace), look.Quality.Message, now);
    }
}
