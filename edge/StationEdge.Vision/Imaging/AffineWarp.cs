using System.Drawing;
using System.Numerics;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Affine warps for aligned face crops (112x112 for MobileFaceNet, 256x256 for liveness).
/// <para>
/// Conventions, the same as OpenCV's <c>warpAffine(src, M, size)</c> that the ArcFace alignment template is defined
/// with: the matrix maps <b>source to destination</b> (it is inverted here to sample), pixel (i, j)'s centre is at
/// coordinate (i, j), and samples outside the source are black (pixel 0, i.e. <c>offset</c> after normalisation),
/// as insightface's <c>borderValue=0</c>. Points in pixel-edge coordinates (such as <see cref="LetterboxTransform"/>
/// returns) sit 0.5 px off this; subtract 0.5 from both axes if that half pixel matters.
/// </para>
/// <para>
/// The matrix is a <see cref="Matrix3x2"/> in System.Numerics' row-vector form:
/// x' = x*M11 + y*M21 + M31, y' = x*M12 + y*M22 + M32 (so OpenCV's [[a, b, c], [d, e, f]] is M11=a, M21=b, M31=c,
/// M12=d, M22=e, M32=f).
/// </para>
/// When the warp shrinks the face by more than 2x (a large face in a 4000-px photo going to 112 px), the covered
/// source area is first area-averaged down, so the crop is not aliased.
/// </summary>
public static class AffineWarp
{
    /// <summary>
    /// Warps into a normalised NHWC float tensor ([1, outHeight, outWidth, 3], value = pixel * scale + offset),
    /// writing straight into <paramref name="dstNhwc"/>.
    /// </summary>
    public static void WarpBilinear(
        RgbImage src,
        in Matrix3x2 sourceToDestination,
        int outWidth,
        int outHeight,
        Span<float> dstNhwc,
        float scale,
        float offset)
    {
        CheckSize(outWidth, outHeight);
        var needed = outWidth * outHeight * 3;
        if (dstNhwc.Length < needed)
        {
            throw new ArgumentException($"tensor holds {dstNhwc.Length} floats, {outWidth}x{outHeight}x3 needs {needed}", nameof(dstNhwc));
        }

        Warp(src, sourceToDestination, outWidth, outHeight, [], dstNhwc[..needed], scale, offset);
    }

    /// <summary>Warps into a new 8-bit image.</summary>
    public static RgbImage WarpBilinear(RgbImage src, in Matrix3x2 sourceToDestination, int outWidth, int outHeight)
    {
        CheckSize(outWidth, outHeight);
        var dst = new RgbImage(outWidth, outHeight);
        Warp(src, sourceToDestination, outWidth, outHeight, dst.Pixels, [], 1f, 0f);
        return dst;
    }

    /// <summary>Warps into an existing 8-bit image; its size is the output size.</summary>
    public static void WarpBilinear(RgbImage src, in Matrix3x2 sourceToDestination, RgbImage destination) =>
        Warp(src, sourceToDestination, destination.Width, destination.Height, destination.Pixels, [], 1f, 0f);

    private static void Warp(
        RgbImage src,
        Matrix3x2 sourceToDestination,
        int outWidth,
        int outHeight,
        Span<byte> dstBytes,
        Span<float> dstFloats,
        float scale,
        float offset)
    {
        if (!Matrix3x2.Invert(sourceToDestination, out var inverse) || !float.IsFinite(inverse.GetDeterminant()))
        {
            throw new ArgumentException($"the warp matrix {sourceToDestination} is singular", nameof(sourceToDestination));
        }

        var sourcePerOutput = MathF.Sqrt(MathF.Abs(inverse.GetDeterminant()));
        if (sourcePerOutput > 2f && TryShrink(src, inverse, outWidth, outHeight, sourcePerOutput, out var small, out var smallInverse))
        {
            using (small)
            {
                Sample(small, smallInverse, outWidth, outHeight, dstBytes, dstFloats, scale, offset);
            }

            return;
        }

        Sample(src, inverse, outWidth, outHeight, dstBytes, dstFloats, scale, offset);
    }

