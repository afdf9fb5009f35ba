using System.Drawing;
using StationEdge.Vision.Detection;

namespace StationEdge.Vision.Tests.Detection;

public class BlazeFaceDecoderTests
{
    private const int R = BlazeFaceModel.RegressorLength;

    [Fact]
    public void Decode_OneConfidentAnchor_GivesItsBoxAndKeypointsInInputCoordinates()
    {
        var decoder = new BlazeFaceDecoder(BlazeFaceModel.Front);
        var (logits, regressors) = Empty(896);
        // Anchor 512 + 6*9 is the coarse-grid cell (1, 1): centre (1.5/8, 1.5/8) = (24, 24) px of 128.
        var anchor = 512 + (6 * 9);
        logits[anchor] = 4f;
        Set(regressors, anchor, dx: 8, dy: -4, w: 40, h: 48, keypoints: [(-10, -8), (10, -8), (0, 2), (0, 14), (-20, -2), (20, -2)]);

        var faces = decoder.Decode(logits, regressors);

        var face = Assert.Single(faces);
        Assert.Equal(1f / (1f + MathF.Exp(-4f)), face.Score, 5);
        AssertClose(new RectangleF((24 + 8 - 20) / 128f, (24 - 4 - 24) / 128f, 40 / 128f, 48 / 128f), face.Box);
        Assert.Equal(14 / 128f, face.Keypoints[0].X, 5);
        Assert.Equal(16 / 128f, face.Keypoints[0].Y, 5);
        Assert.Equal(24 / 128f, face.Keypoints[(int)FaceKeypoint.MouthCenter].X, 5);
        Assert.Equal(38 / 128f, face.Keypoints[(int)FaceKeypoint.MouthCenter].Y, 5);
    }

    [Fact]
    public void Decode_ScoresBelowThreshold_AreDropped()
    {
        var decoder = new BlazeFaceDecoder(BlazeFaceModel.Front, scoreThreshold: 0.5f);
        var (logits, regressors) = Empty(896);
        logits[100] = -0.1f; // sigmoid just under 0.5
        Set(regressors, 100, 0, 0, 20, 20, [(0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)]);

        Assert.Empty(decoder.Decode(logits, regressors));
    }

    [Fact]
    public void Decode_WrongLogitCount_NamesTheExpectedCount()
    {
        var decoder = new BlazeFaceDecoder(BlazeFaceModel.Front);

        var error = Assert.Throws<ArgumentException>(() => decoder.Decode(new float[512], new float[512 * R]));
        Assert.Contains("896", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_SecondOutputPair_UsesAnchorsFromItsOffset()
    {
        var decoder = new BlazeFaceDecoder(BlazeFaceModel.Back);
        var logits = new float[384];
        var regressors = new float[384 * R];
        Array.Fill(logits, -10f);
        logits[0] = 5f;
        Set(regressors, 0, 0, 0, 32, 32, [(0, 0), (0, 0), (0, 0), (0, 0), (0, 0), (0, 0)]);
        var found = new List<FaceCandidate>();

        decoder.Collect(logits, regressors, 512, found);

        var face = Assert.Single(found);
        Assert.Equal(0.5f / 8, face.Box.X + (face.Box.Width / 2), 5);
        Assert.Equal(32 / 256f, face.Box.Width, 5);
    }

    [Fact]
    public void WeightedNms_OverlappingBoxes_AreAveragedByScoreAndKeepTheTopScore()
    {
        var a = Candidate(0.9f, 0.10f, 0.10f, 0.40f, 0.40f, keypointX: 0.2f);
        var b = Candidate(0.6f, 0.13f, 0.10f, 0.43f, 0.40f, keypointX: 0.3f);
        var far = Candidate(0.7f, 0.60f, 0.60f, 0.80f, 0.80f, keypointX: 0.7f);

        var merged = BlazeFaceDecoder.WeightedNonMaxSuppression([b, far, a], 0.3f);

        Assert.Equal(2, merged.Count);
        Assert.Equal(0.9f, merged[0].Score);
        Assert.Equal(((0.10f * 0.9f) + (0.13f * 0.6f)) / 1.5f, merged[0].Box.Left, 5);
        Assert.Equal(((0.40f * 0.9f) + (0.43f * 0.6f)) / 1.5f, merged[0].Box.Right, 5);
        Assert.Equal(0.10f, merged[0].Box.Top, 5);
        Assert.Equal(((0.2f * 0.9f) + (0.3f * 0.6f)) / 1.5f, merged[0].Keypoints[0].X, 5);
        Assert.Equal(far.Box, merged[1].Box);
        Assert.Equal(0.7f, merged[1].Score);
    }

    [Fact]
    public void WeightedNms_BoxesOverlappingAtOrBelowThreshold_StaySeparate()
    {
        // Two 0.2-wide boxes shifted by 0.1: IoU = 0.02 / 0.06 = 1/3 > 0.3, merged; shifted 0.12: IoU = 0.25, kept apart.
        var a = Candidate(0.9f, 0.0f, 0.0f, 0.2f, 0.2f, 0.1f);
        var near = Candidate(0.8f, 0.1f, 0.0f, 0.3f, 0.2f, 0.2f);
        var apart = Candidate(0.8f, 0.12f, 0.0f, 0.32f, 0.2f, 0.2f);

        Assert.Single(BlazeFaceDecoder.WeightedNonMaxSuppression([a, near], 0.3f));
        Assert.Equal(2, BlazeFaceDecoder.WeightedNonMaxSuppression([a, apart], 0.3f).Count);
    }

    [Fact]
    public void IoU_OfIdenticalBoxesIsOne_AndOfDisjointBoxesZero()
    {
        var box = new RectangleF(1, 1, 2, 2);

        Assert.Equal(1f, BlazeFaceDecoder.IoU(box, box), 6);
        Assert.Equal(0f, BlazeFaceDecoder.IoU(box, new RectangleF(5, 5, 1, 1)));
        Assert.Equal(1f / 7f, BlazeFaceDecoder.IoU(box, new RectangleF(2, 2, 2, 2)), 6);
    }

    private static (float[] Logits, float[] Regressors) Empty(int anchors)
    {
        var logits = new float[anchors];
        Array.Fill(logits, -20f);
        return (logits, new float[anchors * R]);
    }

    private static void Set(float[] regressors, int anchor, float dx, float dy, float w, float h, (float X, float Y)[] keypoints)
    {
        var r = regressors.AsSpan(anchor * R, R);
        r[0] = dx;
        r[1] = dy;
        r[2] = w;
        r[3] = h;
        for (var k = 0; k < 6; k++)
        {
            r[4 + (2 * k)] = keypoints[k].X;
            r[5 + (2 * k)] = keypoints[k].Y;
        }
    }

    private static FaceCandidate Candidate(float score, float l, float t, float r, float b, float keypointX)
    {
        var keypoints = Enumerable.Range(0, 6).Select(_ => new PointF(keypointX, 0.5f)).ToArray();
        return new FaceCandidate(RectangleF.FromLTRB(l, t, r, b), keypoints, score);
    }

    private static void AssertClose(RectangleF expected, RectangleF actual)
    {
        Assert.Equal(expected.X, actual.X, 5);
        Assert.Equal(expected.Y, actual.Y, 5);
        Assert.Equal(expected.Width, actual.Width, 5);
        Assert.Equal(expected.Height, actual.Height, 5);
    }
}
