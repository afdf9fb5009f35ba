using System.Drawing;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Imaging;

public sealed class ImageQualityTests
{
    [Fact]
    public void Sharpness_BlurredImage_IsLowerThanTheOriginal()
    {
        using var sharp = Noise(120, 90, seed: 7);
        using var blurred = BoxBlur(sharp);

        Assert.True(ImageQuality.Sharpness(blurred) < ImageQuality.Sharpness(sharp) / 4);
    }

    [Fact]
    public void Sharpness_FlatImage_IsZero()
    {
        using var flat = TestMedia.Solid(50, 50, 100, 120, 140);

        Assert.Equal(0, ImageQuality.Sharpness(flat), 6);
    }

    [Fact]
    public void Sharpness_OfARegion_SeesOnlyThatRegion()
    {
        using var image = TestMedia.Solid(100, 100, 100, 100, 100);
        using var noise = Noise(50, 50, seed: 3);
        for (var y = 0; y < 50; y++)
        {
            noise.Row(y).CopyTo(image.Row(y).Slice(0, 150));
        }

        Assert.Equal(0, ImageQuality.Sharpness(image, new Rectangle(50, 50, 50, 50)), 6);
        Assert.True(ImageQuality.Sharpness(image, new Rectangle(0, 0, 50, 50)) > 100);
    }

    [FacesDevFact]
    public async Task Sharpness_RealPhotoBlurred_IsLowerThanTheOriginal()
    {
        var path = Directory.GetFiles(FacesDev.Folder, "*.jpg").Order(StringComparer.Ordinal).First();
        var photo = await new PhotoDecoder().DecodeAsync(path, CancellationToken.None);
        using var image = photo.Image;
        using var small = ImageOps.ResizeBilinear(image, image.Width / 4, image.Height / 4);
        using var blurred = ImageOps.ResizeBilinear(small, image.Width, image.Height);

        Assert.True(ImageQuality.Sharpness(blurred) < ImageQuality.Sharpness(image) / 2);
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(255, 255, 255, 255)]
    [InlineData(255, 0, 0, 76.245)]
    [InlineData(10, 200, 40, 124.95)]
    public void Brightness_FlatColour_IsItsLuma(byte r, byte g, byte b, double expected)
    {
        using var image = TestMedia.Solid(13, 7, r, g, b);

        Assert.Equal(expected, ImageQuality.Brightness(image), 3);
    }

    [Fact]
    public void Brightness_OfARegion_AveragesOnlyThatRegion()
    {
        using var image = TestMedia.Solid(20, 20, 0, 0, 0);
        image.Fill(255, 255, 255, new Rectangle(10, 0, 10, 20));

        Assert.Equal(255, ImageQuality.Brightness(image, new Rectangle(10, 5, 10, 10)), 6);
        Assert.Equal(127.5, ImageQuality.Brightness(image), 6);
    }

    private static RgbImage Noise(int w, int h, int seed)
    {
        var random = new Random(seed);
        var image = new RgbImage(w, h);
        random.NextBytes(image.Pixels);
        return image;
    }

    private static RgbImage BoxBlur(RgbImage src)
    {
        var dst = new RgbImage(src.Width, src.Height);
        for (var y = 0; y < src.Height; y++)
        {
            for (var x = 0; x < src.Width; x++)
            {
                int r = 0, g = 0, b = 0, n = 0;
                for (var dy = -2; dy <= 2; dy++)
                {
                    for (var dx = -2; dx <= 2; dx++)
                    {
                        var sx = Math.Clamp(x + dx, 0, src.Width - 1);
                        var sy = Math.Clamp(y + dy, 0, src.Height - 1);
                        var p = src.GetPixel(sx, sy);
                        r += p.R;
                        g += p.G;
                        b += p.B;
                        n++;
                    }
                }

                dst.SetPixel(x, y, (byte)(r / n), (byte)(g / n), (byte)(b / n));
            }
        }

        return dst;
    }
}
