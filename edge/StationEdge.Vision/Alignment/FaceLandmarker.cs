using System.Drawing;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Alignment;

/// <summary>
/// faceplugin's fr_landmark (npm faceplugin-face-recognition-js): 68 iBUG points from a 64×64 grey crop of the
/// detector's box, fed as the box is (scale 1.0, no rotation), value/256, NCHW [1,1,64,64]; the output [1,136] is
/// (x, y) pairs as fractions of the crop. The box is shifted to lie inside the frame, as that package does, so a face
/// at the edge is not squeezed. Calls are serialised (one input buffer, reused); owns and disposes its session.
/// </summary>
public sealed class FaceLandmarker : IDisposable
{
    public const int InputSize = 64;

    public const int PointCount = 68;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[] _input = new float[InputSize * InputSize];
    private readonly OrtValue _inputValue;
    private readonly RgbImage _crop = new(InputSize, InputSize);
    private readonly Lock _gate = new();

    /// <param name="session">Session over faceplugin-landmark.onnx.</param>
    /// <param name="modelSha256">That file's sha256: it goes into the template tag of faces aligned on its points.</param>
    public FaceLandmarker(InferenceSession session, string modelSha256)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelSha256);
        if (session.InputNames.Count != 1 || session.OutputNames.Count != 1)
        {
            throw new InvalidOperationException(
                $"landmark model: expected 1 input and 1 output, it has {session.InputNames.Count} and {session.OutputNames.Count}");
        }

        var input = session.InputMetadata[session.InputNames[0]].Dimensions;
        if (input is not [1 or -1, 1, InputSize, InputSize])
        {
            throw new InvalidOperationException($"landmark model: expected an input [1,1,64,64], it declares [{string.Join(',', input)}]");
        }

        var output = session.OutputMetadata[session.OutputNames[0]].Dimensions;
        if (output is not [1 or -1, PointCount * 2])
        {
            throw new InvalidOperationException($"landmark model: expected an output [1,136], it declares [{string.Join(',', output)}]");
        }

        _session = session;
        _inputNames = [session.InputNames[0]];
        _outputNames = [session.OutputNames[0]];
        ModelSha256 = modelSha256;
        _inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(), [1, 1, InputSize, InputSize]);

        // Warm-up: the first run pays ORT's lazy set-up, not the first visitor.
        using var warm = _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames);
    }

    public string ModelSha256 { get; }

    /// <summary>
    /// The 68 points of the face in <paramref name="box"/> (frame pixels, pixel-edge), in the same coordinates;
    /// null when the box has no area inside the frame or the model's output is not finite.
    /// </summary>
    public PointF[]? Detect(RgbImage image, RectangleF box)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!TryCropRegion(image, box, out var region))
        {
            return null;
        }

        lock (_gate)
        {
            ImageOps.ResizeBilinear(image, region, _crop);
            var pixels = _crop.Pixels;
            for (var i = 0; i < _input.Length; i++)
            {
                // OpenCV's RGB → grey weights, then the package's value/256.
                var p = i * 3;
                var grey = (0.299f * pixels[p]) + (0.587f * pixels[p + 1]) + (0.114f * pixels[p + 2]);
                _input[i] = MathF.Round(grey) / 256f;
            }

            using var outputs = _session.Run(_runOptions, _inputNames, [_inputValue], _outputNames);
            var values = outputs[0].GetTensorDataAsSpan<float>();
            if (values.Length != PointCount * 2)
            {
                throw new InvalidOperationException($"landmark model returned {values.Length} values, expected {PointCount * 2}");
            }

            var points = new PointF[PointCount];
            for (var i = 0; i < PointCount; i++)
            {
                var fx = values[2 * i];
                var fy = values[(2 * i) + 1];
                if (!float.IsFinite(fx) || !float.IsFinite(fy))
                {
                    return null;
                }

                points[i] = new PointF(region.X + (fx * region.Width), region.Y + (fy * region.Height));
            }

            return points;
        }
    }

    /// <summary>
    /// The package's crop: the box in whole pixels, moved (not shrunk) to lie inside the frame, and clipped only when
    /// it is larger than the frame.
    /// </summary>
    internal static bool TryCropRegion(RgbImage image, RectangleF box, out Rectangle region)
    {
        region = default;
        if (!float.IsFinite(box.X) || !float.IsFinite(box.Y) || !float.IsFinite(box.Width) || !float.IsFinite(box.Height))
        {
            return false;
        }

        var width = Math.Min((int)MathF.Round(box.Width), image.Width);
        var height = Math.Min((int)MathF.Round(box.Height), image.Height);
        if (width < 2 || height < 2)
        {
            return false;
        }

        var x = Math.Clamp((int)MathF.Round(box.X), 0, image.Width - width);
        var y = Math.Clamp((int)MathF.Round(box.Y), 0, image.Height - height);
        region = new Rectangle(x, y, width, height);
        return true;
    }

    public void Dispose()
    {
        _inputValue.Dispose();
        _runOptions.Dispose();
        _crop.Dispose();
        _session.Dispose();
    }
}
