using System.Numerics;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Imaging;

public sealed class AffineWarpTests
{
    [Fact]
    public void Warp_Identity_CopiesThePixels()
    {
        using var src = TestMedia.Pattern(31, 17);

        using var dst = AffineWarp.WarpBilinear(src, Matrix3x2.Identity, 31, 17);

        Assert.Equal(TestMedia.Bytes(src), TestMedia.Bytes(dst));
    }

    [Fact]
    public void Warp_Translation_ShiftsPixelsAndFillsTheUncoveredEdgeBlack()
    {
        using var src = TestMedia.Pattern(20, 10);

        using var dst = AffineWarp.WarpBilinear(src, Matrix3x2.CreateTranslation(3, 2), 20, 10);

        for (var y = 0; y < 10; y++)
        {
            for (var x = 0; x < 20; x++)
            {
                var expected = x >= 3 && y >= 2 ? src.GetPixel(x - 3, y - 2) : ((byte)0, (byte)0, (byte)0);
                Assert.Equal(expected, dst.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Warp_HalfPixelTranslation_AveragesNeighbours()
    {
        using var src = new RgbImage(4, 1);
        src.SetPixel(0, 0, 0, 0, 0);
        src.SetPixel(1, 0, 100, 0, 0);
        src.SetPixel(2, 0, 200, 0, 0);
        src.SetPixel(3, 0, 250, 0, 0);

        using var dst = AffineWarp.WarpBilinear(src, Matrix3x2.CreateTranslation(-0.5f, 0), 3, 1);

        Assert.Equal([50, 150, 225], Enumerable.Range(0, 3).Select(x => (int)dst.GetPixel(x, 0).R));
    }

    [Fact]
    public void Warp_Rotation90Clockwise_MatchesTheExactRotation()
    {
        using var src = TestMedia.Pattern(12, 7);

        // Rotating a W x H image clockwise: x' = (H - 1) - y, y' = x.
        var rotate = new Matrix3x2(0, 1, -1, 0, 7 - 1, 0);
        using var dst = AffineWarp.WarpBilinear(src, rotate, 7, 12);

        using var expected = ImageOps.Orient(src, 6);
        Assert.Equal(TestMedia.Bytes(expected), TestMedia.Bytes(dst));
    }

    [Fact]
    public void Warp_RotationBuiltWithCreateRotation_MatchesTheExactRotationWithinRounding()
    {
        using var src = TestMedia.Pattern(12, 7);
        var rotate = Matrix3x2.CreateRotation(MathF.PI / 2) * Matrix3x2.CreateTranslation(6, 0);

        using var dst = AffineWarp.WarpBilinear(src, rotate, 7, 12);

        using var expected = ImageOps.Orient(src, 6);
        var a = TestMedia.Bytes(expected);
        var b = TestMedia.Bytes(dst);
        Assert.All(a.Zip(b), p => Assert.InRange(p.Second, p.First - 1, p.First + 1));
    }

    [Fact]
    public void Warp_ToTensor_EqualsTheByteWarpNormalised()
    {
        using var src = TestMedia.Pattern(50, 40);
        var m = Matrix3x2.CreateScale(0.9f) * Matrix3x2.CreateRotation(0.3f) * Matrix3x2.CreateTranslation(10, -4);
        var tensor = new float[32 * 32 * 3];

        AffineWarp.WarpBilinear(src, m, 32, 32, tensor, PixelNormalization.MobileFaceNetScale, PixelNormalization.MobileFaceNetOffset);
        using var bytes = AffineWarp.WarpBilinear(src, m, 32, 32);

        var b = TestMedia.Bytes(bytes);
        for (var i = 0; i < b.Length; i++)
        {
            // The byte image is rounded; the tensor is not.
            Assert.InRange(tensor[i], ((b[i] - 0.5f - 127.5f) / 128f) - 1e-5f, ((b[i] + 0.5f - 127.5f) / 128f) + 1e-5f);
        }
    }

    [Fact]
    public void Warp_OutsideTheSource_IsTheNormalisedBlack()
    {
        using var src = TestMedia.Solid(10, 10, 255, 255, 255);
        var tensor = new float[4 * 4 * 3];

        AffineWarp.WarpBilinear(src, Matrix3x2.CreateTranslation(100, 100), 4, 4, tensor, PixelNormalization.MobileFaceNetScale, PixelNormalization.MobileFaceNetOffset);

        Assert.All(tensor, v => Assert.Equal(-127.5f / 128f, v, 1e-6f));
    }

    [Fact]
    public void Warp_LargeReduction_IsAntiAliased()
    {
        // A one-pixel checkerboard shrunk 8x: bilinear point sampling alone would give near-black or near-white
        // pixels; with the area pre-shrink every output pixel is mid grey.
        using var src = TestMedia.Checkerboard(800);

        var shrink = Matrix3x2.CreateTranslation(-100, -100) * Matrix3x2.CreateRotation(0.2f) * Matrix3x2.CreateScale(1 / 8f);
        using var dst = AffineWarp.WarpBilinear(src, shrink, 50, 50);

        var centre = new System.Drawing.Rectangle(10, 10, 30, 30);
        for (var y = centre.Top; y < centre.Bottom; y++)
        {
            for (var x = centre.Left; x < centre.Right; x++)
            {
                Assert.InRange(dst.GetPixel(x, y).R, 110, 145);
            }
        }
    }

    [Fact]
    public void Warp_LargeReductionOfAFlatRegion_KeepsItsColourUpToTheEdges()
    {
        using var src = TestMedia.Solid(1000, 1000, 90, 160, 30);

        using var dst = AffineWarp.WarpBilinear(src, Matrix3x2.CreateTranslation(-200, -200) * Matrix3x2.CreateScale(0.1f), 40, 40);

        Assert.All(Enumerable.Range(0, 1600), i => Assert.Equal(((byte)90, (byte)160, (byte)30), dst.GetPixel(i % 40, i / 40)));
    }

    [Fact]
    public void Warp_SingularMatrix_Throws()
    {
        using var src = TestMedia.Solid(4, 4, 1, 1, 1);

        var e = Assert.Throws<ArgumentException>(() => AffineWarp.WarpBilinear(src, Matrix3x2.CreateScale(0, 1), 4, 4));

        Assert.Contains("singular", e.Message);
    }
}
