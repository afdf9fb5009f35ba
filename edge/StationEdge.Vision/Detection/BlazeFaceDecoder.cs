using System.Drawing;

namespace StationEdge.Vision.Detection;

/// <summary>A decoded face before mapping to the frame: box and keypoints in normalised model-input coordinates [0,1].</summary>
public sealed record FaceCandidate(RectangleF Box, PointF[] Keypoints, float Score);

/// <summary>
/// Turns BlazeFace's raw outputs (score logits and regressors per anchor) into faces: sigmoid, threshold,
/// box and keypoint decoding against the anchors, then MediaPipe's weighted non-maximum suppression.
/// </summary>
public sealed class BlazeFaceDecoder
{
    /// <summary>
    /// MediaPipe's own setting for this model family, and it holds on the development photos: at 0.5 each of the
    /// 62 single-face photos gives exactly one face with either model and the group photos give only real faces;
    /// at 0.4 the back model adds a false positive (img38). Where a false positive does pass, it scores below
    /// the real face, and callers take the highest-scoring face.
    /// </summary>
    public const float DefaultScoreThreshold = 0.5f;

    /// <summary>MediaPipe's min_suppression_threshold for BlazeFace.</summary>
    public const float DefaultNmsIoU = 0.3f;

    private readonly PointF[] _anchors;
    private readonly float _inputSize;

    public BlazeFaceDecoder(BlazeFaceModel model, float scoreThreshold = DefaultScoreThreshold, float nmsIoU = DefaultNmsIoU)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(scoreThreshold is > 0f and < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(scoreThreshold), scoreThreshold, "detection score threshold must be in (0, 1)");
        }

        if (!(nmsIoU is > 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(nmsIoU), nmsIoU, "NMS IoU must be in (0, 1]");
        }

        Model = model;
        ScoreThreshold = scoreThreshold;
        NmsIoU = nmsIoU;
        _anchors = BlazeFaceAnchors.Generate(model.InputSize, model.Strides);
        _inputSize = model.InputSize;
    }

    public BlazeFaceModel Model { get; }

    public float ScoreThreshold { get; }

    public float NmsIoU { get; }

    public int AnchorCount => _anchors.Length;

    /// <summary>Decodes all anchors (logits in anchor order, regressors 16 per anchor) and suppresses overlaps.</summary>
    public List<FaceCandidate> Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> regressors)
    {
        if (logits.Length != _anchors.Length)
        {
            throw new ArgumentException($"expected {_anchors.Length} score logits for {Model.Name}, got {logits.Length}", nameof(logits));
        }

        var candidates = new List<FaceCandidate>();
        Collect(logits, regressors, 0, candidates);
        return WeightedNonMaxSuppression(candidates, NmsIoU);
    }

    /// <summary>
    /// Adds the candidates above the threshold from one output pair whose rows belong to the anchors
    /// starting at <paramref name="firstAnchor"/> (BlazeFace splits its anchors over two output pairs).
    /// </summary>
    public void Collect(ReadOnlySpan<float> logits, ReadOnlySpan<float> regressors, int firstAnchor, List<FaceCandidate> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var rows = logits.Length;
        if (firstAnchor < 0 || firstAnchor + rows > _anchors.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(firstAnchor), $"rows {firstAnchor}..{firstAnchor + rows} exceed the {_anchors.Length} anchors of {Model.Name}");
        }

        if (regressors.Length != rows * BlazeFaceModel.RegressorLength)
        {
            throw new ArgumentException($"expected {rows * BlazeFaceModel.RegressorLength} regressor values for {rows} anchors, got {regressors.Length}", nameof(regressors));
        }

        for (var i = 0; i < rows; i++)
        {
            var score = Sigmoid(logits[i]);
            if (!(score >= ScoreThreshold))
            {
                continue;
            }

            var anchor = _anchors[firstAnchor + i];
            var r = regressors.Slice(i * BlazeFaceModel.RegressorLength, BlazeFaceModel.RegressorLength);
            var w = r[2] / _inputSize;
            var h = r[3] / _inputSize;
            if (!(w > 0f && h > 0f))
            {
                continue;
            }

            var cx = anchor.X + (r[0] / _inputSize);
            var cy = anchor.Y + (r[1] / _inputSize);
            var keypoints = new PointF[BlazeFaceModel.KeypointCount];
            for (var k = 0; k < keypoints.Length; k++)
            {
                keypoints[k] = new PointF(anchor.X + (r[4 + (2 * k)] / _inputSize), anchor.Y + (r[5 + (2 * k)] / _inputSize));
            }

            into.Add(new FaceCandidate(new RectangleF(cx - (w / 2), cy - (h / 2), w, h), keypoints, score));
        }
    }

    /// <summary>
    /// MediaPipe's WEIGHTED suppression: take the best remaining candidate, gather every candidate that
    /// overlaps it by more than <paramref name="iouThreshold"/>, and emit the score-weighted average of
    /// their boxes and keypoints with the best candidate's score. Averaging steadies boxes across frames.
    /// </summary>
    public static List<FaceCandidate> WeightedNonMaxSuppression(IEnumerable<FaceCandidate> candidates, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var remaining = candidates.OrderByDescending(c => c.Score).ToList();
        var result = new List<FaceCandidate>();
        var rest = new List<FaceCandidate>();
        while (remaining.Count > 0)
        {
            var top = remaining[0];
            float total = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
            var keypoints = new PointF[top.Keypoints.Length];
            rest.Clear();
            foreach (var c in remaining)
            {
                if (!ReferenceEquals(c, top) && IoU(top.Box, c.Box) <= iouThreshold)
                {
                    rest.Add(c);
                    continue;
                }

                total += c.Score;
                x0 += c.Box.Left * c.Score;
                y0 += c.Box.Top * c.Score;
                x1 += c.Box.Right * c.Score;
                y1 += c.Box.Bottom * c.Score;
                for (var k = 0; k < keypoints.Length; k++)
                {
                    keypoints[k].X += c.Keypoints[k].X * c.Score;
                    keypoints[k].Y += c.Keypoints[k].Y * c.Score;
                }
            }

            for (var k = 0; k < keypoints.Length; k++)
            {
                keypoints[k] = new PointF(keypoints[k].X / total, keypoints[k].Y / total);
            }

            result.Add(new FaceCandidate(RectangleF.FromLTRB(x0 / total, y0 / total, x1 / total, y1 / total), keypoints, top.Score));
            (remaining, rest) = (rest, remaining);
        }

        return result;
    }

    public static float IoU(RectangleF a, RectangleF b)
    {
        var w = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
        var h = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
        if (w <= 0 || h <= 0)
        {
            return 0f;
        }

        var intersection = w * h;
        var union = (a.Width * a.Height) + (b.Width * b.Height) - intersection;
        return union > 0 ? intersection / union : 0f;
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
