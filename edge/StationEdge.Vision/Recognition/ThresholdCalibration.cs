using System.Numerics.Tensors;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// The decision threshold of a <see cref="FaceGallery"/>, calibrated from the scores between its workers' centroids
/// (<see cref="GalleryOptions.ThresholdFor"/>). The gallery calls <see cref="Recalibrate"/> on the thread that changes
/// it, before the change is visible to searches, so a search only reads the result and never pays for the pairs.
/// </summary>
internal sealed class ThresholdCalibration(GalleryOptions options)
{
    /// <summary>Beyond this many centroid pairs (a county roster) as many pairs are drawn by a fixed-seed generator.</summary>
    public const int MaxPairs = 100_000;

    private long _runs;

    /// <summary>The threshold for the gallery as of the last change.</summary>
    public float Threshold { get; private set; } = options.ThresholdFor(0, 0, 0, 0);

    /// <summary>The centroid-pair statistics the threshold was calibrated from (zeros with a fixed threshold).</summary>
    public (double Mean, double Spread, long Pairs) PairScores { get; private set; }

    /// <summary>How many times the threshold was calibrated: once per change of the gallery, never by a search.</summary>
    public long Runs => Interlocked.Read(ref _runs);

    /// <summary>Calibrates for <paramref name="rows"/> unit centroid rows of <paramref name="dimensions"/> floats in <paramref name="centroids"/>.</summary>
    public void Recalibrate(ReadOnlySpan<float> centroids, int rows, int dimensions, int workers)
    {
        PairScores = options.Threshold is null ? Pairs(centroids, rows, dimensions) : (0, 0, 0);
        var (mean, spread, pairs) = PairScores;
        Threshold = options.ThresholdFor(workers, mean, spread, pairs);
        Interlocked.Increment(ref _runs);
    }

    /// <summary>Mean and spread of the centroid–centroid scores: every pair up to <see cref="MaxPairs"/>, beyond that a fixed-seed sample.</summary>
    public static (double Mean, double Spread, long Pairs) Pairs(ReadOnlySpan<float> centroids, int n, int dimensions)
    {
        var all = (long)n * (n - 1) / 2;
        if (all < 2)
        {
            return (0, 0, 0);
        }

        double sum = 0, squares = 0;
        long count = 0;
        if (all <= MaxPairs)
        {
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n; j++)
                {
                    Add(centroids, i, j, dimensions, ref sum, ref squares, ref count);
                }
            }
        }
        else
        {
            var random = new Random(n);
            while (count < MaxPairs)
            {
                int i = random.Next(n), j = random.Next(n);
                if (i != j)
                {
                    Add(centroids, i, j, dimensions, ref sum, ref squares, ref count);
                }
            }
        }

        var mean = sum / count;
        return (mean, Math.Sqrt(Math.Max(0, (squares - (count * mean * mean)) / (count - 1))), count);
    }

    private static void Add(ReadOnlySpan<float> centroids, int i, int j, int dimensions, ref double sum, ref double squares, ref long count)
    {
        double d = TensorPrimitives.Dot(centroids.Slice(i * dimensions, dimensions), centroids.Slice(j * dimensions, dimensions));
        sum += d;
        squares += d * d;
        count++;
    }
}
