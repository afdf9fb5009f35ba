using System.Text.Json;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Cli.Tests.Vision;

namespace StationEdge.Cli.Tests.Station;

public sealed class EnrollIdentifyTests : IDisposable
{
    private readonly TempFolder _folder = new("stationedge-enroll-");

    private string Data => Path.Combine(_folder.Path, "data");

    [Fact]
    public async Task Enroll_ThenIdentify_TheSamePersonInAnotherPhoto_IsGranted_AStrangerIsRefusedNamingNobody()
    {
        var enrolled = await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol, "--json");
        Assert.Equal(0, enrolled.Exit);
        var report = enrolled.Json();
        Assert.Equal(("W001", "王芳", "active"), (report.GetProperty("worker").GetProperty("id").GetString(), report.GetProperty("worker").GetProperty("name").GetString(),
            report.GetProperty("worker").GetProperty("status").GetString()));
        Assert.InRange(report.GetProperty("templates")[0].GetProperty("inter_eye_px").GetSingle(), 40, 200);

        var walk = WalkUpMedia.Cut(WalkUpMedia.WorkerWalk, _folder.Path);
        var stranger = WalkUpMedia.Cut(WalkUpMedia.Strangers[0], _folder.Path);
        var identified = await CliRunner.InProcessAsync("identify", "--photo", walk, "--photo", stranger, "--data", Data, "--models", TestModels.Directory, "--json");

