using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Embedding;

/// <summary>How an embedder model wants its aligned 112×112 face: tensor layout and the pixel offset of its (x − offset)/128.</summary>
public enum EmbedderLayout
{
    /// <summary>[N,112,112,3], (x − 127.5)/128: the project's MobileFaceNet.</summary>
    Nhwc,

    /// <summary>[N,3,112,112], (x − 127)/128: faceplugin's fr_feature.</summary>
    Nchw,
}

/// <summary>
/// Aligned 112×112 faces to L2-normalised embeddings, compared by dot product: MobileFaceNet (NHWC, 192-d) or
/// faceplugin's fr_feature (NCHW, 512-d), told apart by the input shape the model declares. With
/// <see cref="MirrorAverage"/> each face is embedded together with its mirror image and the two unit vectors are
/// summed and renormalised: a face and its mirror then give the same template, and on the East Asian development
/// photos it lowered refusals at the strict thresholds a door needs (models/README.md), for twice the model time.
/// Batches several faces per run when the model's batch dimension is dynamic, else runs them in chunks of the
/// model's fixed batch. Calls are serialised; owns and disposes its session.
/// </summary>
public sealed class FaceEmbedder : IDisposable
{
    private const int Size = FaceAligner.Size;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly int _fixedBatch;
    private readonly int[] _inputShape;
    private readonly Lock _gate = new();
    private float[] _buffer = [];

    /// <param name="session">Session over the embedder model.</param>
    /// <param name="modelSha256">sha256 of that file: templates are tagged with it so a model swap cannot mix spaces.</param>
    /// <param name="mirrorAverage">Embed each face with its mirror image and average the two (see the class summary).</param>
    /// <param name="alignmentTag">What the alignment adds to the tag (<see cref="FaceAlignment.TagSuffix"/>): null for BlazeFace's keypoints.</param>
    public FaceEmbedder(InferenceSession session, string modelSha256, bool mirrorAverage = false, string? alignmentTag = null)
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
        Layout = input switch
        {
            [_, Size, Size, 3] => EmbedderLayout.Nhwc,
            [_, 3, Size, Size] => EmbedderLayout.Nchw,
            _ => throw new InvalidOperationException(
                $"embedder model: expected an input [N,112,112,3] (NHWC) or [N,3,112,112] (NCHW), it declares [{string.Join(',', input)}]"),
        };

        var output = session.OutputMetadata[_outputNames[0]].Dimensions;
        if (output.Length != 2 || output[1] <= 0)
        {
            throw new InvalidOperationException($"embedder model: expected an output [N,D], it declares [{string.Join(',', output)}]");
        }

        _session = session;
        _fixedBatch = input[0] > 0 ? input[0] : 0;
        _inputShape = Layout == EmbedderLayout.Nhwc ? [0, Size, Size, 3] : [0, 3, Size, Size];
        Dimensions = output[1];
        ModelSha256 = modelSha256;
        MirrorAverage = mirrorAverage;
        AlignmentTag = alignmentTag;
        TemplateTag = TagFor(modelSha256, mirrorAverage, alignmentTag);

