using System.Drawing;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Alignment;

/// <summary>Which points a face is aligned on (<c>Vision:Alignment</c>).</summary>
public enum AlignmentMethod
{
    /// <summary>
    /// Five points from faceplugin's 68 landmarks, least squares onto the five-point ArcFace template: the default,
    /// because BlazeFace's points come from a 128×128 input and its nose sat 3–7 template pixels off.
    /// </summary>
    Landmarks,

    /// <summary>BlazeFace's four keypoints (eyes, nose tip, mouth centre): the path before, kept for comparison.</summary>
    Keypoints,
}

/// <summary>How one face was aligned: the frame → 112×112 map, the points it was fitted on, and how far the landmarks sat from the detector's keypoints.</summary>
/// <param name="Disagreement">The largest distance between a landmark point and the detector's matching keypoint, in detector eye distances; null on the keypoint path without landmarks.</param>
public sealed record AlignmentFit(AffineMatrix Transform, AlignmentMethod Method, float? Disagreement);

/// <summary>Faces aligned so far by each path: <see cref="Fallbacks"/> are landmark fits refused for disagreeing with the detector.</summary>
public readonly record struct AlignmentCounts(long Landmarks, long Fallbacks);

/// <summary>
/// Aligns a detected face onto the ArcFace 112×112 template. With a <see cref="FaceLandmarker"/> (the default):
/// five points as faceplugin's own pipeline takes them from its 68 — each eye's centre the mean of its two upper and
/// two lower lid points (37, 38, 40, 41 and 43, 44, 46, 47; the corners 36/39 and 42/45 are left out, as that package
/// does), the nose tip 30, each mouth corner the mean of its outer and inner lip corner (48 and 60, 54 and 64) —
/// fitted by least squares (Umeyama) onto the standard five-point template; not that package's exact 3-point warp,
/// which was far worse. When the landmarks disagree with the detector's keypoints by more than
/// <see cref="MaxDisagreement"/> eye distances (a failed fit: the box missed the face, or the model lost it) the face
/// falls back to the keypoint path, counted in <see cref="Counts"/>. Thread-safe; does not own the landmarker.
/// </summary>
public sealed class FaceAlignment
{
    /// <summary>
    /// Half the detector's eye distance. On the development sets landmark and keypoint points agree to about a tenth of
    /// it (the nose, the worst, 3–7 of the template's 35 px between the eyes); a landmark point half an eye distance off is
    /// on another feature, not a better estimate of the same one.
    /// </summary>
    public const float DefaultMaxDisagreement = 0.5f;

    private static readonly int[] RightEyePoints = [37, 38, 40, 41];
    private static readonly int[] LeftEyePoints = [43, 44, 46, 47];
    private const int NoseTip = 30;
    private const int RightMouthOuter = 48;
    private const int RightMouthInner = 60;
    private const int LeftMouthOuter = 54;
    private const int LeftMouthInner = 64;

    private readonly FaceLandmarker? _landmarker;
    private long _landmarks;
    private long _fallbacks;

    /// <param name="landmarker">The landmark model, or null for the keypoint path.</param>
    /// <param name="maxDisagreement">The fallback rule (see the class summary), in detector eye distances.</param>
    public FaceAlignment(FaceLandmarker? landmarker, float maxDisagreement = DefaultMaxDisagreement)
    {
        if (!(maxDisagreement > 0f) || !float.IsFinite(maxDisagreement))
        {
            throw new ArgumentOutOfRangeException(nameof(maxDisagreement), maxDisagreement, "must be a positive number of eye distances");
        }

        _landmarker = landmarker;
        MaxDisagreement = maxDisagreement;
    }

    /// <summary>The keypoint path alone (no landmark model).</summary>
    public static FaceAlignment Keypoints { get; } = new(null);

    public AlignmentMethod Method => _landmarker is null ? AlignmentMethod.Keypoints : AlignmentMethod.Landmarks;

    public float MaxDisagreement { get; }

    /// <summary>
    /// What this alignment adds to the template tag (<see cref="Embedding.FaceEmbedder.TemplateTag"/>): null on the
    /// keypoint path, so templates made before landmarks keep their tag; "landmarks:" and the landmark model's sha256
    /// otherwise, so a gallery never compares crops aligned two ways (or on two landmark models).
    /// </summary>
    public string? TagSuffix => _landmarker is null ? null : LandmarkTag(_landmarker.ModelSha256);

    /// <summary>The <see cref="TagSuffix"/> of alignment on the landmark model with this sha256.</summary>
    public static string LandmarkTag(string landmarkModelSha256) => "landmarks:" + landmarkModelSha256.ToLowerInvariant();

    public AlignmentCounts Counts => new(Interlocked.Read(ref _landmarks), Interlocked.Read(ref _fallbacks));

