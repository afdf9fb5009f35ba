using System.Buffers;
using System.Drawing;
using System.Numerics;
using System.Runtime.InteropServices;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Separable resampling shared by resize, letterbox and the warp's pre-shrink. Per axis, a reduction by more
/// than 2x uses area averaging (each output pixel is the coverage-weighted mean of the source pixels under it,
/// so detector input is not aliased); anything else uses bilinear taps at half-pixel centres. At exactly 2x the
/// two rules give the same weights, so quality does not jump at the switch.
/// The vertical pass runs first, over whole source rows with SIMD, because that is where the full-resolution
/// work is; the horizontal pass then only touches output columns.
/// </summary>
internal static class Resampler
{
    /// <summary>
    /// Resamples <paramref name="region"/> of <paramref name="src"/> to <paramref name="dstWidth"/> x <paramref name="dstHeight"/>.
    /// Exactly one of <paramref name="dstBytes"/> (rounded, clamped) and <paramref name="dstFloats"/>
    /// (value * scale + offset, unrounded) is non-empty; it starts at the first output pixel and advances
    /// <paramref name="dstStride"/> elements per output row.
    /// </summary>
    public static void Resample(
        RgbImage src,
        Rectangle region,
        int dstWidth,
        int dstHeight,
        Span<byte> dstBytes,
        Span<float> dstFloats,
        int dstStride,
        float scale = 1f,
        float offset = 0f)
    {
        var xMax = MaxTaps(region.Width, dstWidth);
        var yMax = MaxTaps(region.Height, dstHeight);
        var floats = ArrayPool<float>.Shared;
        var ints = ArrayPool<int>.Shared;
        var xWeights = floats.Rent(dstWidth * xMax);
        var yWeights = floats.Rent(dstHeight * yMax);
        var accumulator = floats.Rent(region.Width * 3);
        var xFirst = ints.Rent(dstWidth);
        var xCount = ints.Rent(dstWidth);
        var yFirst = ints.Rent(dstHeight);
        var yCount = ints.Rent(dstHeight);
        try
        {
            BuildTaps(region.Width, dstWidth, xMax, xFirst, xCount, xWeights);
            BuildTaps(region.Height, dstHeight, yMax, yFirst, yCount, yWeights);
            var acc = accumulator.AsSpan(0, region.Width * 3);
            var toBytes = !dstBytes.IsEmpty;

            for (var oy = 0; oy < dstHeight; oy++)
            {
                for (var k = 0; k < yCount[oy]; k++)
                {
                    var row = src.Row(region.Y + yFirst[oy] + k).Slice(region.X * 3, region.Width * 3);
                    var w = yWeights[(oy * yMax) + k];
                    if (k == 0)
                    {
                        ScaleRow(row, acc, w);
                    }
                    else
                    {
                        AccumulateRow(row, acc, w);
                    }
                }

                var rowStart = oy * dstStride;
                for (var ox = 0; ox < dstWidth; ox++)
                {
                    float r = 0, g = 0, b = 0;
                    var j = xFirst[ox] * 3;
                    var wi = ox * xMax;
                    for (var k = 0; k < xCount[ox]; k++, j += 3)
                    {
                        var w = xWeights[wi + k];
                        r += w * acc[j];
                        g += w * acc[j + 1];
                        b += w * acc[j + 2];
                    }

                    var o = rowStart + (ox * 3);
                    if (toBytes)
                    {
                        dstBytes[o] = ToByte(r);
                        dstBytes[o + 1] = ToByte(g);
                        dstBytes[o + 2] = ToByte(b);
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
        finally
        {
            floats.Return(xWeights);
            floats.Return(yWeights);
            floats.Return(accumulator);
            ints.Return(xFirst);
            ints.Return(xCount);
            ints.Return(yFirst);
            ints.Return(yCount);
        }
    }

    internal static byte ToByte(float v) => v <= 0f ? (byte)0 : v >= 254.5f ? (byte)255 : (byte)(v + 0.5f);

    private static int MaxTaps(int srcLength, int dstLength)
    {
        var ratio = (double)srcLength / dstLength;
        return ratio > 2 ? (int)Math.Ceiling(ratio) + 1 : 2;
    }

    private static void BuildTaps(int srcLength, int dstLength, int maxTaps, int[] first, int[] count, float[] weights)
    {
        var ratio = (double)srcLength / dstLength;
        for (var i = 0; i < dstLength; i++)
        {
            var w = weights.AsSpan(i * maxTaps, maxTaps);
            if (ratio > 2)
            {
                // Output pixel i covers [i*ratio, (i+1)*ratio) in source edge coordinates.
                var a = i * ratio;
                var b = Math.Min(srcLength, (i + 1) * ratio);
                var j0 = Math.Min(srcLength - 1, (int)Math.Floor(a));
                var j1 = Math.Min(srcLength, Math.Min(j0 + maxTaps, (int)Math.Ceiling(b)));
                double sum = 0;
                for (var j = j0; j < j1; j++)
                {
                    var overlap = Math.Max(0, Math.Min(b, j + 1) - Math.Max(a, j));
                    w[j - j0] = (float)overlap;
                    sum += overlap;
                }

                // Renormalise so a constant image stays exactly constant despite rounding in the overlaps.
                for (var j = j0; j < j1; j++)
                {
                    w[j - j0] = (float)(w[j - j0] / sum);
                }

                first[i] = j0;
                count[i] = j1 - j0;
            }
            else
            {
                var c = Math.Clamp(((i + 0.5) * ratio) - 0.5, 0, srcLength - 1);
                var j0 = (int)Math.Floor(c);
                var f = (float)(c - j0);
                first[i] = j0;
                if (j0 >= srcLength - 1 || f == 0f)
                {
                    count[i] = 1;
                    w[0] = 1f;
                }
                else
                {
                    count[i] = 2;
                    w[0] = 1f - f;
                    w[1] = f;
                }
            }
        }
    }

    /// <summary>acc = w * src, widening bytes to floats a vector at a time.</summary>
    internal static void ScaleRow(ReadOnlySpan<byte> src, Span<float> acc, float w)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<byte>.Count)
        {
            var wv = new Vector<float>(w);
            var n = Vector<float>.Count;
            for (; i <= src.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Widen(new Vector<byte>(src[i..]), out var f0, out var f1, out var f2, out var f3);
                var dst = MemoryMarshal.Cast<float, Vector<float>>(acc.Slice(i, 4 * n));
                dst[0] = f0 * wv;
                dst[1] = f1 * wv;
                dst[2] = f2 * wv;
                dst[3] = f3 * wv;
            }
        }

        for (; i < src.Length; i++)
        {
            acc[i] = w * src[i];
        }
    }

    /// <summary>acc += w * src.</summary>
    internal static void AccumulateRow(ReadOnlySpan<byte> src, Span<float> acc, float w)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<byte>.Count)
        {
            var wv = new Vector<float>(w);
            var n = Vector<float>.Count;
            for (; i <= src.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Widen(new Vector<byte>(src[i..]), out var f0, out var f1, out var f2, out var f3);
                var dst = MemoryMarshal.Cast<float, Vector<float>>(acc.Slice(i, 4 * n));
                dst[0] += f0 * wv;
                dst[1] += f1 * wv;
                dst[2] += f2 * wv;
                dst[3] += f3 * wv;
            }
        }

        for (; i < src.Length; i++)
        {
            acc[i] += w * src[i];
        }
    }

