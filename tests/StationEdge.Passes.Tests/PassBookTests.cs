using StationEdge.Store;

namespace StationEdge.Passes.Tests;

public sealed class PassBookTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _data = new("passes-");
    private readonly List<StationStore> _stores = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }
    }

    public void Dispose() => _data.Dispose();

    /// <summary>The pass book of the station whose data folder is <paramref name="data"/>: on its store, as the daemon opens it.</summary>
    private async Task<PassBook> BookAsync(string data, TimeProvider? time = null)
    {
        var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
        _stores.Add(store);
        return await PassBook.OpenAsync(store, time);
    }

    [Fact]
    public async Task Verify_AnIssuedWorkerPass_IsValidAndNamesTheWorker()
    {
        using var book = await BookAsync(_data.Path);
        var pass = await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(8), "keeper:li");

        var check = book.Verify(book.CodeOf(pass));

        Assert.Equal(PassVerdict.Valid, check!.Verdict);
        Assert.Equal("W001", check.Pass!.WorkerId);
        Assert.Equal("pass", check.Reason);
    }

    [Fact]
    public async Task Verify_APassWithAnyByteChanged_IsForged()
    {
        using var book = await BookAsync(_data.Path);
        var code = book.CodeOf(await book.IssueVisitorPassAsync("王五", TimeSpan.FromHours(2), "keeper:li"));
        var bytes = Convert.FromBase64String(ToStandardBase64(code[PassToken.Prefix.Length..]));

        for (var i = 0; i < bytes.Length; i++)
        {
            var altered = (byte[])bytes.Clone();
            altered[i] ^= 0x01;
            var text = PassToken.Prefix + Convert.ToBase64String(altered).TrimEnd('=').Replace('+', '-').Replace('/', '_');

            Assert.Equal(PassVerdict.Forged, book.Verify(text)!.Verdict);
        }
    }

    [Fact]
    public async Task Verify_APassOfAnotherStation_IsForged()
    {
        using var other = new TempFolder("passes-other-");
        using var theirs = await BookAsync(other.Path);
        using var ours = await BookAsync(_data.Path);
        var code = theirs.CodeOf(await theirs.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li"));

        Assert.Equal(PassVerdict.Forged, ours.Verify(code)!.Verdict);
    }

    [Fact]
    public async Task Verify_ARevokedPass_IsRevoked_AlsoAfterTheBookIsOpenedAgain()
    {
        string code;
        using (var book = await BookAsync(_data.Path))
        {
            var pass = await book.IssueWorkerPassAsync("W001", TimeSpan.FromDays(3), "keeper:li");
            code = book.CodeOf(pass);
            Assert.True(await book.RevokeAsync(pass.Id, "keeper:wang"));
            Assert.False(await book.RevokeAsync(pass.Id, "keeper:wang"));
            Assert.Equal(PassVerdict.Revoked, book.Verify(code)!.Verdict);
        }

        using var reopened = await BookAsync(_data.Path);
        var check = reopened.Verify(code)!;
        Assert.Equal(PassVerdict.Revoked, check.Verdict);
        Assert.Equal("keeper:wang", check.Pass!.RevokedBy);
    }

    [Fact]
    public async Task Verify_PastItsExpiry_IsExpired()
    {
        var time = new SettableTime();
        using var book = await BookAsync(_data.Path, time);
        var code = book.CodeOf(await book.IssueVisitorPassAsync("访客", TimeSpan.FromHours(2), "keeper:li"));
        time.Offset = TimeSpan.FromHours(1);
        Assert.Equal(PassVerdict.Valid, book.Verify(code)!.Verdict);

        time.Offset = TimeSpan.FromHours(2.01);

        Assert.Equal(PassVerdict.Expired, book.Verify(code)!.Verdict);
        Assert.Equal("pass_expired", book.Verify(code)!.Reason);
    }

    [Fact]
    public async Task Open_LongAfterAPassExpired_DropsIt_AndItsCodeIsThenUnknown()
    {
        var time = new SettableTime();
        string code;
        using (var book = await BookAsync(_data.Path, time))
        {
            code = book.CodeOf(await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li"));
        }

        time.Offset = TimeSpan.FromDays(PassBook.KeepExpiredDays + 1);
        using var later = await BookAsync(_data.Path, time);

        Assert.Empty(later.List());
        Assert.Equal(PassVerdict.Unknown, later.Verify(code)!.Verdict);
    }

    [Fact]
    public async Task Verify_AQrCodeThatIsNoStationPass_IsIgnored()
    {
        using var book = await BookAsync(_data.Path);

        Assert.Null(book.Verify("https://example.org/menu"));
        Assert.Equal(PassVerdict.Forged, book.Verify(PassToken.Prefix + "not-base64!")!.Verdict);
    }

    [Fact]
    public async Task RecordUse_LinksTheVisitToThePass()
    {
        using var book = await BookAsync(_data.Path);
        var pass = await book.IssueVisitorPassAsync("王五", TimeSpan.FromHours(2), "keeper:li");
        var visit = Guid.NewGuid();

        await book.RecordUseAsync(pass.Id, visit);

        var uses = await book.FindUsesAsync([visit, Guid.NewGuid()]);
        Assert.Equal("王五", Assert.Single(uses).Value.VisitorName);
    }

    [Fact]
    public async Task IssueVisitorPass_WithABlankOrOverlongName_IsRefused()
    {
        using var book = await BookAsync(_data.Path);

        await Assert.ThrowsAsync<ArgumentException>(() => book.IssueVisitorPassAsync("  ", TimeSpan.FromHours(1), "keeper:li"));
        await Assert.ThrowsAsync<ArgumentException>(() => book.IssueVisitorPassAsync(new string('名', 41), TimeSpan.FromHours(1), "keeper:li"));
    }

    [Fact]
    public async Task Revoke_ByAnotherProcessOnTheSameStore_IsRefusedAtTheDoorAtOnce()
    {
        // The daemon's book and the command line's: two books on one data folder, as two processes have them.
        var door = await BookAsync(_data.Path);
        var cli = await BookAsync(_data.Path);
        var pass = await door.IssueWorkerPassAsync("W001", TimeSpan.FromDays(3), "keeper:li");
        Assert.Equal(PassVerdict.Valid, door.Verify(door.CodeOf(pass))!.Verdict);

        Assert.True(await cli.RevokeAsync(pass.Id, "cli:root"));

        Assert.Equal(PassVerdict.Revoked, door.Verify(door.CodeOf(pass))!.Verdict);
        Assert.Equal("cli:root", door.Find(pass.Id)!.RevokedBy);
    }

    [Fact]
    public async Task IssueAndRevoke_AreAuditedInTheStore_WithThePassesTable()
    {
        var book = await BookAsync(_data.Path);
        var pass = await book.IssueVisitorPassAsync("王五", TimeSpan.FromHours(2), new KeeperContext("keeper:li", "192.0.2.7"));
        await book.RevokeAsync(pass.Id, new KeeperContext("keeper:wang"));

        var audit = await _stores[0].ListAuditAsync();
        Assert.Contains(audit, a => a.Action == "pass.issue" && a.Target == pass.Id.ToString() && a.Keeper == "keeper:li" && a.Details == "visitor, 2 h");
        Assert.Contains(audit, a => a.Action == "pass.revoke" && a.Target == pass.Id.ToString() && a.Keeper == "keeper:wang");
        Assert.DoesNotContain(audit, a => a.Details?.Contains("王五", StringComparison.Ordinal) == true);
        Assert.False(File.Exists(Path.Combine(_data.Path, PassBook.FileName)));
        var check = await StationStore.CheckAsync(new StoreOptions { DataPath = _data.Path });
        Assert.True(check.Healthy, string.Join("; ", check.Problems));
        Assert.Equal(1, check.Counts!.Passes);
    }

    private static string ToStandardBase64(string url)
    {
        var s = url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }
}
