using System.Text.Json;
using StationEdge.Store;

namespace StationEdge.Cli.Tests.Records;

/// <summary><c>workers list|show|suspend|resume|delete</c> on a real store.</summary>
public sealed class WorkersCommandTests : IAsyncLifetime, IDisposable
{
    private readonly StationData _station = new();

    public async Task InitializeAsync() => await _station.SeedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _station.Dispose();

    [Fact]
    public async Task List_Json_IsOneArrayOfEveryWorker_WithTheirTemplateCount()
    {
        var result = await Run("workers", "list", "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var rows = result.Json().EnumerateArray().ToList();
        Assert.Equal(["W001", "W002", "W003"], rows.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(
            ["id", "name", "phone", "employer", "member_number", "status", "valid_until", "template_count", "enrolled_at", "enrolled_by"],
            JsonKeys.Of(rows[0]));
        Assert.Equal(("张伟", "13800138000", "美团", "GH-0001", "active", 2), (
            rows[0].GetProperty("name").GetString(), rows[0].GetProperty("phone").GetString(), rows[0].GetProperty("employer").GetString(),
            rows[0].GetProperty("member_number").GetString(), rows[0].GetProperty("status").GetString(), rows[0].GetProperty("template_count").GetInt32()));
        Assert.Equal(("suspended", 1), (rows[1].GetProperty("status").GetString(), rows[1].GetProperty("template_count").GetInt32()));
        Assert.Equal("2026-01-31", rows[2].GetProperty("valid_until").GetString());
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("valid_until").ValueKind);
        Assert.Equal("keeper-li", rows[0].GetProperty("enrolled_by").GetString());
        Assert.True(DateTimeOffset.UtcNow - rows[0].GetProperty("enrolled_at").GetDateTimeOffset() < TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task List_Text_IsATableAlignedOnScreen_WithStatusExpiryAndTotals()
    {
        var result = await Run("workers", "list");

        Assert.True(result.Exit == 0, result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal(5, lines.Length);
        Assert.Matches("^ID +NAME +STATUS +VALID UNTIL +TEMPLATES +ENROLLED$", lines[0]);
        Assert.Matches(@"^W001 +张伟 +active +— +2 +\d{4}-\d\d-\d\d \d\d:\d\d [+-]\d\d:\d\d$", lines[1]);
        Assert.Matches("^W002 +李娜 +suspended ", lines[2]);
        Assert.Contains(" 2026-01-31 (expired) ", lines[3], StringComparison.Ordinal);
        Assert.Equal("3 workers, 1 suspended, 1 expired", lines[4]);

        // Chinese characters take two screen columns: STATUS starts at the same screen column on every line.
        static int ScreenColumn(string line, string token) =>
            line[..line.IndexOf(token, StringComparison.Ordinal)].Sum(c => c is >= '\u4E00' and <= '\u9FFF' ? 2 : 1);
        Assert.Equal(
            Enumerable.Repeat("ID    NAME        ".Length, 4),
            [ScreenColumn(lines[0], "STATUS"), ScreenColumn(lines[1], "active"), ScreenColumn(lines[2], "suspended"), ScreenColumn(lines[3], "active")]);
    }

    [Theory]
    [InlineData("张", "W001")]
    [InlineData("0013 8000", "W001")]
    [InlineData("GH-0001", "W001")]
    [InlineData("wang", "W003")]
    public async Task List_Search_FindsByNamePhoneMemberNumberOrId(string text, string id)
    {
        var result = await Run("workers", "list", "--search", text, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Equal([id], result.Json().EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task List_SearchMatchingNobody_SaysSo()
    {
        var result = await Run("workers", "list", "--search", "赵");

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal("no worker's name, phone, member number or id matches '赵'", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Show_Json_HasTheWorkerAndTheirTemplatesQualityAndEmbedder_NeverTheVectors()
    {
        var result = await Run("workers", "show", "W001", "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var json = result.Json();
        Assert.Equal(["worker", "templates"], JsonKeys.Of(json));
        Assert.Equal(("W001", "张伟", "consent-v1"), (
            json.GetProperty("worker").GetProperty("id").GetString(), json.GetProperty("worker").GetProperty("name").GetString(),
            json.GetProperty("worker").GetProperty("consent_version").GetString()));
        var templates = json.GetProperty("templates").EnumerateArray().ToList();
        Assert.Equal(2, templates.Count);
        Assert.Equal(["id", "embedder_sha256", "dimensions", "quality", "has_crop", "created_at"], JsonKeys.Of(templates[0]));
        Assert.Equal(StationData.OldSha, templates[0].GetProperty("embedder_sha256").GetString());
        Assert.Equal(192, templates[0].GetProperty("dimensions").GetInt32());
        var quality = templates[0].GetProperty("quality");
        Assert.Equal(["inter_eye_px", "yaw_deg", "sharpness", "brightness", "detector_score"], JsonKeys.Of(quality));
        Assert.Equal(61.5, quality.GetProperty("inter_eye_px").GetDouble());
        Assert.DoesNotContain("embedding", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ciphertext", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Text_ListsTheFieldsAndOneLinePerTemplate()
    {
        var result = await Run("workers", "show", "W003");

        Assert.True(result.Exit == 0, result.Stderr);
        var text = result.Stdout;
        Assert.StartsWith("W003  Wang Qiang  active\n", text, StringComparison.Ordinal);
        Assert.Contains("  valid until    2026-01-31 (expired)\n", text, StringComparison.Ordinal);
        Assert.Contains("  phone          —\n", text, StringComparison.Ordinal);
        Assert.Contains("  1 template:\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\n    [0-9a-f-]{36}  embedder aaaaaaaaaaaa…  192-d  eyes 61.5 px  yaw -3.4°  sharpness 180  brightness 122  score 0.97  no crop  ", text);
    }

    [Fact]
    public async Task Suspend_ThenResume_ChangeTheStatus_AndAuditWhoDidIt()
    {
        var suspend = await Run("workers", "suspend", "W001", "--by", "keeper-wang");
        var resume = await Run("workers", "resume", "W001", "--by", "keeper-zhao", "--json");

        Assert.Equal((0, "suspended W001 张伟 (was active; recorded as keeper-wang)"), (suspend.Exit, suspend.Stdout.TrimEnd()));
        Assert.True(resume.Exit == 0, resume.Stderr);
        Assert.Equal("active", resume.Json().GetProperty("status").GetString());
        await using var store = await _station.OpenAsync();
        var audit = (await store.ListAuditAsync()).Take(2).Select(a => (a.Keeper, a.Action, a.Target, a.Address));
        Assert.Equal([("keeper-zhao", "worker.resume", "W001", "cli"), ("keeper-wang", "worker.suspend", "W001", "cli")], audit);
        Assert.Equal(WorkerStatus.Active, (await store.GetWorkerAsync("W001"))!.Status);
    }

    [Fact]
    public async Task Suspend_OfASuspendedWorker_SaysItAlreadyWas()
    {
        var result = await Run("workers", "suspend", "W002", "--by", "keeper-wang");

        Assert.Equal("suspended W002 李娜 (already suspended; recorded as keeper-wang)", result.Stdout.TrimEnd());
    }

    [Fact]
    public async Task Delete_RemovesTemplatesAndCrops_SaysWhat_AndTheVisitsKeepOnlyTheId()
    {
        using var station = new StationData(keepCrops: true);
        await using (var store = await station.OpenAsync())
        {
            var crop = new byte[Input.CropBytes];
            await store.EnrollAsync(StationData.Worker("W001", "张伟"), [StationData.Template(1) with { Crop = crop }, StationData.Template(2) with { Crop = crop }], StationData.Keeper);
            await store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched") { WorkerId = "W001", Score = 0.9f });
        }

        var result = await CliRunner.InProcessAsync("workers", "delete", "W001", "--by", "keeper-wang", "--data", station.DataPath);
        var visits = await CliRunner.InProcessAsync("visits", "--json", "--data", station.DataPath);
        var text = await CliRunner.InProcessAsync("visits", "--data", station.DataPath);

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Equal("deleted W001 张伟: 2 templates and 2 crops removed; their visits stay, under the id W001 only (recorded as keeper-wang)", result.Stdout.TrimEnd());
        Assert.Equal((0, 0, 0), (station.Sql("SELECT count(*) FROM workers"), station.Sql("SELECT count(*) FROM templates"), station.Sql("SELECT count(*) FROM crops")));
        Assert.Equal("W001", Assert.Single(visits.Json().EnumerateArray()).GetProperty("worker_id").GetString());
        Assert.Contains(" W001 (deleted) ", text.StdoutLines[1], StringComparison.Ordinal);
        await using var reopened = await station.OpenAsync();
        var audit = (await reopened.ListAuditAsync())[0];
        Assert.Equal(("keeper-wang", "worker.delete", "W001", "2 templates, 2 crops removed"), (audit.Keeper, audit.Action, audit.Target, audit.Details));
    }

    [Fact]
    public async Task Delete_Json_SaysWhatWasRemoved()
    {
        var result = await Run("workers", "delete", "W002", "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var json = result.Json();
        Assert.Equal(["worker_id", "name", "templates_removed", "crops_removed"], JsonKeys.Of(json));
        Assert.Equal(("W002", "李娜", 1, 0), (json.GetProperty("worker_id").GetString(), json.GetProperty("name").GetString(),
            json.GetProperty("templates_removed").GetInt32(), json.GetProperty("crops_removed").GetInt32()));
    }

    [Theory]
    [InlineData("show")]
    [InlineData("suspend")]
    [InlineData("resume")]
    [InlineData("delete")]
    public async Task UnknownId_ExitsTwoNamingIt_AndChangesNothing(string sub)
    {
        var result = await Run("workers", sub, "W999");

        Assert.Equal("station-edge: workers: no worker W999 is enrolled", result.AssertOneLineError(2, "W999"));
        Assert.Equal(3, _station.Sql("SELECT count(*) FROM workers"));
        Assert.Equal(0, _station.Sql("SELECT count(*) FROM audit WHERE target = 'W999'"));
    }

    [Theory]
    [InlineData(new[] { "workers" }, "workers: say what to do: list, show ID, edit ID, suspend ID, resume ID, delete ID")]
    [InlineData(new[] { "workers", "lst" }, "workers: unknown subcommand 'lst' (try: list, show ID, edit ID, suspend ID, resume ID, delete ID)")]
    [InlineData(new[] { "workers", "show" }, "workers: show needs a worker id: station-edge workers show ID")]
    [InlineData(new[] { "workers", "show", "W 1" }, "workers: worker id 'W 1' is not valid")]
    [InlineData(new[] { "workers", "list", "--by", "x" }, "workers: unknown argument '--by'")]
    [InlineData(new[] { "workers", "suspend", "W001", "--by", "a\tb" }, "workers: --by must be a name of 1 to 64 characters")]
    public async Task BadCommandLine_ExitsTwoWithOneLine(string[] args, string expected)
    {
        var result = await Run(args);

        Assert.StartsWith("station-edge: " + expected, result.AssertOneLineError(2, "workers"), StringComparison.Ordinal);
        Assert.Equal(0, _station.Sql("SELECT count(*) FROM audit WHERE keeper <> 'keeper-li'"));
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.InProcessAsync([.. args, .. _station.DataArgs]);
}
