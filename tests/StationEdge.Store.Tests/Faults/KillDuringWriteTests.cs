using System.Globalization;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests.Faults;

/// <summary>kill -9 of a process in the middle of its visit writes.</summary>
public sealed class KillDuringWriteTests
{
    [Fact]
    public async Task SigkillDuringVisitWrites_LosesAtMostTheVisitInFlight_AndLeavesTheDatabaseReadable()
    {
        using var folder = new TempFolder("stationedge-kill-");
        var dataPath = Path.Combine(folder.Path, "data");
        var reported = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            var committed = await RunChildUntilKilledAsync(dataPath, visits: 150 + (37 * round));
            reported.AddRange(committed);

            // Opening runs quick_check: it throws on a damaged file.
            await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = dataPath });
            var stored = (await store.ListVisitsAsync(limit: 100_000)).Select(v => v.Seq).ToHashSet();
            var missing = reported.Where(seq => !stored.Contains(seq)).ToList();
            Assert.True(missing.Count == 0, $"round {round}: committed visits lost after kill -9: {string.Join(", ", missing)}");
            var extra = stored.Except(reported).ToList();
            Assert.True(extra.Count <= 1 && extra.All(seq => seq == reported.Max() + 1),
                $"round {round}: rows other than the one visit in flight: {string.Join(", ", extra)}");
            reported.AddRange(extra);

            // The visit and its outbox message were one transaction: the kill never leaves one without the other.
            var outbox = await store.PeekOutboxAsync(100_000);
            Assert.Equal(stored.Count, outbox.Count);
            var next = await store.RecordVisitAsync(TestStore.Unknown(), v => new OutboxDraft("stations/s1/visits", $$"""{"id":"{{v.Id}}"}"""));
            Assert.True(next.Seq > stored.Max(), $"seq {next.Seq} reused after the kill (max stored {stored.Max()})");
            reported.Add(next.Seq);
        }

        var check = await StationStore.CheckAsync(new StoreOptions { DataPath = dataPath });
        Assert.True(check.Healthy, string.Join("; ", check.Problems));
    }

    private static async Task<List<long>> RunChildUntilKilledAsync(string dataPath, int visits)
    {
        using var child = VisitWriterChild.Start(dataPath);
        var stderr = child.StandardError.ReadToEndAsync();
        var committed = new List<long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (committed.Count < visits)
            {
                var line = await child.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"the writer child exited early: {await stderr}");
                committed.Add(long.Parse(line, CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            // Process.Kill is SIGKILL on Linux: no handler, no flush, no finally in the child.
            child.Kill();
            await child.WaitForExitAsync(CancellationToken.None);
        }

        // Lines the child printed before it died: committed as well.
        while (await child.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
        {
            if (long.TryParse(rest, CultureInfo.InvariantCulture, out var seq))
            {
                committed.Add(seq);
            }
        }

        Assert.Equal(137, child.ExitCode);
        return committed;
    }
}
