using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Embedding;

/// <summary>
/// MobileFaceNet: aligned 112×112 faces (NHWC, (x − 127.5)/128) to L2-normalised 192-d embeddings, compared
/// by dot product. Batches several faces per run when the model's batch dimension is dynamic, else runs
/// them in chunks of the model's fixed batch. Calls are serialised; owns and disposes its session.
/// </summary>
public sealed class FaceEmbedder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _fixedBatch;
    private readonly Lock _gate = new();
    private float[] _buffer = [];

    /// <param name="session">Session over mobilefacenet.onnx.</param>
    /// <param name="modelSha256">sha256 of that file: templates are tagged with it so a model swap cannot mix spaces.</param>
    public FaceEmbedder(InferenceSession session, string modelSha256)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelSha256);
        if (session.InputNames.Count != 1 || session.OutputNames.Count != 1)
        {
            throw new InvalidOperationException(
                $"embedder model: expected 1 input and 1 output, it has {session.InputNames.Count} and {session.OutputNames.Count}");
        }

        _inputNames = [session.InputNames[0]];
        _outputNames = [session.OutputNames[0]];
        var input = session.InputMetadata[_inputNames[0]].Dimensions;
        if (input.Length != 4 || input[1] != FaceAligner.Size || input[2] != FaceAligner.Size || input[3] != 3)
        {
            throw new InvalidOperationException($"embedder model: expected an NHWC input [N,112,112,3], it declares [{string.Join(',', input)}]");
        }

        var output = session.OutputMetadata[_outputNames[0]].Dimensions;
        if (output.Length != 2 || output[1] <= 0)
        {
            throw new InvalidOperationException($"embedder model: expected an output [N,D], it declares [{string.Join(',', output)}]");
        }

        _session = session;
        _fixedBatch = input[0] > 0 ? input[0] : 0;
        Dimensions = output[1];
        ModelSha256 = modelSha256;

        // Warm-up, as for the detector: the first run pays ORT's lazy set-up, not the first visitor.
        var rows = Math.Max(_fixedBatch, 1);
        using var warmInput = InputValue(rows);
        using var warmOutput = _session.Run(_runOptions, _inputNames, [warmInput], _outputNames);
    }

    public int Dimensions { get; }

    public string ModelSha256 { get; }

    /// <summary>
    /// Embeds <paramref name="count"/> aligned faces laid out back to back in <paramref name="alignedBatch"/>
    /// (<see cref="FaceAligner.TensorLength"/> floats each). Each result is a new unit-length array.
    /// </summary>
    public float[][] Embed(ReadOnlySpan<float> alignedBatch, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (alignedBatch.Length < count * FaceAligner.TensorLength)
        {
            throw new ArgumentException(
                $"{count} faces need {count * FaceAligner.TensorLength} floats, the batch holds {alignedBatch.Length}", nameof(alignedBatch));
        }

        var result = new float[count][];
        lock (_gate)
        {
            var chunk = _fixedBatch > 0 ? _fixedBatch : Math.Max(count, 1);
            for (var start = 0; start < count; start += chunk)
            {
                var n = Math.Min(chunk, count - start);
                var rows = _fixedBatch > 0 ? _fixedBatch : n;
                var input = InputBuffer(rows);
                alignedBatch.Slice(start * FaceAligner.TensorLength, n * FaceAligner.TensorLength).CopyTo(input);
                input.AsSpan(n * FaceAligner.TensorLength).Clear();
                using var value = InputValue(rows);
                using var outputs = _session.Run(_runOptions, _inputNames, [value], _outputNames);
                var embeddings = outputs[0].GetTensorDataAsSpan<float>();
                if (embeddings.Length != rows * Dimensions)
                {
                    throw new InvalidOperationException($"embedder model returned {embeddings.Length} values for {rows} faces, expected {rows * Dimensions}");
                }

                for (var i = 0; i < n; i++)
                {
                    result[start + i] = Normalise(embeddings.Slice(i * Dimensions, Dimensions));
                }
            }
        }

        return result;
    }

    /// <summary>One aligned face (<see cref="FaceAligner.TensorLength"/> floats).</summary>
    public float[] Embed(ReadOnlySpan<float> alignedFace) => Embed(alignedFace, 1)[0];

    /// <summary>Aligns and embeds one detected face.</summary>
    public float[] Embed(RgbImage image, DetectedFace face)
    {
        var aligned = new float[FaceAligner.TensorLength];
        FaceAligner.Align(image, face, aligned);
        return Embed(aligned);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    // A tensor over the first rows of the reused input buffer (pinned, not copied).
    private OrtValue InputValue(int rows) =>
        OrtValue.CreateTensorValueFromMemory(
            OrtMemoryInfo.DefaultInstance, InputBuffer(rows).AsMemory(0, rows * FaceAligner.TensorLength), [rows, FaceAligner.Size, FaceAligner.Size, 3]);

    private float[] InputBuffer(int rows)
    {
        var length = rows * FaceAligner.TensorLength;
        if (_buffer.Length < length)
        {
            _buffer = new float[length];
        }

        return _buffer;
    }

    private static float[] Normalise(ReadOnlySpan<float> raw)
    {
        var norm = TensorPrimitives.Norm(raw);
        if (!(norm > 0f) || !float.IsFinite(norm))
        {
            throw new InvalidOperationException("embedder model returned a zero or non-finite embedding");
        }

        var unit = new float[raw.Length];
        TensorPrimitives.Divide(raw, norm, unit);
        return unit;
    }
}
