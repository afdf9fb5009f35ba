using System.Drawing;
using System.Numerics;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Detection;

/// <summary>
/// One BlazeFace session with its input tensor allocated once: letterbox into the pinned buffer, run, decode.
/// Not thread-safe (the buffer is shared); <see cref="FaceDetector"/> serialises calls.
/// </summary>
internal sealed class BlazeFaceRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly float[] _input;
    private readonly OrtValue _inputValue;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly List<FaceCandidate> _candidates = [];

    // Output positions, worked out from the outputs' sizes at warm-up: scores are the two short outputs,
    // regressors the two long ones, and the output with more rows holds the first (fine-grid) anchors.
    private int _fineScores = -1;
    private int _coarseScores = -1;
    private int _fineRegressors = -1;
    private int _coarseRegressors = -1;

    public BlazeFaceRunner(InferenceSession session, BlazeFaceModel model, float scoreThreshold, float nmsIoU)
    {
        _session = session;
        Model = model;
        Decoder = new BlazeFaceDecoder(model, scoreThreshold, nmsIoU);
        if (session.InputNames.Count != 1 || session.OutputNames.Count != 4)
        {
            throw new InvalidOperationException(
                $"{model.Name}: expected 1 input and 4 outputs (BlazeFace), the model has {session.InputNames.Count} and {session.OutputNames.Count}");
        }

        _inputNames = [session.InputNames[0]];
        _outputNames = [.. session.OutputNames];
        var dims = session.InputMetadata[_inputNames[0]].Dimensions;
        if (dims.Length != 4 || dims[1] != model.InputSize || dims[2] != model.InputSize || dims[3] != 3)
        {
            throw new InvalidOperationException(
                $"{model.Name}: expected an NHWC input [1,{model.InputSize},{model.InputSize},3], the model declares [{string.Join(',', dims)}]");
        }

        _input = new float[model.InputSize * model.InputSize * 3];
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [1, model.InputSize, model.InputSize, 3]);

        // Warm-up: the first run pays for ORT's lazy allocations; better at start-up than at the first visitor.
        RunAndDecode();
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
        _inputValue.Dispose();
        _session.Dispose();
    }

    private List<FaceCandidate> RunAndDecode()
    {
        using var outputs = _session.Run(_inputNames, [_inputValue], _outputNames);
        if (_fineScores < 0)
        {
            MapOutputs(outputs);
        }

        _candidates.Clear();
        var fine = outputs[_fineScores].GetTensorDataAsSpan();
        var coarse = outputs[_coarseScores].GetTensorDataAsSpan();
        if (fine.Length + coarse.Length != Decoder.AnchorCount)
        {
            throw new InvalidOperationException($"{Model.Name}: score outputs hold {fine.Length} + {coarse.Length} values, expected {Decoder.AnchorCount} anchors");
        }

        Decoder.Collect(fine, outputs[_fineRegressors].GetTensorDataAsSpan(), 0, _candidates);
        Decoder.Collect(coarse, outputs[_coarseRegressors].GetTensorDataAsSpan(), fine.Length, _candidates);
        return BlazeFaceDecoder.WeightedNonMaxSuppression(_candidates, Decoder.NmsIoU);
    }

    private void MapOutputs(IReadOnlyList<OrtValue> outputs)
    {
        var lengths = outputs.Select((o, i) => (Length: o.GetTensorDataAsSpan().Length, Index: i)).OrderBy(x => x.Length).ToArray();
        (_coarseScores, _fineScores, _coarseRegressors, _fineRegressors) = (lengths[0].Index, lengths[1].Index, lengths[2].Index, lengths[3].Index);
        var fineRows = lengths[1].Length;
        var coarseRows = lengths[0].Length;
        if (fineRows + coarseRows != Decoder.AnchorCount
            || lengths[3].Length != fineRows * BlazeFaceModel.RegressorLength
            || lengths[2].Length != coarseRows * BlazeFaceModel.RegressorLength)
        {
            throw new InvalidOperationException(
                $"{Model.Name}: output sizes {string.Join(", ", lengths.Select(l => l.Length))} do not look like BlazeFace's two score and two regressor tensors over {Decoder.AnchorCount} anchors");
        }
    }
}
