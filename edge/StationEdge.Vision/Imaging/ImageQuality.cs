using System.Buffers;
using System.Drawing;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Cheap quality gates for enrollment and matching, on BT.601 luma (0.299 R + 0.587 G + 0.114 B).
/// Sharpness depends on scale: compare values measured at the same size (e.g. on the aligned 112x112 face),
/// not across a 4000-px photo and a 200-px one.
/// </summary>
public static class ImageQuality
{
    /// <summary>Variance of the 4-neighbour Laplacian of luma: low means blurred. 0 for regions under 3x3.</summary>
    public static double Sharpness(RgbImage image) => Sharpness(image, new Rectangle(0, 0, image.Width, image.Height));

    /// <summary>Sharpness of the part of <paramref name="region"/> inside the image.</summary>
    public static double Sharpness(RgbImage image, Rectangle region)
    {
        var r = ImageOps.ClampRegion(image, region);
        if (r.Width < 3 || r.Height < 3)
        {
            return 0;
        }

        var luma = ArrayPool<float>.Shared.Rent(r.Width * 3);
        try
        {
            // Three rolling luma rows: above, current, below.
            var rows = luma.AsSpan(0, r.Width * 3);
            Luma(image.Row(r.Y).Slice(r.X * 3, r.Width * 3), rows[..r.Width]);
            Luma(image.Row(r.Y + 1).Slice(r.X * 3, r.Width * 3), rows.Slice(r.Width, r.Width));
            double sum = 0, sumSquares = 0;
            long n = 0;
            for (var y = 1; y < r.Height - 1; y++)
            {
                var above = rows.Slice(((y - 1) % 3) * r.Width, r.Width);
                var here = rows.Slice((y % 3) * r.Width, r.Width);
                var below = rows.Slice(((y + 1) % 3) * r.Width, r.Width);
                Luma(image.Row(r.Y + y + 1).Slice(r.X * 3, r.Width * 3), below);
                for (var x = 1; x < r.Width - 1; x++)
                {
                    double lap = above[x] + below[x] + here[x - 1] + here[x + 1] - (4 * here[x]);
                    sum += lap;
                    sumSquares += lap * lap;
                }

                n += r.Width - 2;
            }

            var mean = sum / n;
            return Math.Max(0, (sumSquares / n) - (mean * mean));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(luma);
        }
    }

    /// <summary>Mean luma, 0 (black) to 255 (white).</summary>
    public static double Brightness(RgbImage image) => Brightness(image, new Rectangle(0, 0, image.Width, image.Height));

    /// <summary>Mean luma of the part of <paramref name="region"/> inside the image.</summary>
    public static double Brightness(RgbImage image, Rectangle region)
    {
        var r = ImageOps.ClampRegion(image, region);
        long red = 0, green = 0, blue = 0;
        for (var y = r.Top; y < r.Bottom; y++)
        {
            var row = image.Row(y).Slice(r.X * 3, r.Width * 3);
            for (var i = 0; i < row.Length; i += 3)
            {
                red += row[i];
                green += row[i + 1];
                blue += row[i + 2];
            }
        }

        return ((0.299 * red) + (0.587 * green) + (0.114 * blue)) / ((long)r.Width * r.Height);
    }

    private static void Luma(ReadOnlySpan<byte> rgb, Span<float> luma)
    {
        for (int x = 0, i = 0; x < luma.Length; x++, i += 3)
        {
            luma[x] = (0.299f * rgb[i]) + (0.587f * rgb[i + 1]) + (0.114f * rgb[i + 2]);
        }
    }
}
