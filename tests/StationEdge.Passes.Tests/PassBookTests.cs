using System.Text;

namespace StationEdge.Passes.Tests;

public sealed class PassBookTests : IDisposable
{
    private readonly TempFolder _data = new("passes-");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Verify_AnIssuedWorkerPass_IsValidAndNamesTheWorker()
    {
        using var book = PassBook.Open(_data.Path);
        var pass = await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(8), "keeper:li");

        var check = book.Verify(book.CodeOf(pass));

        Assert.Equal(PassVerdict.Valid, check!.Verdict);
        Assert.Equal("W001", check.Pass!.WorkerId);
        Assert.Equal("pass", check.Reason);
    }

    [Fact]
    public async Task Verify_APassWithAnyByteChanged_IsForged()
    {
        using var book = PassBook.Open(_data.Path);
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
        using var theirs = PassBook.Open(other.Path);
        using var ours = PassBook.Open(_data.Path);
        var code = theirs.CodeOf(await theirs.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li"));

        Assert.Equal(PassVerdict.Forged, ours.Verify(code)!.Verdict);
    }

    [Fact]
    public async Task Verify_ARevokedPass_IsRevoked_AlsoAfterTheBookIsOpenedAgain()
    {
        string code;
        using (var book = PassBook.Open(_data.Path))
        {
            var pass = await book.IssueWorkerPassAsync("W001", TimeSpan.FromDays(3), "keeper:li");
            code = book.CodeOf(pass);
            Assert.True(await book.RevokeAsync(pass.Id, "keeper:wang"));
            Assert.False(await book.RevokeAsync(pass.Id, "keeper:wang"));
            Assert.Equal(PassVerdict.Revoked, book.Verify(code)!.Verdict);
        }

        using var reopened = PassBook.Open(_data.Path);
        var check = reopened.Verify(code)!;
        Assert.Equal(PassVerdict.Revoked, check.Verdict);
        Assert.Equal("keeper:wang", check.Pass!.RevokedBy);
    }

    [Fact]
    public async Task Verify_PastItsExpiry_IsExpired()
    {
        var time = new SettableTime();
        using var book = PassBook.Open(_data.Path, time);
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
        using (var book = PassBook.Open(_data.Path, time))
        {
            code = book.CodeOf(await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li"));
        }

        time.Offset = TimeSpan.FromDays(PassBook.KeepExpiredDays + 1);
        using var later = PassBook.Open(_data.Path, time);

        Assert.Empty(later.List());
        Assert.Equal(PassVerdict.Unknown, later.Verify(code)!.Verdict);
    }

    [Fact]
    public void Verify_AQrCodeThatIsNoStationPass_IsIgnored()
    {
        using var book = PassBook.Open(_data.Path);

        Assert.Null(book.Verify("https://example.org/menu"));
        Assert.Equal(PassVerdict.Forged, book.Verify(PassToken.Prefix + "not-base64!")!.Verdict);
    }

    [Fact]
    public async Task RecordUse_LinksTheVisitToThePass()
    {
        using var book = PassBook.Open(_data.Path);
        var pass = await book.IssueVisitorPassAsync("王五", TimeSpan.FromHours(2), "keeper:li");
        var visit = Guid.NewGuid();

        await book.RecordUseAsync(pass.Id, visit);

        var uses = await book.FindUsesAsync([visit, Guid.NewGuid()]);
        Assert.Equal("王五", Assert.Single(uses).Value.VisitorName);
    }

    [Fact]
    public void Open_CreatesTheBookReadableByItsOwnerOnly()
    {
        using var book = PassBook.Open(_data.Path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(book.Path));
    }

    [Fact]
    public async Task IssueVisitorPass_WithABlankOrOverlongName_IsRefused()
    {
        using var book = PassBook.Open(_data.Path);

        await Assert.ThrowsAsync<ArgumentException>(() => book.IssueVisitorPassAsync("  ", TimeSpan.FromHours(1), "keeper:li"));
        await Assert.ThrowsAsync<ArgumentException>(() => book.IssueVisitorPassAsync(new string('名', 41), TimeSpan.FromHours(1), "keeper:li"));
    }

    [Fact]
    public void Open_AFileThatIsNoDatabase_FailsNamingIt()
    {
        File.WriteAllText(Path.Combine(_data.Path, PassBook.FileName), "not sqlite, just text that is long enough to have a header " + new string('x', 200), Encoding.ASCII);

        var e = Assert.Throws<PassBookException>(() => PassBook.Open(_data.Path));
        Assert.Contains(PassBook.FileName, e.Message, StringComparison.Ordinal);
    }

    private static string ToStandardBase64(string url)
    {
        var s = url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }
}
