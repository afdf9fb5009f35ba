using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

/// <summary><see cref="StationStore.UpdateWorkerAsync"/>: the keeper site's edit of a worker.</summary>
public sealed class WorkerEditTests
{
    private static readonly KeeperContext Site = new("keeper-wang", "192.168.1.31");

    [Fact]
    public async Task Update_ChangesTheFields_KeepsTheRest_AndAuditsWhichFieldsChanged()
    {
        await using var test = await TestStore.OpenAsync();
        var before = (await test.Store.EnrollAsync(TestStore.Worker("W001", "张伟"), [TestStore.Template(1)], TestStore.Keeper)).Worker;
        test.Clock.Advance(TimeSpan.FromDays(3));

        var edited = await test.Store.UpdateWorkerAsync("W001", WorkerProfile.From(before) with
        {
            Name = "张伟伟",
            Phone = "+86 139-1111-2222",
            Employer = "饿了么",
            MemberNumber = null,
            ValidUntil = new DateOnly(2027, 12, 31),
        }, Site);

        Assert.Equal(before with
        {
            Name = "张伟伟",
            Phone = "+8613911112222",
            Employer = "饿了么",
            MemberNumber = null,
            ValidUntil = new DateOnly(2027, 12, 31),
            UpdatedAt = test.Clock.GetUtcNow(),
        }, edited);
        Assert.Equal(edited, await test.Store.GetWorkerAsync("W001"));
        var audit = (await test.Store.ListAuditAsync(limit: 1))[0];
        Assert.Equal(("keeper-wang", "192.168.1.31", "worker.edit", "W001"), (audit.Keeper, audit.Address, audit.Action, audit.Target));
        Assert.Equal("name, phone, employer, member_number, valid_until 2027-06-30 -> 2027-12-31", audit.Details);
        Assert.Single(await test.Store.ListTemplatesAsync("W001"));
    }

    [Fact]
    public async Task Update_ClearingValidUntil_IsAuditedAsNone_AndKeepsNoPersonalDataInTheAudit()
    {
        await using var test = await TestStore.OpenAsync();
        var worker = (await test.Store.EnrollAsync(TestStore.Worker("W001", "张伟"), [], TestStore.Keeper)).Worker;

        await test.Store.UpdateWorkerAsync("W001", WorkerProfile.From(worker) with { ValidUntil = null, Phone = "13700001111" }, Site);

        var details = (await test.Store.ListAuditAsync(limit: 1))[0].Details!;
        Assert.Equal("phone, valid_until 2027-06-30 -> none", details);
        Assert.DoesNotContain("1370000", details, StringComparison.Ordinal);
        Assert.Null((await test.Store.GetWorkerAsync("W001"))!.ValidUntil);
    }

    [Fact]
    public async Task Update_WithNothingChanged_WritesNothing()
    {
        await using var test = await TestStore.OpenAsync();
        var worker = (await test.Store.EnrollAsync(TestStore.Worker("W001"), [], TestStore.Keeper)).Worker;
        test.Clock.Advance(TimeSpan.FromHours(1));

        var same = await test.Store.UpdateWorkerAsync("W001", WorkerProfile.From(worker), Site);

        Assert.Equal(worker, same);
        Assert.Single(await test.Store.ListAuditAsync());
    }

    [Fact]
    public async Task Update_OfAnUnknownWorker_IsNotFound_AndAuditsNothing()
    {
        await using var test = await TestStore.OpenAsync();

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.UpdateWorkerAsync("W404", new WorkerProfile { Name = "王强" }, Site));

        Assert.Equal((StoreFault.NotFound, "no worker W404 is enrolled"), (e.Fault, e.Message));
        Assert.True(e.IsBadInput);
        Assert.Empty(await test.Store.ListAuditAsync());
    }

    [Theory]
    [InlineData("name", "worker name is blank")]
    [InlineData("phone", "phone '12ab' is not valid: use an optional '+' and 5-20 digits")]
    [InlineData("employer", "employer '美团\u0007' contains a control character")]
    [InlineData("member", "member number is 201 characters long; at most 200")]
    public async Task Update_WithABadField_NamesIt_AndChangesNothing(string field, string expected)
    {
        await using var test = await TestStore.OpenAsync();
        var worker = (await test.Store.EnrollAsync(TestStore.Worker("W001", "张伟"), [], TestStore.Keeper)).Worker;
        var profile = WorkerProfile.From(worker);
        profile = field switch
        {
            "name" => profile with { Name = "  " },
            "phone" => profile with { Phone = "12ab" },
            "employer" => profile with { Employer = "美团\u0007" },
            _ => profile with { MemberNumber = new string('7', 201) },
        };

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.UpdateWorkerAsync("W001", profile, Site));

        Assert.Equal((StoreFault.InvalidInput, expected.Replace('\u0007', '?')), (e.Fault, e.Message));
        Assert.Equal(worker, await test.Store.GetWorkerAsync("W001"));
        Assert.Single(await test.Store.ListAuditAsync());
    }

    [Fact]
    public async Task CountTemplatesByWorker_CountsEachWorkersTemplates_LeavingOutWorkersWithNone()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1), TestStore.Template(2, TestStore.OtherSha)], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W002"), [TestStore.Template(3)], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W003"), [], TestStore.Keeper);

        var counts = await test.Store.CountTemplatesByWorkerAsync();

        Assert.Equal(new Dictionary<string, int> { ["W001"] = 2, ["W002"] = 1 }, counts);
    }
}
