using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class RosterStampTests
{
    [Fact]
    public async Task RosterStamp_MovesOnEveryRosterChange_AndStaysOnVisits()
    {
        await using var test = await TestStore.OpenAsync(o => o.KeepCrops = true);
        var store = test.Store;
        var stamps = new List<RosterStamp> { await store.GetRosterStampAsync() };
        async Task Changed()
        {
            var stamp = await store.GetRosterStampAsync();
            Assert.DoesNotContain(stamp, stamps);
            stamps.Add(stamp);
        }

        var enrolled = await store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1, withCrop: true)], TestStore.Keeper);
        await Changed();
        await store.SetWorkerStatusAsync("W001", WorkerStatus.Suspended, TestStore.Keeper);
        await Changed();
        await store.SetWorkerStatusAsync("W001", WorkerStatus.Active, TestStore.Keeper);
        await Changed();
        await store.AddTemplatesAsync("W001", [TestStore.Template(2)], TestStore.Keeper);
        await Changed();
        await store.AddReembeddedTemplateAsync(enrolled.TemplateIds[0], TestStore.OtherSha, TestStore.Template(3, TestStore.OtherSha).Embedding);
        await Changed();
        await store.DeleteWorkerAsync("W001", TestStore.Keeper);
        await Changed();

        await store.RecordVisitAsync(TestStore.Unknown());
        Assert.Equal(stamps[^1], await store.GetRosterStampAsync());
    }

    [Fact]
    public async Task RosterStamp_SeesAChangeMadeThroughAnotherStoreOnTheSameFolder()
    {
        await using var test = await TestStore.OpenAsync();
        var before = await test.Store.GetRosterStampAsync();
        await using (var other = await StationStore.OpenAsync(test.Options))
        {
            await other.EnrollAsync(TestStore.Worker("W002"), [TestStore.Template(4)], TestStore.Keeper);
        }

        Assert.NotEqual(before, await test.Store.GetRosterStampAsync());
    }
}
