using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class WorkerTests
{
    [Fact]
    public async Task Enroll_StoresTheWorkerActive_WithTemplatesAndAnAuditEntry()
    {
        await using var test = await TestStore.OpenAsync();
        var enrollment = await test.Store.EnrollAsync(TestStore.Worker("W001", "李娜"), [TestStore.Template(1), TestStore.Template(2)], TestStore.Keeper);

        var worker = await test.Store.GetWorkerAsync("W001");
        Assert.NotNull(worker);
        Assert.Equal(enrollment.Worker, worker);
        Assert.Equal("李娜", worker.Name);
        Assert.Equal("13800138000", worker.Phone);
        Assert.Equal(WorkerStatus.Active, worker.Status);
        Assert.Equal(new DateOnly(2027, 6, 30), worker.ValidUntil);
        Assert.Equal("consent-v1", worker.ConsentVersion);
        Assert.Equal(test.Clock.GetUtcNow(), worker.ConsentAt);
        Assert.Equal("keeper-li", worker.EnrolledBy);
        Assert.Equal(2, enrollment.TemplateIds.Count);
        Assert.Equal(enrollment.TemplateIds, (await test.Store.ListTemplatesAsync("W001")).Select(t => t.Id));
        var audit = Assert.Single(await test.Store.ListAuditAsync());
        Assert.Equal(("keeper-li", "worker.enroll", "W001", "192.168.1.20"), (audit.Keeper, audit.Action, audit.Target, audit.Address));
    }

    [Fact]
    public async Task Enroll_SameIdTwice_IsAConflictAndChangesNothing()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001", "李娜"), [TestStore.Template(1)], TestStore.Keeper);

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.EnrollAsync(TestStore.Worker("W001", "王强"), [TestStore.Template(2)], TestStore.Keeper));

        Assert.Equal(StoreFault.Conflict, e.Fault);
        Assert.Contains("W001 is already enrolled (李娜", e.Message, StringComparison.Ordinal);
        Assert.Equal("李娜", (await test.Store.GetWorkerAsync("W001"))!.Name);
        Assert.Single(await test.Store.ListTemplatesAsync("W001"));
        Assert.Single(await test.Store.ListAuditAsync());
    }

    [Theory]
    [InlineData("", "worker id '' is not valid")]
    [InlineData("W 001", "worker id 'W 001' is not valid")]
    [InlineData("-W001", "worker id '-W001' is not valid")]
    [InlineData("W001\n", "worker id 'W001?' is not valid")]
    [InlineData("W/../001", "worker id 'W/../001' is not valid")]
    public async Task Enroll_InvalidWorkerId_IsRefusedWithTheId(string id, string expected)
    {
        await using var test = await TestStore.OpenAsync();

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.EnrollAsync(TestStore.Worker(id), [], TestStore.Keeper));

        Assert.Equal(StoreFault.InvalidInput, e.Fault);
        Assert.True(e.IsBadInput);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(await test.Store.ListWorkersAsync());
    }

    [Fact]
    public async Task Enroll_BadFields_NameTheField()
    {
        await using var test = await TestStore.OpenAsync();

        async Task<string> Refusal(NewWorker worker, NewTemplate template) =>
            (await Assert.ThrowsAsync<StoreException>(() => test.Store.EnrollAsync(worker, [template], TestStore.Keeper))).Message;

        var ok = TestStore.Worker("W001");
        Assert.Equal("phone '12ab' is not valid: use an optional '+' and 5-20 digits", await Refusal(ok with { Phone = "12ab" }, TestStore.Template(1)));
        Assert.Equal("worker name is blank", await Refusal(ok with { Name = "  " }, TestStore.Template(1)));
        Assert.Equal("consent version is required", await Refusal(ok with { ConsentVersion = "" }, TestStore.Template(1)));
        Assert.Equal("embedder sha256 'abc' is not 64 lowercase hex digits", await Refusal(ok, TestStore.Template(1) with { EmbedderSha256 = "abc" }));
        Assert.Equal("embedding value 3 is NaN, not a finite number",
            await Refusal(ok, TestStore.Template(1) with { Embedding = new float[] { 0, 0, 0, float.NaN } }));
        Assert.Equal("crop is 10 bytes; an aligned 112x112 RGB crop is 37632", await Refusal(ok, TestStore.Template(1) with { Crop = new byte[10] }));
        Assert.Empty(await test.Store.ListWorkersAsync());
    }

    [Fact]
    public async Task Search_FindsByNamePhoneDigitsOrMemberNumber()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001", "张伟") with { Phone = "13911112222", MemberNumber = "GH-2026-0042" }, [], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W002", "王芳") with { Phone = "13733334444", MemberNumber = "GH-2026-0077" }, [], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W003", "张敏") with { Phone = null, MemberNumber = null }, [], TestStore.Keeper);

        async Task<string[]> Ids(string text) => [.. (await test.Store.SearchWorkersAsync(text)).Select(w => w.Id).Order()];

        Assert.Equal(["W001", "W003"], await Ids("张"));
        Assert.Equal(["W002"], await Ids("3333"));
        Assert.Equal(["W002"], await Ids("137-3333"));
        Assert.Equal(["W001"], await Ids("0042"));
        Assert.Empty(await Ids("%"));
        Assert.Empty(await Ids("_"));
    }

    [Fact]
    public async Task SuspendAndResume_ChangeTheStatus_AndAreAudited()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [], TestStore.Keeper);
        test.Clock.Advance(TimeSpan.FromHours(1));

        var suspended = await test.Store.SetWorkerStatusAsync("W001", WorkerStatus.Suspended, TestStore.Keeper);
        Assert.Equal(WorkerStatus.Suspended, suspended.Status);
        Assert.Equal(test.Clock.GetUtcNow(), suspended.UpdatedAt);
        Assert.Equal(WorkerStatus.Suspended, (await test.Store.GetWorkerAsync("W001"))!.Status);

        var resumed = await test.Store.SetWorkerStatusAsync("W001", WorkerStatus.Active, new KeeperContext("keeper-wang", "cli"));
        Assert.Equal(WorkerStatus.Active, resumed.Status);
        Assert.Equal(["worker.resume", "worker.suspend", "worker.enroll"], (await test.Store.ListAuditAsync()).Select(a => a.Action));

        var missing = await Assert.ThrowsAsync<StoreException>(() => test.Store.SetWorkerStatusAsync("W404", WorkerStatus.Suspended, TestStore.Keeper));
        Assert.Equal((StoreFault.NotFound, "no worker W404 is enrolled"), (missing.Fault, missing.Message));
    }

    [Fact]
    public async Task Delete_RemovesTemplatesAndCrops_VisitsKeepOnlyTheWorkerId()
    {
        await using var test = await TestStore.OpenAsync(o => o.KeepCrops = true);
        var enrollment = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1, withCrop: true), TestStore.Template(2, withCrop: true)], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W002"), [TestStore.Template(3, withCrop: true)], TestStore.Keeper);
        var visit = await test.Store.RecordVisitAsync(TestStore.Granted("W001"));

        var deletion = await test.Store.DeleteWorkerAsync("W001", TestStore.Keeper);

        Assert.Equal(new WorkerDeletion("W001", 2, 2), deletion);
        Assert.Null(await test.Store.GetWorkerAsync("W001"));
        Assert.Empty(await test.Store.ListTemplatesAsync("W001"));
        Assert.Null(await test.Store.ReadCropAsync(enrollment.TemplateIds[0]));
        using (var raw = test.Raw())
        {
            Assert.Equal(1, TestStore.Scalar(raw, "SELECT count(*) FROM templates"));
            Assert.Equal(1, TestStore.Scalar(raw, "SELECT count(*) FROM crops"));
        }

        Assert.Equal(visit, Assert.Single(await test.Store.ListVisitsAsync()));
        Assert.Equal("W001", visit.WorkerId);
        Assert.Equal(["W002"], (await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates.Select(t => t.WorkerId));
        Assert.Equal("2 templates, 2 crops removed", (await test.Store.ListAuditAsync(limit: 1))[0].Details);
    }
}
