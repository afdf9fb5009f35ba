using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests.Faults;

/// <summary>A damaged database file: a clear refusal at start-up, and <c>store recover</c> as README.md describes it.</summary>
public sealed class CorruptionTests
{
    private const int Visits = 600;

    [Fact]
    public async Task DamagedHeader_IsRefusedAtStartUp_NamingTheFileAndTheRecoverCommand()
    {
        await using var test = await FilledStoreAsync();
        OverwriteHeader(test.DatabasePath);

        var e = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);

        Assert.Equal(StoreFault.Corrupt, e.Fault);
        Assert.False(e.IsBadInput);
        Assert.StartsWith($"{test.DatabasePath} is damaged (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"run 'station-edge store recover --data {test.DataPath}' (it keeps a copy of the damaged file)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        var check = await StationStore.CheckAsync(test.Options);
        Assert.False(check.Healthy);
        Assert.True(check.DatabaseDamaged);
        Assert.Contains(check.Problems, p => p.Contains("station-edge store recover", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Recover_AfterADamagedHeader_KeepsThePassesTheirUsesAndTheirKey()
    {
        await using var test = await FilledStoreAsync();
        await test.ReopenAsync();
        var now = test.Clock.GetUtcNow();
        var pass = new StoredPass(Guid.NewGuid(), "visitor", null, "王五", now, now.AddHours(2), "keeper-li");
        await test.Store.AddPassAsync(pass, TestStore.Keeper, "visitor, 2 h");
        var visit = Guid.NewGuid();
        await test.Store.RecordPassUseAsync(pass.Id, visit);
        var key = await test.Store.PassKeyAsync(32);
        await test.CloseAsync();
        OverwriteHeader(test.DatabasePath);

        var report = await StationStore.RecoverAsync(test.Options, test.Clock);

        Assert.Equal((1, 0), Table(report, "passes"));
        Assert.Equal((1, 0), Table(report, "pass_uses"));
        await test.ReopenAsync();
        Assert.Equal("王五", (await test.Store.FindPassAsync(pass.Id))!.VisitorName);
        Assert.Equal(pass.Id, (await test.Store.FindPassUsesAsync([visit]))[visit].Id);
        Assert.Equal(key, await test.Store.PassKeyAsync(32));
    }

    [Fact]
    public async Task Recover_AfterADamagedHeader_KeepsTheDamagedFile_AndRestoresEveryRow()
    {
        await using var test = await FilledStoreAsync();
        OverwriteHeader(test.DatabasePath);
        var damaged = await File.ReadAllBytesAsync(test.DatabasePath);

        var report = await StationStore.RecoverAsync(test.Options, test.Clock);

        Assert.True(report.HeaderRepaired);
        Assert.Equal(Path.Combine(test.DataPath, "broken-20261201T130000Z"), report.DamagedCopyFolder);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(Path.Combine(report.DamagedCopyFolder, "station.db")));
        Assert.Equal(["station.db"], Directory.GetFileSystemEntries(report.DamagedCopyFolder).Select(Path.GetFileName));
        Assert.Equal((Visits, 0), Table(report, "visits"));
        Assert.Equal((3, 0), Table(report, "workers"));
        Assert.Equal(Visits + 1, report.NextVisitSeq);

        await test.ReopenAsync();
        Assert.Equal(["W001", "W002", "W003"], (await test.Store.ListWorkersAsync()).Select(w => w.Id));
        var gallery = await test.Store.LoadTemplatesAsync(TestStore.Sha);
        Assert.Equal(6, gallery.Templates.Count);
        Assert.Empty(gallery.Unreadable);
        Assert.Equal(TestStore.Template(1).Embedding.ToArray(), gallery.Templates[0].Embedding);
        Assert.Equal(Visits, (await test.Store.ListVisitsAsync(limit: 10_000)).Count);
        Assert.Equal(Visits + 1, (await test.Store.RecordVisitAsync(TestStore.Unknown())).Seq);
        Assert.True((await StationStore.CheckAsync(test.Options)).Healthy);
    }

    [Fact]
    public async Task Recover_AfterADamagedVisitsPage_KeepsEveryOtherRow_AndNeverReusesASequenceNumber()
    {
        await using var test = await FilledStoreAsync();
        await test.ReopenAsync();
        var before = (await test.Store.ListVisitsAsync(limit: 10_000)).ToDictionary(v => v.Seq);
        await test.CloseAsync();
        var page = DamageTablePageHolding(test.DatabasePath, before[300].Id.ToString());

        var refusal = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);
        Assert.Equal(StoreFault.Corrupt, refusal.Fault);
        Assert.Contains("quick_check", refusal.Message, StringComparison.Ordinal);
        Assert.True((await StationStore.CheckAsync(test.Options)).DatabaseDamaged);

        var report = await StationStore.RecoverAsync(test.Options, test.Clock);

        Assert.False(report.HeaderRepaired);
        var (recovered, stretches) = Table(report, "visits");
        Assert.True(stretches >= 1, $"page {page} was damaged but no unreadable stretch was met");
        Assert.InRange(recovered, Visits - 80, Visits - 1);
        Assert.Equal(Visits + 1, report.NextVisitSeq);
        await test.ReopenAsync();
        var after = await test.Store.ListVisitsAsync(limit: 10_000);
        Assert.Equal(recovered, after.Count);
        Assert.All(after, v => Assert.Equal(before[v.Seq], v));
        Assert.Contains(1L, after.Select(v => v.Seq));
        Assert.Contains((long)Visits, after.Select(v => v.Seq));
        Assert.DoesNotContain(300L, after.Select(v => v.Seq));
        Assert.Equal(6, (await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates.Count);
        Assert.Equal(Visits + 1, (await test.Store.RecordVisitAsync(TestStore.Unknown())).Seq);
    }

    [Fact]
    public async Task Recover_WhileTheStoreIsOpen_IsRefused_AndChangesNothing()
    {
        await using var test = await FilledStoreAsync();
        await test.ReopenAsync();

        var e = await Assert.ThrowsAsync<StoreException>(() => StationStore.RecoverAsync(test.Options, test.Clock));

        Assert.Equal(StoreFault.InUse, e.Fault);
        Assert.StartsWith($"{test.DatabasePath} is open in another process", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(test.DataPath));
        Assert.Equal(Visits, (await test.Store.ListVisitsAsync(limit: 10_000)).Count);
    }

    [Fact]
    public async Task Recover_OfAnUnreadableFile_StartsEmpty_KeepingTheKeyAndTheDamagedCopy()
    {
        await using var test = await FilledStoreAsync();
        var key = await File.ReadAllBytesAsync(test.KeyPath);
        await File.WriteAllBytesAsync(test.DatabasePath, new byte[8192]);

        var report = await StationStore.RecoverAsync(test.Options, test.Clock);

        Assert.All(report.Tables, t => Assert.Equal(0, t.Recovered));
        Assert.True(File.Exists(Path.Combine(report.DamagedCopyFolder, "station.db")));
        Assert.Equal(key, await File.ReadAllBytesAsync(test.KeyPath));
        await test.ReopenAsync();
        Assert.Empty(await test.Store.ListWorkersAsync());
        await test.Store.EnrollAsync(TestStore.Worker("W009"), [TestStore.Template(9)], TestStore.Keeper);
        Assert.Single((await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates);
    }

    /// <summary>Three workers with two templates each and <see cref="Visits"/> visits, closed (the WAL checkpointed into the file).</summary>
    private static async Task<TestStore> FilledStoreAsync()
    {
        var test = await TestStore.OpenAsync();
        for (var w = 1; w <= 3; w++)
        {
            await test.Store.EnrollAsync(TestStore.Worker($"W00{w}"), [TestStore.Template((2 * w) - 1), TestStore.Template(2 * w)], TestStore.Keeper);
        }

        for (var i = 0; i < Visits; i++)
        {
            await test.Store.RecordVisitAsync(i % 4 == 0 ? TestStore.Unknown() : TestStore.Granted($"W00{(i % 3) + 1}"));
            test.Clock.Advance(TimeSpan.FromSeconds(30));
        }

        await test.CloseAsync();
        Assert.False(File.Exists(test.DatabasePath + "-wal"), "the WAL was not checkpointed on close");
        return test;
    }

    private static void OverwriteHeader(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.Write(Enumerable.Repeat((byte)0xA5, 100).ToArray());
    }

    /// <summary>Fills the table b-tree leaf page (type 0x0D) that holds <paramref name="text"/> with random bytes; returns its number.</summary>
    private static long DamageTablePageHolding(string path, string text)
    {
        var bytes = File.ReadAllBytes(path);
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        for (var at = bytes.AsSpan().IndexOf(needle); at >= 0;)
        {
            var page = at / 4096;
            if (bytes[page * 4096] == 0x0D)
            {
                new Random(7).NextBytes(bytes.AsSpan(page * 4096, 4096));
                File.WriteAllBytes(path, bytes);
                return page + 1;
            }

            var next = bytes.AsSpan(at + 1).IndexOf(needle);
            at = next < 0 ? -1 : at + 1 + next;
        }

        throw new InvalidOperationException($"no table page holds {text}");
    }

    private static (long Recovered, int Stretches) Table(StoreRecoveryReport report, string table) =>
        report.Tables.Single(t => t.Table == table) is var t ? (t.Recovered, t.UnreadableStretches) : default;
}