        // Warm-up, as for the detector: the first run pays ORT's lazy set-up, not the first visitor.
        var rows = Math.Max(_fixedBatch, 1);
        using var warmInput = InputValue(rows);
        using var warmOutput = _session.Run(_runOptions, _inputNames, [warmInput], _outputNames);
    }

    public EmbedderLayout Layout { get; }

    /// <summary>
    /// What templates made here are tagged with: the model's sha256, or with mirror averaging the sha256 of the text
    /// "&lt;model sha256&gt;+mirror" (still 64 hex digits, as the store expects), because averaged and plain vectors are
    /// not the same space to compare in.
    /// </summary>
    public string TemplateTag { get; }

    /// <summary>The alignment's part of <see cref="TemplateTag"/>; null for BlazeFace's keypoints.</summary>
    public string? AlignmentTag { get; }

    /// <summary>
    /// The tag of templates from the model with this sha256: the sha256 itself for plain vectors on BlazeFace's keypoints
    /// (what every template before mirror averaging carries), else the sha256 of "&lt;model sha256&gt;" followed by
    /// "+mirror" and "+" and the alignment's tag, each when it applies (64 hex digits, as the store expects). A
    /// station's templates from before landmark alignment keep their tag on the keypoint path, and no gallery built for
    /// one alignment accepts the other's.
    /// </summary>
    public static string TagFor(string modelSha256, bool mirrorAverage, string? alignmentTag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelSha256);
        if (!mirrorAverage && alignmentTag is null)
        {
            return modelSha256;
        }

        var text = modelSha256.ToLowerInvariant() + (mirrorAverage ? "+mirror" : "") + (alignmentTag is null ? "" : "+" + alignmentTag);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(text)));
    }

    public bool MirrorAverage { get; }

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

        // With mirror averaging every face is two model rows: row 2i the face, row 2i + 1 its mirror image.
        var perFace = MirrorAverage ? 2 : 1;
        var total = count * perFace;
        var rowsOut = new float[total][];
        lock (_gate)
        {
            var chunk = _fixedBatch > 0 ? _fixedBatch : Math.Max(total, 1);
            for (var start = 0; start < total; start += chunk)
            {
                var n = Math.Min(chunk, total - start);
                var rows = _fixedBatch > 0 ? _fixedBatch : n;
                var input = InputBuffer(rows);
                for (var i = 0; i < n; i++)
                {
                    var row = start + i;
                    var face = alignedBatch.Slice(row / perFace * FaceAligner.TensorLength, FaceAligner.TensorLength);
                    WriteRow(face, mirror: row % perFace == 1, input.AsSpan(i * FaceAligner.TensorLength, FaceAligner.TensorLength));
                }

                input.AsSpan(n * FaceAligner.TensorLength, (rows - n) * FaceAligner.TensorLength).Clear();
                using var value = InputValue(rows);
                using var outputs = _session.Run(_runOptions, _inputNames, [value], _outputNames);
                var embeddings = outputs[0].GetTensorDataAsSpan<float>();
                if (embeddings.Length != rows * Dimensions)
                {
                    throw new InvalidOperationException($"embedder model returned {embeddings.Length} values for {rows} faces, expected {rows * Dimensions}");
                }

                for (var i = 0; i < n; i++)
                {
                    rowsOut[start + i] = Normalise(embeddings.Slice(i * Dimensions, Dimensions));
                }
            }
        }

        if (!MirrorAverage)
        {
            return rowsOut;
        }

        var result = new float[count][];
        for (var i = 0; i < count; i++)
        {
            var sum = rowsOut[2 * i];
            TensorPrimitives.Add(sum, rowsOut[(2 * i) + 1], sum);
            result[i] = Normalise(sum);
        }

        return result;
    }

    /// <summary>One aligned face (<see cref="FaceAligner.TensorLength"/> floats).</summary>
    public float[] Embed(ReadOnlySpan<float> alignedFace) => Embed(alignedFace, 1)[0];

    /// <summary>Aligns one detected face as <paramref name="alignment"/> does and embeds it.</summary>
    /// <exception cref="ArgumentException">The alignment is not the one this embedder's <see cref="TemplateTag"/> names, or the face cannot be aligned.</exception>
    public float[] Embed(RgbImage image, DetectedFace face, FaceAlignment alignment)
    {
        ArgumentNullException.ThrowIfNull(alignment);
        if (alignment.TagSuffix != AlignmentTag)
        {
            throw new ArgumentException($"the alignment ({alignment.Method}) is not the one this embedder's templates are tagged with", nameof(alignment));
        }

        var aligned = new float[FaceAligner.TensorLength];
        if (!alignment.TryAlign(image, face, aligned, out _))
        {
            throw SimilarityTransform.Degenerate(nameof(face));
        }

        return Embed(aligned);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }

    // A tensor over the first rows of the reused input buffer (pinned, not copied).
    private OrtValue InputValue(int rows)
    {
        var shape = (long[])[rows, _inputShape[1], _inputShape[2], _inputShape[3]];
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, InputBuffer(rows).AsMemory(0, rows * FaceAligner.TensorLength), shape);
    }

    private float[] InputBuffer(int rows)
    {
        var length = rows * FaceAligner.TensorLength;
        if (_buffer.Length < length)
        {
            _buffer = new float[length];
        }

        return _buffer;
    }

    /// <summary>
    /// One aligned face (NHWC, (x − 127.5)/128 as <see cref="FaceAligner"/> writes it) in the model's layout and
    /// normalisation, mirrored left to right when asked.
    /// </summary>
    private void WriteRow(ReadOnlySpan<float> face, bool mirror, Span<float> destination)
    {
        if (Layout == EmbedderLayout.Nhwc && !mirror)
        {
            face.CopyTo(destination);
            return;
        }

        // faceplugin normalises with (x − 127)/128: the aligner's (x − 127.5)/128 plus 0.5/128.
        var shift = Layout == EmbedderLayout.Nchw ? 0.5f / 128f : 0f;
        const int plane = Size * Size;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var from = ((y * Size) + (mirror ? Size - 1 - x : x)) * 3;
                var pixel = (y * Size) + x;
                for (var c = 0; c < 3; c++)
                {
                    var to = Layout == EmbedderLayout.Nhwc ? (pixel * 3) + c : (c * plane) + pixel;
                    destination[to] = face[from + c] + shift;
                }
            }
        }
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
