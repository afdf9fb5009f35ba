using System.Globalization;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Quality;

/// <summary>Why a face is not good enough to enrol or to decide on. <see cref="QualityGate.Code"/> gives its stable code.</summary>
public enum QualityProblem
{
    NoFace,
    SeveralFaces,
    TooSmall,
    Turned,
    Dark,
    Bright,
    Blurred,
}

/// <summary>
/// The gate's limits. Sharpness and brightness are measured on the aligned 112×112 face (the pixels the embedder sees),
/// so they mean the same for a 4000-px photo and a 640×480 frame. The defaults come from the faces-dev photos, as
/// <c>tests/bench/quality-survey.cs</c> measures them with the default embedder (faceplugin, mirror-averaged): 62
/// single-face photos, and their 38 same-person pairs, 26 of which match at 0.73 (the default rule's threshold at 100
/// workers). A limit sits where degrading the face starts to cost more than a few hundredths of score:
/// <list type="bullet">
/// <item><see cref="MinInterEyePx"/> 40: the limit, not a measured cliff: faces-dev's smallest single-face photo
/// has 47 px, and photos shrunk cleanly to 20 px between the eyes lost 0.02 of score (median) and 1 of the 26 matches; a
/// real camera's noise and compression at that size are not in the set, so the limit keeps a margin for them.</item>
/// <item><see cref="MaxYawDegrees"/> 30: the largest yaw of any faces-dev same-person pair is 30° (scores there 0.67–0.86);
/// beyond it the set holds no pair, so nothing shows recognition holds.</item>
/// <item><see cref="MinSharpness"/> 40: faces-dev's aligned faces measure 187–1677; blurred (Gaussian σ 1 on the aligned
/// face) they measure 43–107 and lose 0.03 of score, at σ 1.5 17–39 and 0.08, with 17 of the 26 matches lost.</item>
/// <item><see cref="MinBrightness"/> 40: faces-dev's darkest aligned face has mean luma 79; darkened to a mean of 44
/// (×0.35) scores drop by 0.04, to 32 (×0.25) by 0.05 with half the matches lost.</item>
/// <item><see cref="MaxBrightness"/> 190: the brightest faces-dev face has 186 and passes. Brightened synthetically (a
/// gain, which clips skin to white as a real over-exposure may not) to a mean of 162 (×1.3) scores drop by 0.02, to 185
/// (×1.6) by 0.07; the limit keeps every real photo of the set rather than following the synthetic figure.</item>
/// </list>
/// </summary>
public sealed record QualityGateOptions
{
    public const float DefaultMinInterEyePx = 40;
    public const float DefaultMaxYawDegrees = 30;
    public const float DefaultMinSharpness = 40;
    public const float DefaultMinBrightness = 40;
    public const float DefaultMaxBrightness = 190;

    public float MinInterEyePx { get; init; } = DefaultMinInterEyePx;

    public float MaxYawDegrees { get; init; } = DefaultMaxYawDegrees;

    public float MinSharpness { get; init; } = DefaultMinSharpness;

    public float MinBrightness { get; init; } = DefaultMinBrightness;

    public float MaxBrightness { get; init; } = DefaultMaxBrightness;

    /// <summary>
    /// The limits for a probe — a face at the door about to be matched — rather than a photo about to be enrolled: a
    /// face turned further than 60° or with less than 16 px between the eyes is not matched at all, and the door asks
    /// for a better look instead. Loose, because on the East Asian development photos a strict probe gate did not lower
    /// the share of strangers let in (the strangers who scored high were frontal, sharp photos); sharpness and
    /// brightness are not gated, as nothing measured them to separate bad probes from good ones.
    /// </summary>
    public static QualityGateOptions Probe { get; } = new()
    {
        MinInterEyePx = 16,
        MaxYawDegrees = 60,
        MinSharpness = 0,
        MinBrightness = 0,
        MaxBrightness = 255,
    };
}

/// <summary>What the gate measured on one face: inter-eye distance (frame pixels), yaw, and the aligned face's sharpness and brightness.</summary>
public sealed record QualityFigures(float InterEyePx, float YawDegrees, float Sharpness, float Brightness, float DetectorScore);

/// <summary>
/// The gate's answer. When <see cref="Passed"/> is false, <see cref="Problem"/> says which check failed and
/// <see cref="Message"/> says it with the figures ("the face is too small: 28 px between the eyes, at least 40").
/// <see cref="Face"/> is the face judged (null for no face or several).
/// </summary>
public sealed record QualityVerdict(QualityProblem? Problem, string Message, DetectedFace? Face, QualityFigures? Figures)
{
    public bool Passed => Problem is null;

    /// <summary>The problem's stable code (<c>too_small</c> …), or null when the face passed.</summary>
    public string? Code => Problem is { } problem ? QualityGate.Code(problem) : null;
}

/// <summary>
/// One face, big enough, facing the camera, lit and sharp: the checks a photo passes before it is enrolled, and a door
/// frame before its face may vote. Each refusal names the check and the figures, with a stable code per problem that a
/// user interface maps to guidance (<see cref="ChineseGuidance"/>). Checks run in a fixed order (size, yaw, darkness,
/// brightness, sharpness): a dark face also measures blurred, and the first cause is the one to fix.
/// </summary>
public sealed class QualityGate(QualityGateOptions? options = null)
{
    public QualityGateOptions Options { get; } = options ?? new QualityGateOptions();

