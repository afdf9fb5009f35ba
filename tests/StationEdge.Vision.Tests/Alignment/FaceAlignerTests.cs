using System.Drawing;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;
using StationEdge.Vision.Tests.Onnx;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Alignment;

public class FaceAlignerTests
{
    [Fact]
    public void EstimateTransform_KeypointsOnTheTemplateShifted_IsThatShiftBack()
    {
        // Pixel-edge keypoints = template (pixel-centre) + (100, 50) + half a pixel.
        var face = FaceAt(ArcFaceTemplate.Points.Select(p => new PointF(p.X + 100.5f, p.Y + 50.5f)));

        var m = FaceAligner.EstimateTransform(face);

        Assert.Equal(1, m.M11, 5);
        Assert.Equal(0, m.M12, 5);
        Assert.Equal(-100, m.M13, 3);
        Assert.Equal(0, m.M21, 5);
        Assert.Equal(1, m.M22, 5);
        Assert.Equal(-50, m.M23, 3);
    }

    [Fact]
    public void Align_WritesTheSourcePixelWhereTheTransformSends_InModelNormalisation()
    {
        using var image = new RgbImage(300, 200);
        image.SetPixel(140, 110, 255, 255, 255);
        var face = FaceAt(ArcFaceTemplate.Points.Select(p => new PointF(p.X + 100.5f, p.Y + 50.5f)));
        var tensor = new float[FaceAligner.TensorLength];

        FaceAligner.Align(image, face, tensor);

        var white = ((60 * 112) + 40) * 3;
        Assert.Equal((255 * PixelNormalization.MobileFaceNetScale) + PixelNormalization.MobileFaceNetOffset, tensor[white], 3);
        Assert.Equal(PixelNormalization.MobileFaceNetOffset, tensor[white + (3 * 2)], 3);
        Assert.Equal(1, tensor.Count(v => v > 0.9f) / 3);
    }

    [Fact]
    public void Align_DestinationTooSmall_SaysHowManyFloatsItNeeds()
    {
        using var image = new RgbImage(200, 200);
        var face = FaceAt(ArcFaceTemplate.Points);

        var error = Assert.Throws<ArgumentException>(() => FaceAligner.Align(image, face, new float[100]));
        Assert.Contains("37632", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EstimateTransform_CollapsedKeypoints_FailsClearly()
    {
        var face = FaceAt(Enumerable.Repeat(new PointF(10, 10), 4));

        var error = Assert.Throws<ArgumentException>(() => FaceAligner.EstimateTransform(face));
        Assert.Contains("degenerate", error.Message, StringComparison.Ordinal);
    }

    [FacesDevFact]
    public async Task AlignToImage_RealFace_PutsTheEyesWhereTheTemplateDoes()
    {
        using var detector = new FaceDetector(new InferenceSession(OnnxTestModels.Bytes(FaceModels.FrontDetectorFile)));
        using var photo = await FacesDevPhotos.LoadAsync("img11.jpg");
        var face = Assert.Single(detector.Detect(photo));

        using var aligned = FaceAligner.AlignToImage(photo, face);
        // Re-detect on the crop centred in a grey canvas, so the detector sees a whole face with margin.
        using var canvas = new RgbImage(336, 336);
        canvas.Fill(128, 128, 128);
        for (var y = 0; y < 112; y++)
        {
            aligned.Row(y).CopyTo(canvas.Row(112 + y).Slice(112 * 3));
        }

        var again = Assert.Single(detector.Detect(canvas));
        Assert.Equal(ArcFaceTemplate.RightEye.X + 112.5f, again.RightEye.X, 4f);
        Assert.Equal(ArcFaceTemplate.RightEye.Y + 112.5f, again.RightEye.Y, 4f);
        Assert.Equal(ArcFaceTemplate.LeftEye.X + 112.5f, again.LeftEye.X, 4f);
        Assert.Equal(ArcFaceTemplate.MouthCenter.Y + 112.5f, again.MouthCenter.Y, 5f);
    }

    private static DetectedFace FaceAt(IEnumerable<PointF> fourPoints)
    {
        var points = fourPoints.ToList();
        points.Add(points[0]);
        points.Add(points[1]);
        return new DetectedFace(new RectangleF(0, 0, 10, 10), [.. points], 0.9f, "test");
    }
}