        Assert.Equal(0, identified.Exit);
        var results = identified.Json();
        Assert.Equal(JsonValueKind.Array, results.ValueKind);
        var granted = results[0];
        Assert.Equal((walk, "granted", "W001", "matched"), (granted.GetProperty("photo").GetString(), granted.GetProperty("decision").GetString(),
            granted.GetProperty("worker_id").GetString(), granted.GetProperty("reason").GetString()));
        Assert.InRange(granted.GetProperty("score").GetSingle(), 0.55f, 1f);
        Assert.True(granted.GetProperty("margin").GetSingle() >= 0.05f);
        var refused = results[1];
        Assert.Equal(("refused", JsonValueKind.Null, "unknown"), (refused.GetProperty("decision").GetString(), refused.GetProperty("worker_id").ValueKind,
            refused.GetProperty("reason").GetString()));
        Assert.Equal(JsonValueKind.Number, refused.GetProperty("score").ValueKind);
    }

    [Fact]
    public async Task Enroll_WithValidUntil_StoresTheDate_AndABadDateIsRefusedBeforeAnyPhotoIsRead()
    {
        var bad = await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol, "--valid-until", "2027-02-30");
        bad.AssertOneLineError(2, "--valid-until must be a date as YYYY-MM-DD (was '2027-02-30')");
        Assert.False(File.Exists(Path.Combine(Data, "station.db")));

        var enrolled = await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol, "--valid-until", "2027-06-30", "--json");

        Assert.True(enrolled.Exit == 0, enrolled.Stderr);
        Assert.Equal("2027-06-30", enrolled.Json().GetProperty("worker").GetProperty("valid_until").GetString());
    }

    [Fact]
    public async Task Enroll_RecordsTheConsentScope_ThisStationOnlyUnlessCounty_AndABadScopeIsRefusedBeforeAnyPhotoIsRead()
    {
        var bad = await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol, "--consent", "all");
        bad.AssertOneLineError(2, "enroll: --consent must be station or county (was 'all')");
        Assert.False(File.Exists(Path.Combine(Data, "station.db")));

        var county = await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol, "--consent", "county");
        var here = await EnrollAsync("W002", "李娜", WalkUpMedia.Strangers[0], "--json");

        Assert.True(county.Exit == 0, county.Stderr);
        Assert.Contains("consent version 1, recognised at county (every station of the county)", county.Stdout, StringComparison.Ordinal);
        Assert.True(here.Exit == 0, here.Stderr);
        Assert.Equal("station", here.Json().GetProperty("worker").GetProperty("consent_scope").GetString());
    }

    [Fact]
    public async Task Identify_OnePhoto_PrintsOneObject_AndAFaceTooSmall_IsRefusedWithTheGatesCode()
    {
        Assert.Equal(0, (await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol)).Exit);
        var tiny = Shrunk(WalkUpMedia.Cut(WalkUpMedia.WorkerWalk, _folder.Path), "tiny.png");

        var result = await CliRunner.InProcessAsync("identify", "--photo", tiny, "--data", Data, "--models", TestModels.Directory, "--json");

        Assert.Equal(0, result.Exit);
        var answer = result.Json();
        Assert.Equal(JsonValueKind.Object, answer.ValueKind);
        Assert.Equal(("refused", "too_small", JsonValueKind.Null), (answer.GetProperty("decision").GetString(), answer.GetProperty("reason").GetString(),
            answer.GetProperty("worker_id").ValueKind));
        Assert.Matches(@"^the face is too small: \d+ px between the eyes, at least 40$", answer.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Enroll_ATinyFace_IsRefusedInOneLineSayingSoAndByHowMuch_AndNothingIsStored()
    {
        var tiny = Shrunk(WalkUpMedia.Cut(WalkUpMedia.WorkerEnrol, _folder.Path), "tiny.png");

        var result = await CliRunner.InProcessAsync("enroll", "--id", "W001", "--name", "王芳", "--photo", tiny, "--data", Data, "--models", TestModels.Directory);

        var line = result.AssertOneLineError(2, tiny);
        Assert.Matches(@"^station-edge: enroll: .*tiny\.png: the face is too small: \d+ px between the eyes, at least 40$", line);
        Assert.False(File.Exists(Path.Combine(Data, "station.db")));
    }

    [Fact]
    public async Task Enroll_AFaceAlreadyEnrolled_IsRefusedNamingTheOtherWorker_UnlessAllowed()
    {
        Assert.Equal(0, (await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol)).Exit);

        var again = await EnrollAsync("W009", "王芳", WalkUpMedia.WorkerWalk);
        var line = again.AssertOneLineError(2, "already enrolled as W001");
        Assert.Contains("--allow-duplicate", line, StringComparison.Ordinal);

        Assert.Equal(0, (await EnrollAsync("W009", "王芳", WalkUpMedia.WorkerWalk, "--allow-duplicate")).Exit);
    }

    [Fact]
    public async Task Enroll_PhotosOfTwoPeople_IsRefused_AndAnIdTwice_IsRefused()
    {
        var one = WalkUpMedia.Cut(WalkUpMedia.WorkerEnrol, _folder.Path);
        var other = WalkUpMedia.Cut(WalkUpMedia.Strangers[0], _folder.Path);

        var mixed = await CliRunner.InProcessAsync("enroll", "--id", "W001", "--name", "王芳", "--photo", one, "--photo", other, "--data", Data, "--models", TestModels.Directory);
        mixed.AssertOneLineError(2, "not the same person as");

        Assert.Equal(0, (await EnrollAsync("W001", "王芳", WalkUpMedia.WorkerEnrol)).Exit);
        (await EnrollAsync("W001", "李娜", WalkUpMedia.Strangers[0])).AssertOneLineError(2, "worker W001 is already enrolled");
    }

    [Fact]
    public async Task Identify_WithNoStation_IsBadInputNamingTheFolder()
    {
        var photo = WalkUpMedia.Cut(WalkUpMedia.WorkerEnrol, _folder.Path);

        var result = await CliRunner.InProcessAsync("identify", "--photo", photo, "--data", Data, "--models", TestModels.Directory);

        result.AssertOneLineError(2, $"{Data}: no station database");
    }

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> EnrollAsync(string id, string name, DemoFace face, params string[] more) =>
        CliRunner.InProcessAsync(["enroll", "--id", id, "--name", name, "--photo", WalkUpMedia.Cut(face, _folder.Path), "--data", Data, "--models", TestModels.Directory, .. more]);

    /// <summary>The photo at a quarter of its size on a grey field: the same face, about 22 px between the eyes.</summary>
    private string Shrunk(string photo, string name)
    {
        var output = Path.Combine(_folder.Path, name);
        WalkUpMedia.Ffmpeg("-i", photo, "-vf", "pad=4*iw:4*ih:iw*3/2:ih*3/2:color=0x202020,scale=iw/4:-2", output);
        return output;
    }
}
