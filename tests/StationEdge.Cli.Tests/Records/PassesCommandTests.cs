using System.Buffers.Binary;
using System.IO.Compression;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.Cli.Tests.Records;

/// <summary><c>passes issue|list|revoke</c> and <c>workers edit</c> on a real store, read back through the store and the pass book the door uses.</summary>
public sealed class PassesCommandTests : IAsyncLifetime, IDisposable
{
    private readonly StationData _station = new();
    private readonly TempFolder _out = new("stationedge-passes-out-");

    public async Task InitializeAsync() => await _station.SeedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _station.Dispose();
        _out.Dispose();
    }

    [Fact]
    public async Task Issue_AWorkersPass_AsPng_IsAPassTheDoorReadsAndHolds_AuditedAsThePageAuditsIt()
    {
        var file = Path.Combine(_out.Path, "w001.png");

        var result = await Run("passes", "issue", "--worker", "W001", "--days", "7", "--out", file, "--by", "li");

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Matches(@"^issued pass [0-9a-f-]{36} for W001 张伟, valid until \d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d; QR code in .+w001\.png \(recorded as li\)$", result.Stdout.Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var (grey, side) = DecodeGreyPng(File.ReadAllBytes(file));
        var rgb = new byte[grey.Length * 3];
        for (var i = 0; i < grey.Length; i++)
        {
            rgb[3 * i] = rgb[(3 * i) + 1] = rgb[(3 * i) + 2] = grey[i];
        }

        var text = new PassReader().Read(rgb, side, side);
        Assert.NotNull(text);
        await using var store = await _station.OpenAsync();
        var book = await PassBook.OpenAsync(store);
        var check = book.Verify(text!)!;
        Assert.Equal(PassVerdict.Valid, check.Verdict);
        Assert.Equal("W001", check.Pass!.WorkerId);
        Assert.InRange(check.Pass.ExpiresAt - check.Pass.IssuedAt, TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));
        var audit = Assert.Single(await store.ListAuditAsync(), a => a.Action == "pass.issue");
        Assert.Equal((check.Pass.Id.ToString(), "li", "worker W001, 168 h", "cli"), (audit.Target, audit.Keeper, audit.Details, audit.Address));
    }

    [Fact]
    public async Task Issue_AVisitorsPass_AsSvg_ThenList_ShowsIt_AndTheJsonKeys()
    {
        var file = Path.Combine(_out.Path, "guest.svg");

        var issued = await Run("passes", "issue", "--visitor", "王五", "--out", file, "--json");
        var text = await Run("passes", "list");
        var json = await Run("passes", "list", "--json");

        Assert.True(issued.Exit == 0, issued.Stderr);
        Assert.StartsWith("<svg", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(file), issued.Json().GetProperty("file").GetString());
        Assert.Equal((0, ""), (text.Exit, text.Stderr));
        Assert.Matches("^ID +HOLDER +STATE +EXPIRES +ISSUED BY$", text.StdoutLines[0]);
        Assert.Matches("^[0-9a-f-]{36} +visitor 王五 +active ", text.StdoutLines[1]);
        Assert.Equal("1 pass, 1 active, 0 revoked", text.StdoutLines[^1]);
        var row = Assert.Single(json.Json().EnumerateArray());
        Assert.Equal(
            ["id", "kind", "worker_id", "visitor_name", "issued_at", "expires_at", "issued_by", "state", "revoked_at", "revoked_by", "file"],
            JsonKeys.Of(row));
        Assert.Equal(("visitor", "王五", "active"), (row.GetProperty("kind").GetString(), row.GetProperty("visitor_name").GetString(), row.GetProperty("state").GetString()));
        await using var store = await _station.OpenAsync();
        Assert.Contains(await store.ListAuditAsync(), a => a.Action == "pass.issue" && a.Details == "visitor, 24 h");
    }

    [Fact]
    public async Task Revoke_ThePassIsRefusedAtTheDoor_Audited_AndASecondRevokeIsBadInput()
    {
        var issued = await Run("passes", "issue", "--worker", "W001", "--out", Path.Combine(_out.Path, "p.svg"), "--json");
        var id = issued.Json().GetProperty("id").GetString()!;

        var revoked = await Run("passes", "revoke", id, "--by", "wang");
        var again = await Run("passes", "revoke", id);

        Assert.True(revoked.Exit == 0, revoked.Stderr);
        Assert.Equal($"revoked pass {id} (recorded as wang): the door refuses it from now on", revoked.Stdout.Trim());
        again.AssertOneLineError(2, $"pass {id} was revoked already");
        await using var store = await _station.OpenAsync();
        var book = await PassBook.OpenAsync(store);
        var pass = book.Find(Guid.Parse(id))!;
        Assert.Equal(PassVerdict.Revoked, book.Verify(book.CodeOf(pass))!.Verdict);
        Assert.Single(await store.ListAuditAsync(), a => a.Action == "pass.revoke" && a.Target == id && a.Keeper == "wang");
    }

    public static readonly TheoryData<string[], string> BadIssues = new()
    {
        { ["--worker", "W999", "--out", "x.png"], "no worker W999 is enrolled" },
        { ["--worker", "W002", "--out", "x.png"], "worker W002 is suspended" },
        { ["--worker", "W003", "--out", "x.png"], "worker W003's validity ended on 2026-01-31" },
        { ["--worker", "W001", "--visitor", "王五", "--out", "x.png"], "issue needs one of --worker ID or --visitor NAME" },
        { ["--visitor", "王五", "--out", "x.jpg"], "must end in .png or .svg" },
        { ["--visitor", "王五", "--days", "0", "--out", "x.png"], "--days must be a whole number from 1 to 366 (was '0')" },
        { ["--visitor", new string('名', 41), "--out", "x.png"], "--visitor must be a guest's name of 1 to 40 characters" },
        { ["--visitor", "王五"], "--out is required" },
    };

    [Theory]
    [MemberData(nameof(BadIssues))]
    public async Task Issue_WithBadInput_IsOneLineExitTwo_AndIssuesNothing(string[] flags, string mustName)
    {
        var result = await Run(["passes", "issue", .. flags.Select(f => f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".jpg", StringComparison.Ordinal) ? Path.Combine(_out.Path, f) : f)]);

        result.AssertOneLineError(2, mustName);
        Assert.Equal(0, _station.Sql("SELECT count(*) FROM passes"));
        Assert.Equal(0, _station.Sql("SELECT count(*) FROM audit WHERE action = 'pass.issue'"));
        Assert.Empty(Directory.GetFiles(_out.Path));
    }

    [Theory]
    [InlineData("not-a-guid", "'not-a-guid' is not a pass id")]
    [InlineData("6f1c2a0e-0000-4000-8000-000000000000", "no pass 6f1c2a0e-0000-4000-8000-000000000000 is issued")]
    public async Task Revoke_AnUnknownPass_IsOneLineExitTwo(string id, string mustName) =>
        (await Run("passes", "revoke", id)).AssertOneLineError(2, mustName);

    [Fact]
    public async Task WorkersEdit_SetsAndClearsTheValidityDate_AndTheName_AuditedAsWorkerEdit()
    {
        var set = await Run("workers", "edit", "W001", "--valid-until", "2027-03-01", "--by", "li");
        var renamed = await Run("workers", "edit", "W001", "--name", "张伟伟", "--json");
        var cleared = await Run("workers", "edit", "W003", "--valid-until", "none", "--by", "li");

        Assert.True(set.Exit == 0, set.Stderr);
        Assert.Equal("edited W001: valid until 2027-03-01 (was —) (recorded as li)", set.Stdout.Trim());
        Assert.Equal("张伟伟", renamed.Json().GetProperty("name").GetString());
        Assert.Equal("edited W003: valid until — (was 2026-01-31) (recorded as li)", cleared.Stdout.Trim());
        await using var store = await _station.OpenAsync();
        Assert.Equal(new DateOnly(2027, 3, 1), (await store.GetWorkerAsync("W001"))!.ValidUntil);
        Assert.Null((await store.GetWorkerAsync("W003"))!.ValidUntil);
        var edits = (await store.ListAuditAsync()).Where(a => a.Action == "worker.edit").ToList();
        Assert.Equal(3, edits.Count);
        Assert.Contains(edits, a => a.Target == "W001" && a.Keeper == "li" && a.Details!.Contains("2027-03-01", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "W001", "--valid-until", "2027-13-01" }, "--valid-until must be a date as YYYY-MM-DD or none (was '2027-13-01')")]
    [InlineData(new[] { "W999", "--name", "某人" }, "no worker W999 is enrolled")]
    [InlineData(new[] { "W001" }, "edit needs --name NAME, --valid-until DATE|none or --consent station|county")]
    [InlineData(new[] { "W001", "--consent", "province" }, "workers: --consent must be station or county (was 'province')")]
    public async Task WorkersEdit_WithBadInput_IsOneLineExitTwo_AndChangesNothing(string[] flags, string mustName)
    {
        var result = await Run(["workers", "edit", .. flags]);

        result.AssertOneLineError(2, mustName);
        Assert.Equal(0, _station.Sql("SELECT count(*) FROM audit WHERE action = 'worker.edit'"));
    }

    [Fact]
    public async Task WorkersEdit_Consent_RecordsTheScope_WhenAndByWhom_AuditedAsWorkerConsent()
    {
        var county = await Run("workers", "edit", "W001", "--consent", "county", "--by", "li");
        var again = await Run("workers", "edit", "W001", "--consent", "county", "--by", "li");
        var shown = await Run("workers", "show", "W001");

        Assert.True(county.Exit == 0, county.Stderr);
        Assert.Equal("edited W001: recognised at county (every station of the county) (was station (this station only)) (recorded as li)", county.Stdout.Trim());
        Assert.Equal("W001 张伟: nothing to change", again.Stdout.Trim());
        Assert.Contains("recognised at  county (every station of the county), recorded ", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains(" by li", shown.Stdout, StringComparison.Ordinal);
        await using var store = await _station.OpenAsync();
        Assert.Equal((ConsentScope.County, "li"), ((await store.GetWorkerAsync("W001"))!.ConsentScope, (await store.GetWorkerAsync("W001"))!.ConsentScopeBy));
        var audit = Assert.Single(await store.ListAuditAsync(), a => a.Action == "worker.consent");
        Assert.Equal(("W001", "li", "consent scope station -> county"), (audit.Target, audit.Keeper, audit.Details));
    }

    [Fact]
    public async Task Enroll_WithAConsentThatIsNotStationOrCounty_IsOneLineExitTwo() =>
        (await Run("enroll", "--id", "W009", "--name", "某人", "--photo", "none.jpg", "--consent", "everywhere"))
            .AssertOneLineError(2, "enroll: --consent must be station or county (was 'everywhere')");

    [Fact]
    public async Task StoreCheck_CountsThePasses()
    {
        Assert.Equal(0, (await Run("passes", "issue", "--visitor", "王五", "--out", Path.Combine(_out.Path, "g.svg"))).Exit);

        var check = await Run("store", "check", "--json");

        Assert.True(check.Exit == 0, check.Stderr);
        Assert.Equal(1, check.Json().GetProperty("counts").GetProperty("passes").GetInt32());
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.InProcessAsync([.. args, .. _station.DataArgs]);

    /// <summary>A greyscale 8-bit PNG as PassQr.Png writes it (one IDAT, filter 0 on every row): its pixels and side.</summary>
    private static (byte[] Pixels, int Side) DecodeGreyPng(byte[] png)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], png[..8]);
        var at = 8;
        int side = 0;
        var idat = new MemoryStream();
        while (at < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                side = BinaryPrimitives.ReadInt32BigEndian(data);
                Assert.Equal((8, 0), (data[8], data[9]));
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            at += 12 + length;
        }

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        var pixels = new byte[side * side];
        for (var y = 0; y < side; y++)
        {
            Assert.Equal(0, rows[y * (side + 1)]);
            Array.Copy(rows, (y * (side + 1)) + 1, pixels, y * side, side);
        }

        return (pixels, side);
    }
}
