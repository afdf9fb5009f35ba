using System.Drawing;

namespace StationEdge.Vision.Imaging;

/// <summary>Resize, crop, orientation and tensor conversion for <see cref="RgbImage"/>.</summary>
public static class ImageOps
{
    /// <summary>
    /// Bilinear resize with half-pixel centres (output pixel i samples source position (i + 0.5) * src / dst - 0.5,
    /// as OpenCV and TensorFlow's half_pixel_centers do); on an axis reduced by more than 2x it averages the source
    /// area under each output pixel instead, so large downscales are not aliased.
    /// </summary>
    public static RgbImage ResizeBilinear(RgbImage src, int width, int height) =>
        ResizeBilinear(src, new Rectangle(0, 0, src.Width, src.Height), width, height);

    /// <summary>Resizes the part of <paramref name="src"/> inside <paramref name="sourceRegion"/> (clamped to the image).</summary>
    public static RgbImage ResizeBilinear(RgbImage src, Rectangle sourceRegion, int width, int height)
    {
        var dst = new RgbImage(width, height);
        ResizeBilinear(src, sourceRegion, dst);
        return dst;
    }

    /// <summary>Resizes into an existing image (its size is the output size), allocating nothing per call once warm.</summary>
    public static void ResizeBilinear(RgbImage src, Rectangle sourceRegion, RgbImage destination)
    {
        var region = ClampRegion(src, sourceRegion);
        Resampler.Resample(src, region, destination.Width, destination.Height, destination.Pixels, [], destination.Stride);
    }

    /// <summary>
    /// Copies the part of <paramref name="rect"/> that lies inside the image; throws when nothing does.
    /// The result is smaller than <paramref name="rect"/> when it reaches past an edge.
    /// </summary>
    public static RgbImage Crop(RgbImage src, Rectangle rect)
    {
        var region = ClampRegion(src, rect);
        var dst = new RgbImage(region.Width, region.Height);
        for (var y = 0; y < region.Height; y++)
        {
            src.Row(region.Y + y).Slice(region.X * 3, region.Width * 3).CopyTo(dst.Row(y));
        }

        return dst;
    }

    /// <summary>
    /// Writes the image as an NHWC float tensor, value = pixel * scale + offset (see <see cref="PixelNormalization"/>).
    /// <paramref name="dstNhwc"/> must hold Width * Height * 3 floats.
    /// </summary>
    public static void ToTensor(RgbImage src, Span<float> dstNhwc, float scale, float offset)
    {
        if (dstNhwc.Length < src.ByteLength)
        {
            throw new ArgumentException($"tensor holds {dstNhwc.Length} floats, {src.Width}x{src.Height}x3 needs {src.ByteLength}", nameof(dstNhwc));
        }

        Resampler.Normalize(src.Pixels, dstNhwc, scale, offset);
    }

    /// <summary>
    /// Returns the image as it should be displayed for an EXIF orientation value (1-8, TIFF tag 0x0112):
    /// 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise.
    /// 1 (or any other value) returns <paramref name="src"/> itself, not a copy.
    /// </summary>
    public static RgbImage Orient(RgbImage src, int exifOrientation)
    {
        if (exifOrientation is < 2 or > 8)
        {
            return src;
        }

        var w = src.Width;
        var h = src.Height;
        var swap = exifOrientation >= 5;
        var dst = swap ? new RgbImage(h, w) : new RgbImage(w, h);
        var s = src.Pixels;
        var d = dst.Pixels;
        var srcStride = src.Stride;

        // For each display pixel (dx, dy), the stored pixel (sx, sy) that belongs there; the cases follow the
        // tag's definition of where the stored 0th row and 0th column appear on screen.
        for (var dy = 0; dy < dst.Height; dy++)
        {
            var o = dy * dst.Stride;
            for (var dx = 0; dx < dst.Width; dx++, o += 3)
            {
                var (sx, sy) = exifOrientation switch
                {
                    2 => (w - 1 - dx, dy),
                    3 => (w - 1 - dx, h - 1 - dy),
                    4 => (dx, h - 1 - dy),
                    5 => (dy, dx),
                    6 => (dy, h - 1 - dx),
                    7 => (w - 1 - dy, h - 1 - dx),
                    _ => (w - 1 - dy, dx),
                };
                var i = (sy * srcStride) + (sx * 3);
                d[o] = s[i];
                d[o + 1] = s[i + 1];
                d[o + 2] = s[i + 2];
            }
        }

        return dst;
    }

    internal static Rectangle ClampRegion(RgbImage src, Rectangle rect)
    {
        var region = Rectangle.Intersect(rect, new Rectangle(0, 0, src.Width, src.Height));
        if (region.Width <= 0 || region.Height <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(rect),
                $"region {rect.X},{rect.Y} {rect.Width}x{rect.Height} does not overlap the {src.Width}x{src.Height} image");
        }

        return region;
    }
}
