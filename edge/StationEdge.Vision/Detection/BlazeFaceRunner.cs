using System.Drawing;
using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Detection;

/// <summary>
/// One BlazeFace session with its input and output tensors made once, over arrays reused every frame: letterbox
/// into the input array, run into the output arrays, decode; ONNX Runtime allocates no tensor per frame.
/// Not thread-safe (the buffers are shared); <see cref="FaceDetector"/> serialises calls.
/// </summary>
internal sealed class BlazeFaceRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly float[] _input;
    private readonly OrtValue[] _inputValues;
    private readonly string[] _inputNames;

    // Outputs in the order fine scores, coarse scores, fine regressors, coarse regressors (the output with
    // more rows holds the first, fine-grid anchors), each over an array allocated once and reused.
    private readonly string[] _outputNames;
    private readonly float[][] _outputs;
    private readonly OrtValue[] _outputValues;
    private readonly List<FaceCandidate> _candidates = [];

    public BlazeFaceRunner(InferenceSession session, BlazeFaceModel model, float scoreThreshold, float nmsIoU)
    {
        Model = model;
        Decoder = new BlazeFaceDecoder(model, scoreThreshold, nmsIoU);
        if (session.InputNames.Count != 1 || session.OutputNames.Count != 4)
        {
            throw new InvalidOperationException(
                $"{model.Name}: expected 1 input and 4 outputs (BlazeFace), the model has {session.InputNames.Count} and {session.OutputNames.Count}");
        }

        _inputNames = [session.InputNames[0]];
        var dims = session.InputMetadata[_inputNames[0]].Dimensions;
        if (dims.Length != 4 || dims[1] != model.InputSize || dims[2] != model.InputSize || dims[3] != 3)
        {
            throw new InvalidOperationException(
                $"{model.Name}: expected an NHWC input [1,{model.InputSize},{model.InputSize},3], the model declares [{string.Join(',', dims)}]");
        }

        _outputNames = OrderOutputs(session, model, Decoder.AnchorCount);
        _session = session;
        _input = new float[model.InputSize * model.InputSize * 3];
        _outputs = new float[_outputNames.Length][];
        _outputValues = new OrtValue[_outputNames.Length];
        _inputValues = new OrtValue[1];
        try
        {
            _inputValues[0] = OrtValue.CreateTensorValueFromMemory(_input, [1, model.InputSize, model.InputSize, 3]);
            for (var i = 0; i < _outputNames.Length; i++)
            {
                var shape = session.OutputMetadata[_outputNames[i]].Dimensions.Select(d => (long)Math.Max(d, 1)).ToArray();
                _outputs[i] = new float[shape.Aggregate(1L, (a, b) => a * b)];
                _outputValues[i] = OrtValue.CreateTensorValueFromMemory(_outputs[i], shape);
            }

            // Warm-up: the first run pays for ORT's lazy allocations; better at start-up than at the first visitor.
            RunAndDecode();
        }
        catch
        {
            DisposeValues();
            _runOptions.Dispose();
            throw;
        }
    }

    public BlazeFaceModel Model { get; }

    public BlazeFaceDecoder Decoder { get; }

    /// <summary>Faces in <paramref name="image"/>'s pixel-edge coordinates, highest score first.</summary>
    public List<DetectedFace> Detect(RgbImage image)
    {
        var size = Model.InputSize;
        var placement = Letterbox.ToSquare(image, size, _input, PixelNormalization.BlazeFaceScale, PixelNormalization.BlazeFaceOffset);
        var faces = RunAndDecode();
        var result = new List<DetectedFace>(faces.Count);
        foreach (var face in faces)
        {
            var topLeft = placement.ToSourceFromNormalized(new Vector2(face.Box.Left, face.Box.Top));
            var bottomRight = placement.ToSourceFromNormalized(new Vector2(face.Box.Right, face.Box.Bottom));
            var keypoints = new PointF[face.Keypoints.Length];
            for (var k = 0; k < keypoints.Length; k++)
            {
                var p = placement.ToSourceFromNormalized(new Vector2(face.Keypoints[k].X, face.Keypoints[k].Y));
                keypoints[k] = new PointF(p.X, p.Y);
            }

            result.Add(new DetectedFace(
                RectangleF.FromLTRB(topLeft.X, topLeft.Y, bottomRight.X, bottomRight.Y), keypoints, face.Score, Model.Name));
        }

        return result;
    }

    public void Dispose()
    {
        DisposeValues();
        _runOptions.Dispose();
        _session.Dispose();
    }

    private void DisposeValues()
    {
        foreach (var value in (_inputValues ?? []).Concat(_outputValues ?? []))
        {
            value?.Dispose();
        }
    }

    private List<FaceCandidate> RunAndDecode()
    {
        _session.Run(_runOptions, _inputNames, _inputValues, _outputNames, _outputValues);
        _candidates.Clear();
        var fineRows = _outputs[0].Length;
        Decoder.Collect(_outputs[0], _outputs[2], 0, _candidates);
        Decoder.Collect(_outputs[1], _outputs[3], fineRows, _candidates);
        return BlazeFaceDecoder.WeightedNonMaxSuppression(_candidates, Decoder.NmsIoU);
    }

    /// <summary>
    /// Names the outputs by their declared shapes rather than their names (which differ between exports):
    /// scores are [1, rows, 1], regressors [1, rows, 16], and the pair with more rows comes first in anchor order.
    /// </summary>
    private static string[] OrderOutputs(InferenceSession session, BlazeFaceModel model, int anchors)
    {
        var outputs = session.OutputNames
            .Select(n => (Name: n, Dims: session.OutputMetadata[n].Dimensions))
            .ToArray();
        if (outputs.Any(o => o.Dims.Length != 3 || o.Dims[1] <= 0 || o.Dims[2] <= 0))
        {
            throw new InvalidOperationException(
                $"{model.Name}: expected outputs shaped [1, rows, 1] and [1, rows, 16], the model declares {Describe(outputs)}");
        }

        var scores = outputs.Where(o => o.Dims[2] == 1).OrderByDescending(o => o.Dims[1]).ToArray();
        var regressors = outputs.Where(o => o.Dims[2] == BlazeFaceModel.RegressorLength).OrderByDescending(o => o.Dims[1]).ToArray();
        if (scores.Length != 2 || regressors.Length != 2 || scores[0].Dims[1] + scores[1].Dims[1] != anchors
            || scores[0].Dims[1] != regressors[0].Dims[1] || scores[1].Dims[1] != regressors[1].Dims[1])
        {
            throw new InvalidOperationException(
                $"{model.Name}: outputs {Describe(outputs)} are not two score and two regressor tensors over {anchors} anchors");
        }

        return [scores[0].Name, scores[1].Name, regressors[0].Name, regressors[1].Name];
    }

    private static string Describe(IEnumerable<(string Name, int[] Dims)> outputs) =>
        string.Join(", ", outputs.Select(o => $"{o.Name} [{string.Join(',', o.Dims)}]"));
}
