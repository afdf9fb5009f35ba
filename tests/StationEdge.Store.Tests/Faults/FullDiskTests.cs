using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests.Faults;

/// <summary>The data folder on a file system that fills up: a real tmpfs of a few MiB, mounted for the test.</summary>
public sealed class FullDiskTests
{
    [TmpfsFact]
    public async Task FullDisk_FailsTheWriteNamingTheDataFolder_KeepsWhatIsStored_AndWritesResumeWhenSpaceReturns()
    {
        using var mount = SmallTmpfs.Mount(sizeMiB: 4);
        await using var test = await TestStore.OpenAsync(dataPath: Path.Combine(mount.Path, "data"));
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        var stored = new List<Visit>();
        for (var i = 0; i < 20; i++)
        {
            stored.Add(await test.Store.RecordVisitAsync(TestStore.Granted("W001")));
        }

        var filler = Path.Combine(mount.Path, "filler");
        SmallTmpfs.FillUp(filler);
        StoreException? full = null;
        for (var i = 0; i < 10_000 && full is null; i++)
        {
            try
            {
                stored.Add(await test.Store.RecordVisitAsync(TestStore.Granted("W001") with { Reason = new string('x', 150) }));
            }
            catch (StoreException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Equal(StoreFault.DiskFull, full.Fault);
        Assert.Equal($"the data folder {test.DataPath} is full: the visit was not stored (what is stored is kept; writes resume when space is freed)", full.Message);
        Assert.Equal(stored.Select(v => v.Seq).Reverse(), (await test.Store.ListVisitsAsync(limit: 10_000)).Select(v => v.Seq));
        Assert.Single((await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates);

        File.Delete(filler);
        var resumed = await test.Store.RecordVisitAsync(TestStore.Granted("W001"));
        Assert.Equal(stored[^1].Seq + 1, resumed.Seq);

        await test.ReopenAsync();
        Assert.Equal(stored.Count + 1, (await test.Store.ListVisitsAsync(limit: 10_000)).Count);
        await test.CloseAsync();
        Assert.True((await StationStore.CheckAsync(test.Options)).Healthy);
    }
}