    /// <summary>
    /// Area-averages the source region the output covers down to about one source pixel per output pixel,
    /// and gives the destination-to-small-image matrix.
    /// </summary>
    private static bool TryShrink(
        RgbImage src,
        Matrix3x2 inverse,
        int outWidth,
        int outHeight,
        float sourcePerOutput,
        out RgbImage small,
        out Matrix3x2 smallInverse)
    {
        small = null!;
        smallInverse = default;
        Span<Vector2> corners =
        [
            Vector2.Transform(new Vector2(-0.5f, -0.5f), inverse),
            Vector2.Transform(new Vector2(outWidth - 0.5f, -0.5f), inverse),
            Vector2.Transform(new Vector2(-0.5f, outHeight - 0.5f), inverse),
            Vector2.Transform(new Vector2(outWidth - 0.5f, outHeight - 0.5f), inverse),
        ];
        var min = Vector2.Min(Vector2.Min(corners[0], corners[1]), Vector2.Min(corners[2], corners[3]));
        var max = Vector2.Max(Vector2.Max(corners[0], corners[1]), Vector2.Max(corners[2], corners[3]));

        // A margin of two output pixels keeps the bilinear taps of edge samples off the black outside of the
        // shrunk region, unless that edge is the source's own edge, where black is right anyway.
        var margin = (2 * sourcePerOutput) + 1;
        var left = (int)Math.Clamp(MathF.Floor(min.X - margin), 0, src.Width);
        var top = (int)Math.Clamp(MathF.Floor(min.Y - margin), 0, src.Height);
        var right = (int)Math.Clamp(MathF.Ceiling(max.X + margin), 0, src.Width);
        var bottom = (int)Math.Clamp(MathF.Ceiling(max.Y + margin), 0, src.Height);
        if (right - left < 3 || bottom - top < 3)
        {
            return false;
        }

        var region = new Rectangle(left, top, right - left, bottom - top);
        var smallWidth = Math.Max(1, (int)MathF.Round(region.Width / sourcePerOutput));
        var smallHeight = Math.Max(1, (int)MathF.Round(region.Height / sourcePerOutput));
        small = RgbImage.Rent(smallWidth, smallHeight);
        Resampler.Resample(src, region, smallWidth, smallHeight, small.Pixels, [], small.Stride);

        // Source pixel centre x maps to small-image coordinate (x - left + 0.5) * smallWidth / regionWidth - 0.5.
        var sx = (float)smallWidth / region.Width;
        var sy = (float)smallHeight / region.Height;
        var toSmall = new Matrix3x2(sx, 0, 0, sy, ((-left + 0.5f) * sx) - 0.5f, ((-top + 0.5f) * sy) - 0.5f);
        smallInverse = inverse * toSmall;
        return true;
    }

    private static void Sample(
        RgbImage src,
        Matrix3x2 inverse,
        int outWidth,
        int outHeight,
        Span<byte> dstBytes,
        Span<float> dstFloats,
        float scale,
        float offset)
    {
        ReadOnlySpan<byte> s = src.Pixels;
        var w = src.Width;
        var h = src.Height;
        var stride = src.Stride;
        var toBytes = !dstBytes.IsEmpty;
        var o = 0;
        for (var dy = 0; dy < outHeight; dy++)
        {
            var rowX = (dy * inverse.M21) + inverse.M31;
            var rowY = (dy * inverse.M22) + inverse.M32;
            for (var dx = 0; dx < outWidth; dx++, o += 3)
            {
                var x = (dx * inverse.M11) + rowX;
                var y = (dx * inverse.M12) + rowY;
                float r = 0, g = 0, b = 0;

                // Anything further than one pixel outside is pure border; NaN fails these tests too.
                if (x > -1f && y > -1f && x < w && y < h)
                {
                    var x0 = (int)MathF.Floor(x);
                    var y0 = (int)MathF.Floor(y);
                    var fx = x - x0;
                    var fy = y - y0;
                    var w00 = (1 - fx) * (1 - fy);
                    var w10 = fx * (1 - fy);
                    var w01 = (1 - fx) * fy;
                    var w11 = fx * fy;
                    var i = (y0 * stride) + (x0 * 3);
                    if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h)
                    {
                        var j = i + stride;
                        r = (w00 * s[i]) + (w10 * s[i + 3]) + (w01 * s[j]) + (w11 * s[j + 3]);
                        g = (w00 * s[i + 1]) + (w10 * s[i + 4]) + (w01 * s[j + 1]) + (w11 * s[j + 4]);
                        b = (w00 * s[i + 2]) + (w10 * s[i + 5]) + (w01 * s[j + 2]) + (w11 * s[j + 5]);
                    }
                    else
                    {
                        AddTap(s, stride, w, h, x0, y0, w00, ref r, ref g, ref b);
                        AddTap(s, stride, w, h, x0 + 1, y0, w10, ref r, ref g, ref b);
                        AddTap(s, stride, w, h, x0, y0 + 1, w01, ref r, ref g, ref b);
                        AddTap(s, stride, w, h, x0 + 1, y0 + 1, w11, ref r, ref g, ref b);
                    }
                }

                if (toBytes)
                {
                    dstBytes[o] = Resampler.ToByte(r);
                    dstBytes[o + 1] = Resampler.ToByte(g);
                    dstBytes[o + 2] = Resampler.ToByte(b);
                }
                else
                {
                    dstFloats[o] = (r * scale) + offset;
                    dstFloats[o + 1] = (g * scale) + offset;
                    dstFloats[o + 2] = (b * scale) + offset;
                }
            }
        }
    }

    private static void AddTap(ReadOnlySpan<byte> s, int stride, int w, int h, int x, int y, float weight, ref float r, ref float g, ref float b)
    {
        if ((uint)x >= (uint)w || (uint)y >= (uint)h || weight == 0f)
        {
            return;
        }

        var i = (y * stride) + (x * 3);
        r += weight * s[i];
        g += weight * s[i + 1];
        b += weight * s[i + 2];
    }

    private static void CheckSize(int outWidth, int outHeight)
    {
        if (outWidth <= 0 || outHeight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(outWidth), $"output size {outWidth}x{outHeight} must be positive");
        }
    }
}
