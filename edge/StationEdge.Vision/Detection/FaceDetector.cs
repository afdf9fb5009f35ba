using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Detection;

/// <summary>
/// BlazeFace detector: the short-range (front) model first, the full-range (back) model when the front one
/// finds no face or only small ones (see <see cref="FaceDetectorOptions.BackModelBelowFaceFraction"/>) — a door
/// camera sees one person close up, so the slower back model rarely runs.
/// Calls are serialised (one input buffer per model, reused every frame); owns and disposes its sessions.
/// </summary>
public sealed class FaceDetector : IDisposable
{
    private readonly BlazeFaceRunner _front;
    private readonly BlazeFaceRunner? _back;
    private readonly Lock _gate = new();

    /// <param name="front">Session over blazeface-front.onnx (128×128).</param>
    /// <param name="back">Session over blazeface-back.onnx (256×256), or null for no fallback.</param>
    public FaceDetector(
        InferenceSession front,
        InferenceSession? back = null,
        FaceDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(front);
        Options = options ?? new FaceDetectorOptions();
        if (!(Options.BackModelBelowFaceFraction is >= 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.BackModelBelowFaceFraction, "BackModelBelowFaceFraction must be in [0, 1]");
        }

        _front = new BlazeFaceRunner(front, BlazeFaceModel.Front, Options.ScoreThreshold, Options.NmsIoU);
        try
        {
            _back = back is null ? null : new BlazeFaceRunner(back, BlazeFaceModel.Back, Options.ScoreThreshold, Options.NmsIoU);
        }
        catch
        {
            _front.Dispose();
            throw;
        }
    }

    public FaceDetectorOptions Options { get; }

    /// <summary>
    /// Every face found, highest score first (callers wanting one face take the first: the highest-scoring
    /// face, not the largest, because the largest box above threshold was a false positive on a real photo).
    /// Coordinates are pixel-edge: (0,0) is the top-left corner of the first pixel.
    /// </summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            var faces = _front.Detect(image);
            if (_back is null || (faces.Count > 0 && !OnlySmallFaces(faces, image)))
            {
                return faces;
            }

            var fromBack = _back.Detect(image);
            return fromBack.Count > 0 ? fromBack : faces;
        }
    }

    /// <summary>One model only, no fallback: for diagnostics and tests of each model.</summary>
    public IReadOnlyList<DetectedFace> Detect(RgbImage image, BlazeFaceModel model)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(model);
        var runner = model == BlazeFaceModel.Front ? _front
            : model == BlazeFaceModel.Back ? _back ?? throw new InvalidOperationException("this detector was built without the back model")
            : throw new ArgumentException($"unknown BlazeFace model {model.Name}", nameof(model));
        lock (_gate)
        {
            return runner.Detect(image);
        }
    }

    private bool OnlySmallFaces(List<DetectedFace> faces, RgbImage image)
    {
        var largest = faces.Max(f => Math.Max(f.Box.Width, f.Box.Height));
        return largest < Options.BackModelBelowFaceFraction * Math.Max(image.Width, image.Height);
    }

    public void Dispose()
    {
        _front.Dispose();
        _back?.Dispose();
    }
}
