using System.Drawing;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Liveness;

/// <summary>Spoof score of one face: lower is more live; <paramref name="IsLive"/> is Score &lt; Threshold.</summary>
public sealed record LivenessResult(float Score, bool IsLive, float Threshold);

/// <summary>
/// FaceAntiSpoofing on a 256×256 crop of the face: score = Σ |class prediction_i| · leaf mask_i over the
/// model's 8 leaves, live when below <see cref="Threshold"/>. About 50 ms a face on one thread: run it on
/// the frame that matched, not on every frame. Whether it catches photo or screen attacks is unmeasured.
/// Calls are serialised (one input buffer, reused); owns and disposes its session.
/// </summary>
public sealed class LivenessScorer : IDisposable
{
    public const int InputSize = 256;

    /// <summary>The original app's cut-off; 99% of 102 genuine development photos scored below it.</summary>
    public const float DefaultThreshold = 0.2f;

    /// <summary>
    /// How much the face box is enlarged (about its centre) before the crop. BlazeFace's box runs from the
    /// eyebrows to the chin and cuts it, tighter than the MTCNN boxes the original app cropped with; 1.2
    /// brings the crop close to those. Measured on the 68 faces of the development photos (all genuine):
    /// live at 0.2 for 65 with the bare box, 67 at 1.1–1.2, 68 from 1.75. There are no attack samples yet,
    /// so a wider crop is not known to be better at catching spoofs; 1.2 stays near the training crops.
    /// </summary>
    public const float DefaultCropScale = 1.2f;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[] _input = new float[InputSize * InputSize * 3];
    private readonly OrtValue[] _inputValues;
    private readonly Lock _gate = new();

    public LivenessScorer(InferenceSession session, float threshold = DefaultThreshold, float cropScale = DefaultCropScale)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!(threshold > 0f) || !float.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "liveness threshold must be a positive number");
        }

        if (!(cropScale is >= 0.5f and <= 4f))
        {
            throw new ArgumentOutOfRangeException(nameof(cropScale), cropScale, "liveness crop scale must be between 0.5 and 4");
        }

        if (session.InputNames.Count != 1 || session.OutputNames.Count != 2)
        {
            throw new InvalidOperationException(
                $"liveness model: expected 1 input and 2 outputs (class predictions, leaf mask), it has {session.InputNames.Count} and {session.OutputNames.Count}");
        }

        var dims = session.InputMetadata[session.InputNames[0]].Dimensions;
        if (dims.Length != 4 || dims[1] != InputSize || dims[2] != InputSize || dims[3] != 3)
        {
            throw new InvalidOperationException($"liveness model: expected an NHWC input [1,256,256,3], it declares [{string.Join(',', dims)}]");
        }

        // The TFLite graph names its outputs Identity (class predictions) and Identity_1 (leaf mask), as the
        // original app reads them; the converter keeps the names. Other names: take the declared order.
        var names = session.OutputNames;
        var predictions = names.FirstOrDefault(n => n == "Identity") ?? names[0];
        var mask = names.FirstOrDefault(n => n == "Identity_1") ?? names.First(n => n != predictions);

        _session = session;
        _inputNames = [session.InputNames[0]];
        _outputNames = [predictions, mask];
        _inputValues = [OrtValue.CreateTensorValueFromMemory(_input, [1, InputSize, InputSize, 3])];
        Threshold = threshold;
        CropScale = cropScale;

        lock (_gate)
        {
            Run(); // warm-up
        }
    }

    public float Threshold { get; }

    public float CropScale { get; }

    public LivenessResult Score(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        var crop = CropRegion(face.Box, image.Width, image.Height, CropScale);
        lock (_gate)
        {
            AffineWarp.WarpBilinear(image, CropMatrix(crop), InputSize, InputSize, _input, PixelNormalization.MobileFaceNetScale, PixelNormalization.MobileFaceNetOffset);
            var score = Run();
            return new LivenessResult(score, score < Threshold, Threshold);
        }
    }

    /// <summary>The 256×256 crop the model sees, for inspection.</summary>
    public RgbImage Crop(RgbImage image, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(face);
        return AffineWarp.WarpBilinear(image, CropMatrix(CropRegion(face.Box, image.Width, image.Height, CropScale)), InputSize, InputSize);
    }

    /// <summary>
    /// The square the crop is taken from, in pixel-edge coordinates: the face box made square around its
    /// centre (side = the longer of its sides × <paramref name="scale"/>), then moved inside the frame and, if
    /// the frame is smaller, shrunk to fit — as the original app did (MTCNN box → toSquareShape → limitSquare
    /// → crop → resize to 256), which keeps the crop free of padding the model never saw.
    /// </summary>
    public static RectangleF CropRegion(RectangleF faceBox, int frameWidth, int frameHeight, float scale = DefaultCropScale)
    {
        var side = Math.Min(Math.Max(faceBox.Width, faceBox.Height) * scale, Math.Min(frameWidth, frameHeight));
        if (!(side > 0))
        {
            throw new ArgumentException($"face box {faceBox} has no area inside a {frameWidth}x{frameHeight} frame", nameof(faceBox));
        }

        var cx = faceBox.X + (faceBox.Width / 2);
        var cy = faceBox.Y + (faceBox.Height / 2);
        var left = Math.Clamp(cx - (side / 2), 0, frameWidth - side);
        var top = Math.Clamp(cy - (side / 2), 0, frameHeight - side);
        return new RectangleF(left, top, side, side);
    }

    public void Dispose()
    {
        _inputValues[0].Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>Source → crop map in AffineWarp's pixel-centre convention (edge coordinates shifted by half a pixel).</summary>
    private static Matrix3x2 CropMatrix(RectangleF region)
    {
        var s = InputSize / region.Width;
        return new Matrix3x2(s, 0, 0, s, ((0.5f - region.X) * s) - 0.5f, ((0.5f - region.Y) * s) - 0.5f);
    }

    private float Run()
    {
        using var outputs = _session.Run(_runOptions, _inputNames, _inputValues, _outputNames);
        var predictions = outputs[0].GetTensorDataAsSpan<float>();
        var mask = outputs[1].GetTensorDataAsSpan<float>();
        if (predictions.Length != mask.Length)
        {
            throw new InvalidOperationException($"liveness model: {predictions.Length} class predictions but {mask.Length} mask values");
        }

        var score = 0f;
        for (var i = 0; i < predictions.Length; i++)
        {
            score += MathF.Abs(predictions[i]) * mask[i];
        }

        return score;
    }
}