    public static string Code(QualityProblem problem) => problem switch
    {
        QualityProblem.NoFace => "no_face",
        QualityProblem.SeveralFaces => "several_faces",
        QualityProblem.TooSmall => "too_small",
        QualityProblem.Turned => "turned",
        QualityProblem.Dark => "dark",
        QualityProblem.Bright => "bright",
        QualityProblem.Blurred => "blurred",
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
    };

    /// <summary>What to tell the person in front of the camera, in Chinese.</summary>
    public static string ChineseGuidance(QualityProblem problem) => problem switch
    {
        QualityProblem.NoFace => "请正对镜头",
        QualityProblem.SeveralFaces => "请一个人站在镜头前",
        QualityProblem.TooSmall => "请靠近一点",
        QualityProblem.Turned => "请正对镜头",
        QualityProblem.Dark => "光线太暗",
        QualityProblem.Bright => "光线太亮",
        QualityProblem.Blurred => "请站稳，不要晃动",
        _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
    };

    /// <summary>The figures the gate judges <paramref name="face"/> by (aligns it: about 0.1 ms).</summary>
    public static QualityFigures Measure(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        var eyes = HeadPose.InterEyeDistance(face);
        var yaw = HeadPose.EstimateYawDegrees(face);
        if (!FaceAligner.TryEstimateTransform(face, out var transform))
        {
            // Keypoints on one spot: nothing to align, so nothing is sharp or lit.
            return new QualityFigures(eyes, yaw, 0, 0, face.Score);
        }

        using var aligned = AffineWarp.WarpBilinear(image, transform.ToMatrix3x2(), FaceAligner.Size, FaceAligner.Size);
        return new QualityFigures(eyes, yaw, (float)ImageQuality.Sharpness(aligned), (float)ImageQuality.Brightness(aligned), face.Score);
    }

    /// <summary>An enrolment photo: exactly one face, and that face good enough.</summary>
    public QualityVerdict CheckPhoto(RgbImage image, IReadOnlyList<DetectedFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        return faces.Count switch
        {
            0 => new QualityVerdict(QualityProblem.NoFace, "no face found", null, null),
            1 => CheckFace(image, faces[0]),
            var n => new QualityVerdict(QualityProblem.SeveralFaces, $"{n} faces in the photo: enrol from a photo of the worker alone", null, null),
        };
    }

    /// <summary>One face (a door frame's main face, or a photo's only face).</summary>
    public QualityVerdict CheckFace(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        var o = Options;
        // Size and yaw come from the keypoints alone: a face that fails them is not warped at all.
        var eyes = HeadPose.InterEyeDistance(face);
        if (eyes < o.MinInterEyePx)
        {
            return TooSmall(face, new QualityFigures(eyes, HeadPose.EstimateYawDegrees(face), 0, 0, face.Score));
        }

        var figures = Measure(image, face);
        if (!(MathF.Abs(figures.YawDegrees) <= o.MaxYawDegrees))
        {
            return Turned(face, figures);
        }

        if (figures.Brightness < o.MinBrightness)
        {
            return Refuse(QualityProblem.Dark, $"the face is too dark: brightness {figures.Brightness:0} of 255, at least {o.MinBrightness:0}", face, figures);
        }

        if (figures.Brightness > o.MaxBrightness)
        {
            return Refuse(QualityProblem.Bright, $"the face is too bright: brightness {figures.Brightness:0} of 255, at most {o.MaxBrightness:0}", face, figures);
        }

        if (figures.Sharpness < o.MinSharpness)
        {
            return Refuse(QualityProblem.Blurred, $"the face is blurred: sharpness {figures.Sharpness:0}, at least {o.MinSharpness:0}", face, figures);
        }

        return new QualityVerdict(null, "ok", face, figures);
    }

    /// <summary>
    /// Size and yaw only, from what <see cref="FacePipeline.Analyze"/> already measured: the checks that need no pixels,
    /// for a face that is already embedded (a walk-up's frames). Sharpness and brightness are not judged here: the
    /// pipeline measures them on the face's box, not on the aligned face these limits are for.
    /// </summary>
    public QualityVerdict CheckPose(DetectedFace face, FaceQuality quality)
    {
        ArgumentNullException.ThrowIfNull(face);
        ArgumentNullException.ThrowIfNull(quality);
        var figures = new QualityFigures(quality.InterEyeDistance, quality.YawDegrees, 0, 0, quality.DetectorScore);
        return !(quality.InterEyeDistance >= Options.MinInterEyePx) ? TooSmall(face, figures)
            : !(MathF.Abs(quality.YawDegrees) <= Options.MaxYawDegrees) ? Turned(face, figures)
            : new QualityVerdict(null, "ok", face, figures);
    }

    private QualityVerdict TooSmall(DetectedFace face, QualityFigures figures) =>
        Refuse(QualityProblem.TooSmall, $"the face is too small: {figures.InterEyePx:0} px between the eyes, at least {Options.MinInterEyePx:0}", face, figures);

    private QualityVerdict Turned(DetectedFace face, QualityFigures figures) =>
        Refuse(QualityProblem.Turned, $"the face is turned: {MathF.Abs(figures.YawDegrees):0}° to the side, at most {Options.MaxYawDegrees:0}", face, figures);

    private static QualityVerdict Refuse(QualityProblem problem, FormattableString message, DetectedFace face, QualityFigures figures) =>
        new(problem, message.ToString(CultureInfo.InvariantCulture), face, figures);
}