    /// <summary>
    /// The frame → template map for <paramref name="face"/>; false when neither path can fit it (keypoints collapsed
    /// onto one spot, a face too small to align).
    /// </summary>
    public bool TryFit(RgbImage image, DetectedFace face, out AlignmentFit fit)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        fit = null!;
        if (_landmarker is not null)
        {
            var points = _landmarker.Detect(image, face.Box);
            if (points is not null)
            {
                var five = FivePoints(points);
                var disagreement = Disagreement(five, face);
                if (disagreement <= MaxDisagreement && TryFitFive(five, out var transform))
                {
                    Interlocked.Increment(ref _landmarks);
                    fit = new AlignmentFit(transform, AlignmentMethod.Landmarks, disagreement);
                    return true;
                }

                Interlocked.Increment(ref _fallbacks);
                if (!FaceAligner.TryEstimateTransform(face, out var fallback))
                {
                    return false;
                }

                fit = new AlignmentFit(fallback, AlignmentMethod.Keypoints, float.IsFinite(disagreement) ? disagreement : null);
                return true;
            }

            Interlocked.Increment(ref _fallbacks);
        }

        if (!FaceAligner.TryEstimateTransform(face, out var keypoints))
        {
            return false;
        }

        fit = new AlignmentFit(keypoints, AlignmentMethod.Keypoints, null);
        return true;
    }

    /// <summary>
    /// Writes the aligned face into <paramref name="destination"/> (<see cref="FaceAligner.TensorLength"/> floats),
    /// value = pixel · scale + offset; false (nothing written) when <see cref="TryFit"/> is.
    /// </summary>
    public bool TryAlign(
        RgbImage image,
        DetectedFace face,
        Span<float> destination,
        out AlignmentFit fit,
        float scale = PixelNormalization.MobileFaceNetScale,
        float offset = PixelNormalization.MobileFaceNetOffset)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (destination.Length < FaceAligner.TensorLength)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats, an aligned face needs {FaceAligner.TensorLength}", nameof(destination));
        }

        if (!TryFit(image, face, out fit))
        {
            return false;
        }

        AffineWarp.WarpBilinear(image, fit.Transform.ToMatrix3x2(), FaceAligner.Size, FaceAligner.Size, destination[..FaceAligner.TensorLength], scale, offset);
        return true;
    }

    /// <summary>The aligned face as a 112×112 image (kept crops, thumbnails); the embedder takes the tensor.</summary>
    /// <exception cref="ArgumentException">The face cannot be aligned by either path.</exception>
    public RgbImage AlignToImage(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        return TryFit(image, face, out var fit)
            ? AffineWarp.WarpBilinear(image, fit.Transform.ToMatrix3x2(), FaceAligner.Size, FaceAligner.Size)
            : throw SimilarityTransform.Degenerate(nameof(face));
    }

    /// <summary>Right eye, left eye, nose tip, right mouth corner, left mouth corner (the subject's sides) from the 68 points.</summary>
    public static PointF[] FivePoints(ReadOnlySpan<PointF> landmarks)
    {
        if (landmarks.Length != FaceLandmarker.PointCount)
        {
            throw new ArgumentException($"expected {FaceLandmarker.PointCount} landmarks, got {landmarks.Length}", nameof(landmarks));
        }

        return
        [
            Mean(landmarks, RightEyePoints),
            Mean(landmarks, LeftEyePoints),
            landmarks[NoseTip],
            Mean(landmarks, [RightMouthOuter, RightMouthInner]),
            Mean(landmarks, [LeftMouthOuter, LeftMouthInner]),
        ];
    }

    /// <summary>
    /// The fallback measure: the largest distance from a landmark point (eyes, nose tip, the mouth corners' midpoint) to
    /// the detector's keypoint for it, over the detector's eye distance; infinity when the detector's eyes coincide.
    /// </summary>
    public static float Disagreement(ReadOnlySpan<PointF> five, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        var eyes = Distance(face.RightEye, face.LeftEye);
        if (!(eyes > 1e-3f))
        {
            return float.PositiveInfinity;
        }

        var mouth = new PointF((five[3].X + five[4].X) / 2f, (five[3].Y + five[4].Y) / 2f);
        var worst = MathF.Max(
            MathF.Max(Distance(five[0], face.RightEye), Distance(five[1], face.LeftEye)),
            MathF.Max(Distance(five[2], face.NoseTip), Distance(mouth, face.MouthCenter)));
        return worst / eyes;
    }

    private static bool TryFitFive(ReadOnlySpan<PointF> five, out AffineMatrix transform)
    {
        // Pixel-edge points to the pixel-centre convention of the template and the warp, as for the keypoints.
        Span<PointF> source = stackalloc PointF[5];
        Span<PointF> target = stackalloc PointF[5];
        for (var i = 0; i < 5; i++)
        {
            source[i] = new PointF(five[i].X - 0.5f, five[i].Y - 0.5f);
            target[i] = ArcFaceTemplate.FivePoints[i];
        }

        return SimilarityTransform.TryEstimate(source, target, out transform);
    }

    private static PointF Mean(ReadOnlySpan<PointF> points, ReadOnlySpan<int> indices)
    {
        float x = 0, y = 0;
        foreach (var i in indices)
        {
            x += points[i].X;
            y += points[i].Y;
        }

        return new PointF(x / indices.Length, y / indices.Length);
    }

    private static float Distance(PointF a, PointF b) => MathF.Sqrt(((a.X - b.X) * (a.X - b.X)) + ((a.Y - b.Y) * (a.Y - b.Y)));
}
