using System.Drawing;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Imaging;

public sealed class ImageOpsTests
{
    [Theory]
    [InlineData(40, 30, 97, 71)]
    [InlineData(400, 300, 199, 151)]
    [InlineData(400, 300, 37, 29)]
    [InlineData(1000, 20, 128, 128)]
    public void ResizeBilinear_ConstantImage_StaysConstant(int w, int h, int outW, int outH)
    {
        using var src = TestMedia.Solid(w, h, 201, 3, 77);

        using var dst = ImageOps.ResizeBilinear(src, outW, outH);

        for (var y = 0; y < outH; y++)
        {
            for (var x = 0; x < outW; x++)
            {
                Assert.Equal(((byte)201, (byte)3, (byte)77), dst.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void ResizeBilinear_UpscaledGradient_MatchesHalfPixelCentreInterpolation()
    {
        // Red = 20 * x: a linear ramp, so bilinear interpolation reproduces it exactly between the end pixels.
        using var src = new RgbImage(10, 3);
        for (var y = 0; y < 3; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                src.SetPixel(x, y, (byte)(20 * x), 50, (byte)(200 - (20 * x)));
            }
        }

        using var dst = ImageOps.ResizeBilinear(src, 25, 3);

        for (var i = 0; i < 25; i++)
        {
            var sourceX = Math.Clamp(((i + 0.5) * 10 / 25) - 0.5, 0, 9);
            var (r, g, b) = dst.GetPixel(i, 1);
            Assert.InRange(r, (20 * sourceX) - 0.51, (20 * sourceX) + 0.51);
            Assert.Equal(50, g);
            Assert.InRange(b, 200 - (20 * sourceX) - 0.51, 200 - (20 * sourceX) + 0.51);
        }
    }

    [Fact]
    public void ResizeBilinear_VerticalGradientHalved_AveragesRowPairs()
    {
        using var src = new RgbImage(4, 16);
        for (var y = 0; y < 16; y++)
        {
            src.Fill((byte)(y * 15), 0, 0, new Rectangle(0, y, 4, 1));
        }

        using var dst = ImageOps.ResizeBilinear(src, 4, 8);

        for (var y = 0; y < 8; y++)
        {
            var expected = ((2 * y * 15) + ((2 * y + 1) * 15)) / 2.0;
            Assert.InRange(dst.GetPixel(1, y).R, expected - 0.51, expected + 0.51);
        }
    }

    [Fact]
    public void ResizeBilinear_ReducedFourTimes_AveragesEachBlock()
    {
        using var src = TestMedia.Pattern(64, 48);

        using var dst = ImageOps.ResizeBilinear(src, 16, 12);

        for (var oy = 0; oy < 12; oy++)
        {
            for (var ox = 0; ox < 16; ox++)
            {
                double r = 0, g = 0, b = 0;
                for (var y = oy * 4; y < (oy * 4) + 4; y++)
                {
                    for (var x = ox * 4; x < (ox * 4) + 4; x++)
                    {
                        var p = src.GetPixel(x, y);
                        r += p.R;
                        g += p.G;
                        b += p.B;
                    }
                }

                var actual = dst.GetPixel(ox, oy);
                Assert.InRange(actual.R, (r / 16) - 0.51, (r / 16) + 0.51);
                Assert.InRange(actual.G, (g / 16) - 0.51, (g / 16) + 0.51);
                Assert.InRange(actual.B, (b / 16) - 0.51, (b / 16) + 0.51);
            }
        }
    }

    [Fact]
    public void ResizeBilinear_FineCheckerboardReducedFiveTimes_IsEvenGreyNotAliased()
    {
        // Point sampling would return pure black or white pixels here; area averaging gives ~mid grey.
        using var src = TestMedia.Checkerboard(500);

        using var dst = ImageOps.ResizeBilinear(src, 100, 100);

        for (var y = 0; y < 100; y++)
        {
            for (var x = 0; x < 100; x++)
            {
                Assert.InRange(dst.GetPixel(x, y).R, 117, 138);
            }
        }
    }

    [Fact]
    public void ResizeBilinear_SourceRegion_ResizesOnlyThatRegion()
    {
        using var src = TestMedia.Solid(100, 100, 0, 0, 0);
        src.Fill(255, 255, 255, new Rectangle(50, 50, 50, 50));

        using var dst = ImageOps.ResizeBilinear(src, new Rectangle(50, 50, 50, 50), 10, 10);

        Assert.All(TestMedia.Bytes(dst), v => Assert.Equal(255, v));
    }

    [Fact]
    public void ResizeBilinear_IntoExistingImage_FillsIt()
    {
        using var src = TestMedia.Solid(30, 20, 9, 8, 7);
        using var dst = RgbImage.Rent(12, 12);

        ImageOps.ResizeBilinear(src, new Rectangle(0, 0, 30, 20), dst);

        Assert.All(Enumerable.Range(0, 144), i => Assert.Equal(((byte)9, (byte)8, (byte)7), dst.GetPixel(i % 12, i / 12)));
    }

    [Fact]
    public void Crop_InsideTheImage_CopiesThoseExactPixels()
    {
        using var src = TestMedia.Pattern(40, 30);

        using var crop = ImageOps.Crop(src, new Rectangle(5, 7, 10, 4));

        Assert.Equal((10, 4), (crop.Width, crop.Height));
        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 10; x++)
            {
                Assert.Equal(src.GetPixel(x + 5, y + 7), crop.GetPixel(x, y));
            }
        }
    }

    [Fact]
    public void Crop_ReachingPastTheEdges_IsClampedToTheImage()
    {
        using var src = TestMedia.Pattern(40, 30);

        using var crop = ImageOps.Crop(src, new Rectangle(-5, 20, 100, 100));

        Assert.Equal((40, 10), (crop.Width, crop.Height));
        Assert.Equal(src.GetPixel(0, 20), crop.GetPixel(0, 0));
        Assert.Equal(src.GetPixel(39, 29), crop.GetPixel(39, 9));
    }

    [Fact]
    public void Crop_EntirelyOutside_ThrowsNamingTheRegion()
    {
        using var src = TestMedia.Pattern(40, 30);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageOps.Crop(src, new Rectangle(50, 0, 10, 10)));

        Assert.Contains("does not overlap the 40x30 image", e.Message);
    }

