using System.Diagnostics;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>
/// One probe against galleries of random unit templates, three per worker as enrollment stores them. Search
/// time depends only on the gallery's size, not on what the vectors hold, so random ones serve. One gallery
/// grows through the sizes, so the largest is built once.
/// </summary>
internal static class GallerySearch
{
    public const int TemplatesPerWorker = 3;

    /// <summary>
    /// Figures per gallery size. <paramref name="path"/> forces one dot-product width (the same random gallery for
    /// each, from a fixed seed), so both widths can be measured on a machine that has both.
    /// </summary>
    public static IReadOnlyDictionary<int, Figure> Measure(
        IReadOnlyList<int> sizes, int dimensions, int queries, CancellationToken ct, DotProductPath path = DotProductPath.Auto)
    {
        const string model = "bench";
        var random = new Random(2);
        // A fixed threshold: a calibration per added template would cost the load N² pairs, and a search costs the same either way.
        using var gallery = new FaceGallery(model, dimensions, new GalleryOptions { DotProduct = path, Threshold = 0.5f }, initialCapacity: sizes.Max());
        var embedding = new float[dimensions];
        var probes = new float[queries * dimensions];
        foreach (ref var x in probes.AsSpan())
        {
            x = random.NextSingle() - 0.5f;
        }

        var results = new Dictionary<int, Figure>();
        foreach (var size in sizes.Order())
        {
            ct.ThrowIfCancellationRequested();
            for (var row = gallery.Count; row < size; row++)
            {
                // Add copies the vector into the gallery's matrix, so one buffer serves every template.
                foreach (ref var x in embedding.AsSpan())
                {
                    x = random.NextSingle() - 0.5f;
                }

                gallery.Add(new FaceTemplate(Guid.NewGuid(), $"worker-{row / TemplatesPerWorker}", embedding, model));
            }

            Samples.WarmUp(() => gallery.Search(probes.AsSpan(0, dimensions)));

            var samples = new Samples(queries);
            Samples.SettleGarbage();
            for (var q = 0; q < queries; q++)
            {
                var start = Stopwatch.GetTimestamp();
                gallery.Search(probes.AsSpan(q * dimensions, dimensions));
                samples.Stop(start);
            }

            results[size] = samples.ToFigure();
        }

        return results;
    }
}
