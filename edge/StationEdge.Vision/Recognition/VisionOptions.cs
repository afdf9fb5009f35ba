using StationEdge.Vision.Detection;
using StationEdge.Vision.Liveness;

namespace StationEdge.Vision.Recognition;

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

    public float LivenessThreshold { get; init; } = LivenessScorer.DefaultThreshold;

    public float LivenessCropScale { get; init; } = LivenessScorer.DefaultCropScale;
}