    [Theory]
    [InlineData(1, "TL", "TR")]
    [InlineData(2, "TR", "TL")]
    [InlineData(3, "BR", "BL")]
    [InlineData(4, "BL", "BR")]
    [InlineData(5, "TL", "BL")]
    [InlineData(6, "TR", "BR")]
    [InlineData(7, "BR", "TR")]
    [InlineData(8, "BL", "TL")]
    public void Orient_PutsTheStoredFirstRowWhereTheExifTagSays(int orientation, string firstPixelCorner, string endOfFirstRowCorner)
    {
        // The tag names where the stored 0th row and 0th column appear; the corners where the first row's two
        // ends land pin down each of the eight cases.
        using var src = TestMedia.Pattern(5, 3);

        var dst = ImageOps.Orient(src, orientation);

        Assert.Equal(orientation >= 5 ? (3, 5) : (5, 3), (dst.Width, dst.Height));
        Assert.Equal(src.GetPixel(0, 0), Corner(dst, firstPixelCorner));
        Assert.Equal(src.GetPixel(4, 0), Corner(dst, endOfFirstRowCorner));
        Assert.Equal(src.Pixels.ToArray().Order(), dst.Pixels.ToArray().Order());
    }

    [Fact]
    public void Orient_Rotate90Clockwise_MovesEachPixel()
    {
        using var src = TestMedia.Pattern(4, 3);

        using var dst = ImageOps.Orient(src, 6);

        for (var y = 0; y < 3; y++)
        {
            for (var x = 0; x < 4; x++)
            {
                Assert.Equal(src.GetPixel(x, y), dst.GetPixel(2 - y, x));
            }
        }
    }

    [Fact]
    public void ToTensor_NormalisesEveryChannel()
    {
        using var src = TestMedia.Pattern(9, 7);
        var tensor = new float[9 * 7 * 3];

        ImageOps.ToTensor(src, tensor, PixelNormalization.MobileFaceNetScale, PixelNormalization.MobileFaceNetOffset);

        var bytes = TestMedia.Bytes(src);
        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.Equal((bytes[i] - 127.5f) / 128f, tensor[i], 1e-5f);
        }
    }

    [Fact]
    public void RgbImage_FromPaddedRawFrame_DropsThePadding()
    {
        // 2x2 pixels with 2 bytes of padding per row.
        byte[] raw = [1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0];

        using var image = RgbImage.FromRgb24(raw, 2, 2, sourceStride: 8);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], TestMedia.Bytes(image));
        Assert.Equal([7, 8, 9, 10, 11, 12], image.Row(1).ToArray());
    }

    [Fact]
    public void RgbImage_FromShortFrame_ThrowsWithTheSizes()
    {
        var e = Assert.Throws<ArgumentException>(() => RgbImage.FromRgb24(new byte[10], 2, 2));

        Assert.Contains("needs 12", e.Message);
    }

    [Fact]
    public void RgbImage_Rented_IsUnusableAfterDispose()
    {
        var image = RgbImage.Rent(8, 8);
        image.Fill(1, 2, 3);
        image.Dispose();

        Assert.Throws<ObjectDisposedException>(() => image.Row(0).Length);
    }

    private static (byte R, byte G, byte B) Corner(RgbImage image, string corner) => corner switch
    {
        "TL" => image.GetPixel(0, 0),
        "TR" => image.GetPixel(image.Width - 1, 0),
        "BL" => image.GetPixel(0, image.Height - 1),
        _ => image.GetPixel(image.Width - 1, image.Height - 1),
    };
}
