using System.Text;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class ConsentScopeTests
{
    [Fact]
    public async Task A_worker_is_recognised_at_this_station_only_unless_their_consent_covers_the_county_and_the_scope_is_recorded_with_when_and_who()
    {
        await using var test = await TestStore.OpenAsync();
        var here = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        var roaming = await test.Store.EnrollAsync(TestStore.Worker("W002") with { ConsentScope = ConsentScope.County }, [TestStore.Template(2)], TestStore.Keeper);

        Assert.Equal((ConsentScope.Station, "keeper-li"), (here.Worker.ConsentScope, here.Worker.ConsentScopeBy));
        var stored = (await test.Store.GetWorkerAsync("W002"))!;
        Assert.Equal(roaming.Worker, stored);
        Assert.Equal((ConsentScope.County, test.Clock.GetUtcNow(), "keeper-li"), (stored.ConsentScope, stored.ConsentScopeAt, stored.ConsentScopeBy));
        Assert.EndsWith("scope county", (await test.Store.ListAuditAsync())[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changing_the_scope_is_audited_with_the_old_and_new_scope_and_the_same_scope_again_writes_nothing()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        test.Clock.Advance(TimeSpan.FromHours(1));

        var changed = await test.Store.SetConsentScopeAsync("W001", ConsentScope.County, new KeeperContext("keeper-wang", "cli"));
        await test.Store.SetConsentScopeAsync("W001", ConsentScope.County, new KeeperContext("keeper-wang", "cli"));

        Assert.Equal((ConsentScope.County, test.Clock.GetUtcNow(), "keeper-wang"), (changed.ConsentScope, changed.ConsentScopeAt, changed.ConsentScopeBy));
        var audit = await test.Store.ListAuditAsync();
        Assert.Equal(["worker.consent", "worker.enroll"], audit.Select(a => a.Action));
        Assert.Equal(("keeper-wang", "consent scope station -> county"), (audit[0].Keeper, audit[0].Details));
        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.SetConsentScopeAsync("W404", ConsentScope.County, TestStore.Keeper));
        Assert.Equal(StoreFault.NotFound, e.Fault);
    }

    [Fact]
    public async Task Only_a_county_scoped_workers_enrolment_templates_come_with_their_notice_and_only_when_asked_for()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W002") with { ConsentScope = ConsentScope.County }, [TestStore.Template(2), TestStore.Template(3)], TestStore.Keeper);
        await test.Store.SetConsentScopeAsync("W002", ConsentScope.Station, TestStore.Keeper);

        var seen = new List<WorkerChange>();
        Assert.Equal(3, await test.Store.QueueWorkerNoticesAsync(c => { seen.Add(c); return null; }, countyTemplates: true));

        Assert.Equal([("worker.enroll", "W001"), ("worker.enroll", "W002"), ("worker.consent", "W002")], seen.Select(c => (c.Action, c.WorkerId)));
        // Read when the notice is made: by then W002's consent is back to this station, so nothing of their face goes.
        Assert.All(seen, c => Assert.Null(c.Templates));

        await test.Store.SetConsentScopeAsync("W002", ConsentScope.County, TestStore.Keeper);
        seen.Clear();
        await test.Store.QueueWorkerNoticesAsync(c => { seen.Add(c); return null; }, countyTemplates: true);
        var templates = Assert.Single(seen).Templates!;
        Assert.Equal([TestStore.Template(2).Embedding.ToArray(), TestStore.Template(3).Embedding.ToArray()], templates.Select(t => t.Embedding));

        await test.Store.SetConsentScopeAsync("W002", ConsentScope.Station, TestStore.Keeper);
        await test.Store.SetConsentScopeAsync("W002", ConsentScope.County, TestStore.Keeper);
        seen.Clear();
        await test.Store.QueueWorkerNoticesAsync(c => { seen.Add(c); return null; });
        Assert.All(seen, c => Assert.Null(c.Templates));
    }

    [Fact]
    public async Task Workers_from_before_the_scope_was_recorded_are_this_stations_only_as_recorded_at_their_consent_by_their_keeper()
    {
        await using var test = await TestStore.OpenAsync();
        var before = (await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper)).Worker;
        await test.CloseAsync();
        using (var raw = test.Raw())
        {
            using var back = raw.CreateCommand();
            back.CommandText = new StringBuilder()
                .Append("ALTER TABLE workers DROP COLUMN consent_scope; ALTER TABLE workers DROP COLUMN consent_scope_at; ")
                .Append("ALTER TABLE workers DROP COLUMN consent_scope_by; PRAGMA user_version = 4;").ToString();
            back.ExecuteNonQuery();
        }

        test.Clock.Advance(TimeSpan.FromDays(3));
        await test.ReopenAsync();

        var after = (await test.Store.GetWorkerAsync("W001"))!;
        Assert.Equal((ConsentScope.Station, before.ConsentAt, "keeper-li"), (after.ConsentScope, after.ConsentScopeAt, after.ConsentScopeBy));
        Assert.Equal(before, after);
    }
}
