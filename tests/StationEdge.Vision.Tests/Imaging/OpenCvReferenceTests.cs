using System.Drawing;
using System.Numerics;
using System.Runtime.InteropServices;
using OpenCvSharp;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Tests.Onnx;
using Xunit.Abstractions;

namespace StationEdge.Vision.Tests.Imaging;

/// <summary>
/// The managed image ops against OpenCV (OpenCvSharp4's official linux-x64 runtime) on the six demo photos: the
/// device cannot run OpenCV (no arm64 runtime), so its own ops must give what OpenCV gives where the two agree.
/// <para>Tolerances, and why:</para>
/// <list type="bullet">
/// <item>8-bit resize: OpenCV resizes CV_8U in fixed point (11-bit weights, an integer intermediate), the managed
/// code in float, and the two round halves differently: at most 1 level apart anywhere.</item>
/// <item>Float letterbox: OpenCV on CV_32F does the same float arithmetic in another order: 0.01 of a level.</item>
/// <item>Affine warp: OpenCV's warpAffine snaps each sample position to 1/32 pixel (INTER_BITS = 5) and uses 15-bit
/// weights; the managed warp samples the exact position. Moving a bilinear sample by at most 1/64 px on each axis
/// changes it by at most (gx + gy) / 64, gx and gy the largest steps between neighbouring source pixels around it
/// (black outside the photo), so each pixel may differ by 1 (the two roundings) + (gx + gy) / 64 + 0.05 (the weights),
/// and on average by under a tenth of a level.</item>
/// </list>
/// <para>Differences by design, not tested as agreement: a reduction by more than 2× on an axis is area-averaged
/// (OpenCV's INTER_LINEAR would alias; it is compared with INTER_AREA instead), a reduction between 1× and 2× is
/// bilinear (INTER_AREA would average), and a warp that shrinks by more than 2× area-averages first (warpAffine
/// aliases). Pixel-centre conventions are the same as OpenCV's (centre of pixel i at i), so no shift is applied.</para>
/// </summary>
public sealed class OpenCvReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<int> DemoPhotos() => [1, 2, 3, 4, 5, 6];

    [Theory]
    [MemberData(nameof(DemoPhotos))]
    public void ResizeBilinear_UpToTwiceSmallerOrLarger_MatchesCvResizeLinear(int photo)
    {
        using var image = LoadDemo(photo);
        using var mat = ToMat(image);
        // (Height + 1) / 2 keeps odd heights at a reduction of at most 2×, where both use bilinear taps.
        foreach (var (width, height) in new[] { (image.Width * 6 / 10, image.Height * 7 / 10), (image.Width * 3 / 2, image.Height * 5 / 4), (image.Width - 1, (image.Height + 1) / 2) })
        {
            AssertResizeWithinOneLevel(photo, image, mat, width, height, InterpolationFlags.Linear);
        }
    }

    [Theory]
    [MemberData(nameof(DemoPhotos))]
    public void ResizeBilinear_MoreThanTwiceSmaller_MatchesCvResizeArea(int photo)
    {
        using var image = LoadDemo(photo);
        using var mat = ToMat(image);
        foreach (var divisor in new[] { 2.37, 3.0, 7.61 })
        {
            AssertResizeWithinOneLevel(photo, image, mat, (int)(image.Width / divisor), (int)(image.Height / divisor), InterpolationFlags.Area);
        }
    }

    [Theory]
    [MemberData(nameof(DemoPhotos))]
    public void Letterbox_MatchesCvResizeIntoABlackBorder_InFloat(int photo)
    {
        using var image = LoadDemo(photo);
        using var floats = new Mat();
        using (var mat = ToMat(image))
        {
            mat.ConvertTo(floats, MatType.CV_32FC3);
        }

        foreach (var size in new[] { 128, 256, 1000 })
        {
            var (tensor, placement) = Letterbox.ToSquare(image, size, PixelNormalization.BlazeFaceScale, PixelNormalization.BlazeFaceOffset);

            // The same placement, worked out independently: the longer side fills the square, the content centred.
            var scale = (double)size / Math.Max(image.Width, image.Height);
            var (contentWidth, contentHeight) = ((int)Math.Round(image.Width * scale), (int)Math.Round(image.Height * scale));
            var (padX, padY) = ((size - contentWidth) / 2, (size - contentHeight) / 2);
            Assert.Equal((contentWidth, contentHeight, padX, padY), (placement.ContentWidth, placement.ContentHeight, placement.PadX, placement.PadY));

            var shrink = Math.Min((double)image.Width / contentWidth, (double)image.Height / contentHeight);
            using var resized = new Mat();
            Cv2.Resize(floats, resized, new OpenCvSharp.Size(contentWidth, contentHeight), 0, 0, shrink > 2 ? InterpolationFlags.Area : InterpolationFlags.Linear);
            using var boxed = new Mat();
            Cv2.CopyMakeBorder(resized, boxed, padY, size - contentHeight - padY, padX, size - contentWidth - padX, BorderTypes.Constant, Scalar.All(0));
            var expected = Floats(boxed).Select(v => (v * PixelNormalization.BlazeFaceScale) + PixelNormalization.BlazeFaceOffset).ToArray();

            var max = expected.Zip(tensor, (e, a) => Math.Abs(e - a)).Max() / PixelNormalization.BlazeFaceScale;

            output.WriteLine($"sample{photo} letterbox {size}: max {max:F5} levels");
            Assert.True(max <= 0.01, $"sample{photo} letterboxed to {size}: {max} levels from resize + copyMakeBorder");
        }
    }

    [Theory]
    [MemberData(nameof(DemoPhotos))]
    public void WarpBilinear_RotatedAndScaledCrop_MatchesCvWarpAffine(int photo)
    {
        using var image = LoadDemo(photo);
        using var mat = ToMat(image);

        // Rotated crops around the photo's centre and across its corner, where the black border comes in.
        foreach (var (angle, scale, centre, outSize) in new[]
        {
            (12.0, 0.7, new PointF(image.Width / 2f, image.Height / 2f), 256),
            (-33.0, 0.55, new PointF(40f, 60f), 112),
            (5.0, 1.6, new PointF(image.Width * 0.3f, image.Height * 0.4f), 300),
        })
        {
            var radians = angle * Math.PI / 180;
            var (a, b) = ((float)(scale * Math.Cos(radians)), (float)(scale * Math.Sin(radians)));
            // Source → destination, the centre going to the middle of the output (OpenCV's [[a, b, c], [-b, a, f]]).
            var c = (outSize / 2f) - ((a * centre.X) + (b * centre.Y));
            var f = (outSize / 2f) - ((-b * centre.X) + (a * centre.Y));
            var matrix = new Matrix3x2(a, -b, b, a, c, f);

            using var ours = AffineWarp.WarpBilinear(image, matrix, outSize, outSize);
            using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { a, b, c, -b, a, f });
            using var reference = new Mat();
            Cv2.WarpAffine(mat, reference, m, new OpenCvSharp.Size(outSize, outSize), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
            var expected = Bytes(reference);
            var actual = ours.Pixels.ToArray();
            Assert.True(Matrix3x2.Invert(matrix, out var inverse));

            var (max, mean) = Compare(actual, expected);
            var (worst, allowed) = WorstAgainstSnapBound(image, inverse, actual, expected, outSize);

            output.WriteLine($"sample{photo} warp {angle}° ×{scale} → {outSize}: max {max}, mean {mean:F4}; nearest its bound: {worst} where {allowed:F2} allowed");
            Assert.True(worst <= allowed, $"sample{photo} warp {angle}° ×{scale}: a pixel differs from cv::warpAffine by {worst}, more than the 1/32-px snap allows ({allowed:F2})");
            Assert.True(mean < 0.1, $"sample{photo} warp {angle}° ×{scale}: mean difference from cv::warpAffine {mean:F3}");
        }
    }

    private void AssertResizeWithinOneLevel(int photo, RgbImage image, Mat mat, int width, int height, InterpolationFlags interpolation)
    {
        using var ours = ImageOps.ResizeBilinear(image, width, height);
        using var reference = new Mat();
        Cv2.Resize(mat, reference, new OpenCvSharp.Size(width, height), 0, 0, interpolation);

        var (max, mean) = Compare(ours.Pixels.ToArray(), Bytes(reference));

        output.WriteLine($"sample{photo} {image.Width}x{image.Height} → {width}x{height} {interpolation}: max {max}, mean {mean:F4}");
        Assert.True(max <= 1, $"sample{photo} → {width}x{height}: a pixel differs from cv::resize {interpolation} by {max} levels");
    }

    private static RgbImage LoadDemo(int n)
    {
        using var bgr = Cv2.ImRead(OnnxTestModels.PathOf($"demo/sample{n}.jpg"), ImreadModes.Color);
        using var rgb = new Mat();
        Cv2.CvtColor(bgr, rgb, ColorConversionCodes.BGR2RGB);
        return new RgbImage(rgb.Width, rgb.Height, Bytes(rgb));
    }

    private static Mat ToMat(RgbImage image) =>
        Mat.FromPixelData(image.Height, image.Width, MatType.CV_8UC3, image.Pixels.ToArray()).Clone();

    private static byte[] Bytes(Mat mat)
    {
        Assert.True(mat.IsContinuous());
        var bytes = new byte[mat.Total() * mat.ElemSize()];
        Marshal.Copy(mat.Data, bytes, 0, bytes.Length);
        return bytes;
    }

    private static float[] Floats(Mat mat)
    {
        Assert.True(mat.IsContinuous());
        var floats = new float[mat.Total() * mat.Channels()];
        Marshal.Copy(mat.Data, floats, 0, floats.Length);
        return floats;
    }

    private static (int Max, double Mean) Compare(byte[] actual, byte[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var max = 0;
        long sum = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            var d = Math.Abs(actual[i] - expected[i]);
            max = Math.Max(max, d);
            sum += d;
        }

        return (max, (double)sum / actual.Length);
    }

    /// <summary>
    /// The output value nearest to (or furthest over) its bound 1 + (gx + gy) / 64 + 0.05, gx and gy the largest
    /// horizontal and vertical steps between the source pixels around its sample position (a 4×4 window, so a snap
    /// into the next cell is covered; black outside the photo).
    /// </summary>
    private static (int Worst, double Allowed) WorstAgainstSnapBound(RgbImage src, Matrix3x2 inverse, byte[] actual, byte[] expected, int size)
    {
        int Tap(int x, int y, int ch) => x < 0 || y < 0 || x >= src.Width || y >= src.Height ? 0 : src.Pixels[(y * src.Stride) + (x * 3) + ch];

        var (worst, allowed, excess) = (0, 1.0, double.NegativeInfinity);
        for (var dy = 0; dy < size; dy++)
        {
            for (var dx = 0; dx < size; dx++)
            {
                var p = Vector2.Transform(new Vector2(dx, dy), inverse);
                var (x0, y0) = ((int)MathF.Floor(p.X), (int)MathF.Floor(p.Y));
                for (var ch = 0; ch < 3; ch++)
                {
                    int gx = 0, gy = 0;
                    for (var y = y0 - 1; y <= y0 + 2; y++)
                    {
                        for (var x = x0 - 1; x <= x0 + 2; x++)
                        {
                            gx = Math.Max(gx, Math.Abs(Tap(x + 1, y, ch) - Tap(x, y, ch)));
                            gy = Math.Max(gy, Math.Abs(Tap(x, y + 1, ch) - Tap(x, y, ch)));
                        }
                    }

                    var i = (((dy * size) + dx) * 3) + ch;
                    var bound = 1.05 + ((gx + gy) / 64.0);
                    var d = Math.Abs(actual[i] - expected[i]);
                    if (d - bound > excess)
                    {
                        (worst, allowed, excess) = (d, bound, d - bound);
                    }
                }
            }
        }

        return (worst, allowed);
    }
}
