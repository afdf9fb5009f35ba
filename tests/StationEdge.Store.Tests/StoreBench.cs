using System.Diagnostics;
using System.Globalization;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

/// <summary>
/// Store figures on this machine, printed, never asserted: loading the gallery (decrypting every template), one visit
/// write (with its outbox message), and the newest-visits query. <c>dotnet exec StationEdge.Store.Tests.dll bench</c>.
/// </summary>
internal static class StoreBench
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var templates = Option(args, "--templates", 5000);
        var visits = Option(args, "--visits", 2000);
        await using var test = await TestStore.OpenAsync();
        var store = test.Store;
        const int perWorker = 5;
        for (var w = 0; w < templates / perWorker; w++)
        {
            await store.EnrollAsync(TestStore.Worker($"W{w:D5}"), [.. Enumerable.Range(w * perWorker, perWorker).Select(s => TestStore.Template(s))], TestStore.Keeper);
        }

        var load = new List<double>();
        for (var run = 0; run < 7; run++)
        {
            var watch = Stopwatch.StartNew();
            var gallery = await store.LoadTemplatesAsync(TestStore.Sha);
            load.Add(watch.Elapsed.TotalMilliseconds);
            if (gallery.Templates.Count != templates / perWorker * perWorker)
            {
                throw new InvalidOperationException($"loaded {gallery.Templates.Count} templates");
            }
        }

        var write = new List<double>();
        for (var i = 0; i < visits; i++)
        {
            var watch = Stopwatch.StartNew();
            await store.RecordVisitAsync(TestStore.Granted($"W{i % 100:D5}"), v => new OutboxDraft("stations/s1/visits", $$"""{"id":"{{v.Id}}"}"""));
            write.Add(watch.Elapsed.TotalMilliseconds);
        }

        var query = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var watch = Stopwatch.StartNew();
            await store.ListVisitsAsync(limit: 100);
            query.Add(watch.Elapsed.TotalMilliseconds);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $$"""
            {"templates":{{templates}},"gallery_load_ms":{"median":{{Median(load):F1}},"p95":{{P95(load):F1}}},"visits":{{visits}},"visit_write_ms":{"median":{{Median(write):F2}},"p95":{{P95(write):F2}}},"visits_newest_100_ms":{"median":{{Median(query):F2}},"p95":{{P95(query):F2}}},"database_mb":{{new FileInfo(test.DatabasePath).Length / 1048576.0:F1}}}
            """));
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double P95(List<double> values) => Percentile(values, 0.95);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];
    }
}