    /// <summary>dst = src * scale + offset: bytes to a normalised float tensor.</summary>
    internal static void Normalize(ReadOnlySpan<byte> src, Span<float> dst, float scale, float offset)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<byte>.Count)
        {
            var sv = new Vector<float>(scale);
            var ov = new Vector<float>(offset);
            var n = Vector<float>.Count;
            for (; i <= src.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Widen(new Vector<byte>(src[i..]), out var f0, out var f1, out var f2, out var f3);
                var d = MemoryMarshal.Cast<float, Vector<float>>(dst.Slice(i, 4 * n));
                d[0] = (f0 * sv) + ov;
                d[1] = (f1 * sv) + ov;
                d[2] = (f2 * sv) + ov;
                d[3] = (f3 * sv) + ov;
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = (src[i] * scale) + offset;
        }
    }

    private static void Widen(Vector<byte> bytes, out Vector<float> f0, out Vector<float> f1, out Vector<float> f2, out Vector<float> f3)
    {
        Vector.Widen(bytes, out Vector<ushort> lo, out Vector<ushort> hi);
        Vector.Widen(lo, out Vector<uint> u0, out Vector<uint> u1);
        Vector.Widen(hi, out Vector<uint> u2, out Vector<uint> u3);
        f0 = Vector.ConvertToSingle(u0);
        f1 = Vector.ConvertToSingle(u1);
        f2 = Vector.ConvertToSingle(u2);
        f3 = Vector.ConvertToSingle(u3);
    }
}
