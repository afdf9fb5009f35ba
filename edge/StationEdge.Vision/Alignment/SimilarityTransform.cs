using System.Drawing;

namespace StationEdge.Vision.Alignment;

/// <summary>
/// Least-squares similarity transform (rotation, uniform scale, translation) between point sets, after
/// Umeyama (1991). In 2-D Umeyama's SVD step has a closed form: with centred points the optimal
/// rotation angle is atan2(Σ xs·yd − ys·xd, Σ xs·xd + ys·yd) and the scale is the length of that vector
/// over the source variance, which is what this computes. Like Umeyama's det-sign correction, the result
/// is always a proper rotation: a mirrored point set is fitted by the best rotation, never by a reflection.
/// </summary>
public static class SimilarityTransform
{
    /// <summary>Maps <paramref name="source"/> onto <paramref name="destination"/> in the least-squares sense.</summary>
    /// <exception cref="ArgumentException">Fewer than two points, unequal counts, non-finite points, or a degenerate source (all points at one place).</exception>
    public static AffineMatrix Estimate(ReadOnlySpan<PointF> source, ReadOnlySpan<PointF> destination) =>
        TryEstimate(source, destination, out var transform)
            ? transform
            : throw Degenerate(nameof(source));

    /// <summary>The failure <see cref="TryEstimate"/> reports as false, as the exception for callers that need a transform.</summary>
    internal static ArgumentException Degenerate(string parameter) =>
        new("keypoints are degenerate (all at one point): no similarity transform can align them", parameter);

    /// <summary>
    /// As <see cref="Estimate"/>, but false when the source points collapse onto one spot (a face too small or too
    /// far to align), the one failure that comes from the picture rather than from the caller.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two points, unequal counts, non-finite points, or a degenerate destination.</exception>
    public static bool TryEstimate(ReadOnlySpan<PointF> source, ReadOnlySpan<PointF> destination, out AffineMatrix transform)
    {
        transform = default;
        if (source.Length != destination.Length)
        {
            throw new ArgumentException($"point counts differ: {source.Length} source, {destination.Length} destination", nameof(destination));
        }

        if (source.Length < 2)
        {
            throw new ArgumentException($"a similarity transform needs at least 2 point pairs, got {source.Length}", nameof(source));
        }

        var n = source.Length;
        double msx = 0, msy = 0, mdx = 0, mdy = 0;
        for (var i = 0; i < n; i++)
        {
            if (!float.IsFinite(source[i].X) || !float.IsFinite(source[i].Y) || !float.IsFinite(destination[i].X) || !float.IsFinite(destination[i].Y))
            {
                throw new ArgumentException($"point pair {i} is not finite", nameof(source));
            }

            msx += source[i].X;
            msy += source[i].Y;
            mdx += destination[i].X;
            mdy += destination[i].Y;
        }

        msx /= n;
        msy /= n;
        mdx /= n;
        mdy /= n;

        double varianceSum = 0, dotSum = 0, crossSum = 0;
        for (var i = 0; i < n; i++)
        {
            var sx = source[i].X - msx;
            var sy = source[i].Y - msy;
            var dx = destination[i].X - mdx;
            var dy = destination[i].Y - mdy;
            varianceSum += (sx * sx) + (sy * sy);
            dotSum += (sx * dx) + (sy * dy);
            crossSum += (sx * dy) - (sy * dx);
        }

        // Spread below a hundredth of a pixel (squared, summed) means the keypoints collapsed onto one
        // spot: the scale would be enormous or infinite, so refuse rather than produce NaN or garbage.
        if (varianceSum < 1e-4)
        {
            return false;
        }

        var a = dotSum / varianceSum;
        var b = crossSum / varianceSum;
        if (!(Math.Sqrt((a * a) + (b * b)) > 1e-12))
        {
            throw new ArgumentException("destination points are degenerate (all at one point): the fitted scale is zero", nameof(destination));
        }

        transform = new AffineMatrix(a, -b, mdx - ((a * msx) - (b * msy)), b, a, mdy - ((b * msx) + (a * msy)));
        return true;
    }
}
