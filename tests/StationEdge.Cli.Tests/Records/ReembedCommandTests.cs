using System.Numerics.Tensors;
using StationEdge.Cli.Tests.Vision;
using StationEdge.Store;

namespace StationEdge.Cli.Tests.Records;

/// <summary>
/// <c>reembed</c> with the installed models, on templates made from the demo photos' real aligned crops and tagged
/// with another embedder's sha, as after a model change.
/// </summary>
public sealed class ReembedCommandTests(DemoFaces demo) : IClassFixture<DemoFaces>, IDisposable
{
    private readonly StationData _station = new(keepCrops: true);

    public void Dispose() => _station.Dispose();

    [Fact]
    public async Task Reembed_FromKeptCrops_ReplacesEveryOldTemplate_WithTheSameFacesEmbeddingByTheInstalledEmbedder()
    {
        await EnrollPerPhotoAsync(_station, photos: 6);
        var original = demo.Faces.ToDictionary(f => f.Quality, f => f.Embedding);

        var result = await Run("reembed", "--by", "keeper-wang", "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var report = result.Json();
        Assert.Equal(["embedder_sha256", "templates_reembedded", "reembedded_earlier", "old_templates_removed", "skipped"], JsonKeys.Of(report));
        Assert.Equal(demo.InstalledSha, report.GetProperty("embedder_sha256").GetString());
        Assert.Equal((demo.Faces.Count, 0, demo.Faces.Count, 0), (report.GetProperty("templates_reembedded").GetInt32(), report.GetProperty("reembedded_earlier").GetInt32(),
            report.GetProperty("old_templates_removed").GetInt32(), report.GetProperty("skipped").GetArrayLength()));
        Assert.Equal($"reembed: {demo.Faces.Count} templates to re-embed from their kept crops with the installed embedder {demo.InstalledSha[..12]}…", result.StderrLines[0]);
        Assert.Equal($"reembed: {demo.Faces.Count}/{demo.Faces.Count} templates", result.StderrLines[^1]);

        await using var store = await _station.OpenAsync();
        var gallery = await store.LoadTemplatesAsync(demo.InstalledSha);
        Assert.Equal(demo.Faces.Count, gallery.Templates.Count);
        Assert.Equal(0, gallery.OtherEmbedderCount);
        Assert.Equal(demo.Faces.Count, (int)_station.Sql("SELECT count(*) FROM crops"));
        foreach (var template in gallery.Templates)
        {
            // Same worker and quality as the source; the embedding from the stored 8-bit crop is the photo's own face.
            var cosine = TensorPrimitives.CosineSimilarity(template.Embedding, original[template.Quality]);
            Assert.True(cosine > 0.999, $"template {template.Id} of {template.WorkerId}: cosine {cosine:0.0000} to the face it was made from");
            Assert.Equal($"P{demo.Faces.Single(f => f.Quality == template.Quality).Photo}", template.WorkerId);
        }

        var audit = (await store.ListAuditAsync()).Take(2).Select(a => (a.Keeper, a.Action)).ToList();
        Assert.Equal([("keeper-wang", "templates.reembed"), ("keeper-wang", "templates.prune")], audit);
    }

    [Fact]
    public async Task Reembed_WithoutKeptCrops_ExplainsThatReenrolmentIsNeeded_AndChangesNoTemplate()
    {
        await using (var store = await _station.OpenAsync(keepCrops: false))
        {
            await store.EnrollAsync(StationData.Worker("W001", "张伟"), [DemoFaces.Template(demo.Faces[0])], StationData.Keeper);
            await store.EnrollAsync(StationData.Worker("W002", "李娜"), [DemoFaces.Template(demo.Faces[1])], StationData.Keeper);
        }

        var result = await Run("reembed");

        Assert.Equal(3, result.Exit);
        Assert.Equal(
            "station-edge: reembed: no crops were kept (Store:KeepCrops was off), so the installed embedder cannot re-embed anyone: enroll 2 workers again (W001, W002)",
            result.StderrLines[^1]);
        Assert.Contains("  skipped W001 张伟: no crop kept (enrolled while Store:KeepCrops was off)", result.StdoutLines);
        Assert.Equal("the old templates are kept until every worker has a new one", result.StdoutLines[^1]);
        Assert.Equal(2, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{StationData.OldSha}'"));
        Assert.Equal(0, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 <> '{StationData.OldSha}'"));
    }

    [Fact]
    public async Task Reembed_WithAWorkerWithoutCrops_KeepsTheOldTemplatesNamingThem_UntilThatWorkerIsEnrolledAgain()
    {
        await EnrollPerPhotoAsync(_station, photos: 2);
        await using (var store = await _station.OpenAsync(keepCrops: false))
        {
            await store.EnrollAsync(StationData.Worker("W009", "赵敏"), [DemoFaces.Template(demo.Faces[^1])], StationData.Keeper);
        }

        var first = await Run("reembed");

        Assert.Equal(3, first.Exit);
        Assert.Equal("station-edge: reembed: 1 worker skipped, so the old templates are kept: enroll W009 again, then run reembed again", first.StderrLines[^1]);
        Assert.Contains("  skipped W009 赵敏: no crop kept (enrolled while Store:KeepCrops was off)", first.StdoutLines);
        var reembedded = (int)_station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{demo.InstalledSha}'");
        Assert.Equal(demo.Faces.Count(f => f.Photo <= 2), reembedded);
        Assert.Equal(reembedded + 1, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{StationData.OldSha}'"));

        // The keeper enrolls W009 again with the installed embedder; now every worker has a new template.
        await using (var store = await _station.OpenAsync())
        {
            await store.AddTemplatesAsync("W009", [DemoFaces.Template(demo.Faces[^1], demo.InstalledSha)], StationData.Keeper);
        }

        var second = await Run("reembed", "--json");

        Assert.True(second.Exit == 0, second.Stderr);
        Assert.Equal((0, reembedded, reembedded + 1), (second.Json().GetProperty("templates_reembedded").GetInt32(),
            second.Json().GetProperty("reembedded_earlier").GetInt32(), second.Json().GetProperty("old_templates_removed").GetInt32()));
        Assert.Equal(0, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{StationData.OldSha}'"));
    }

    [Fact]
    public async Task Reembed_AfterAnInterruptedRun_DoesOnlyTheRest()
    {
        await EnrollPerPhotoAsync(_station, photos: 6);
        var installed = demo.Faces.ToDictionary(f => f.Quality, f => f.Embedding);
        await using (var store = await _station.OpenAsync())
        {
            // What an interrupted run left: the first five re-embedded, the old templates all still there.
            foreach (var id in (await store.ListTemplatesToReembedAsync(demo.InstalledSha)).Take(5))
            {
                var quality = (await store.ListTemplatesAsync((await store.ReadCropAsync(id))!.WorkerId)).Single(t => t.Id == id).Quality;
                await store.AddReembeddedTemplateAsync(id, demo.InstalledSha, installed[quality]);
            }
        }

        var result = await Run("reembed");

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Equal($"reembed: {demo.Faces.Count - 5} templates to re-embed from their kept crops with the installed embedder {demo.InstalledSha[..12]}… (5 done by an earlier run)", result.StderrLines[0]);
        Assert.Equal($"re-embedded {demo.Faces.Count - 5} templates with the installed embedder {demo.InstalledSha[..12]}… (5 more by an earlier run)", result.StdoutLines[0]);
        Assert.Equal(demo.Faces.Count, _station.Sql("SELECT count(*) FROM templates"));
        Assert.Equal(demo.Faces.Count, _station.Sql("SELECT count(DISTINCT derived_from) FROM templates"));
    }

    [Fact]
    public async Task Reembed_WhenEveryTemplateIsTheInstalledEmbeddersAlready_SaysThereIsNothingToDo()
    {
        await using (var store = await _station.OpenAsync())
        {
            await store.EnrollAsync(StationData.Worker("W001", "张伟"), [DemoFaces.Template(demo.Faces[0], demo.InstalledSha)], StationData.Keeper);
        }

        var result = await Run("reembed");

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal($"every template is made by the installed embedder {demo.InstalledSha[..12]}…: nothing to do", result.Stdout.TrimEnd());
        Assert.Equal(1, _station.Sql("SELECT count(*) FROM templates"));
    }

    [Fact]
    public async Task Reembed_WithACropWhoseCiphertextWasAltered_SkipsThatWorkerSayingWhy()
    {
        await using (var store = await _station.OpenAsync())
        {
            await store.EnrollAsync(StationData.Worker("W001", "张伟"), [DemoFaces.Template(demo.Faces[0])], StationData.Keeper);
        }

        _station.Scalar("UPDATE crops SET ciphertext = zeroblob(length(ciphertext))");

        var result = await Run("reembed");

        Assert.Equal(3, result.Exit);
        Assert.Matches(
            "^  skipped W001 张伟: the crop of template [0-9a-f-]{36} \\(worker W001\\) fails AES-GCM authentication: it was altered or sealed with another key, and is not used$",
            result.StdoutLines[1]);
        Assert.Equal(1, _station.Sql("SELECT count(*) FROM templates"));
    }

    [Fact]
    public async Task Reembed_OnSigterm_ExitsOneThirty_SayingHowFarItGot_AndTheNextRunFinishes()
    {
        const int Copies = 30;
        await using (var store = await _station.OpenAsync())
        {
            for (var copy = 0; copy < Copies; copy++)
            {
                await store.EnrollAsync(StationData.Worker($"W{copy:000}", $"worker {copy}"), [.. demo.Faces.Select(f => DemoFaces.Template(f))], StationData.Keeper);
            }
        }

        var total = Copies * demo.Faces.Count;
        using var process = CliRunner.StartPublished(null, ["reembed", "--models", TestModels.Directory, .. _station.DataArgs]);
        using var guard = CliRunner.Guard(process);
        var stdout = process.StandardOutput.ReadToEndAsync(guard.Token);
        while (await process.StandardError.ReadLineAsync(guard.Token) is { } line && !line.EndsWith($"/{total} templates", StringComparison.Ordinal))
        {
        }

        CliRunner.Signal(process, "TERM");
        var rest = await process.StandardError.ReadToEndAsync(guard.Token);
        await process.WaitForExitAsync(guard.Token);
        await stdout;

        Assert.Equal(130, process.ExitCode);
        var done = (int)_station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{demo.InstalledSha}'");
        Assert.InRange(done, 25, total - 1);
        Assert.Equal(
            $"station-edge: reembed: interrupted after {done} of {total} templates; each one re-embedded is stored: run reembed again to carry on",
            CliRunner.Lines(rest).Last());
        Assert.Equal(total, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{StationData.OldSha}'"));

        var again = await Run("reembed", "--json");

        Assert.True(again.Exit == 0, again.Stderr);
        Assert.Equal((total - done, done, total), (again.Json().GetProperty("templates_reembedded").GetInt32(),
            again.Json().GetProperty("reembedded_earlier").GetInt32(), again.Json().GetProperty("old_templates_removed").GetInt32()));
        Assert.Equal(total, _station.Sql("SELECT count(*) FROM templates"));
    }

    /// <summary>One worker per demo photo, P1 … P<paramref name="photos"/> ("photo N"), with every face of it as a template with its crop.</summary>
    [Fact]
    public async Task Reembed_OfCropsKeptOnTheKeypoints_UnderLandmarks_SkipsThemSayingWhy_AndOnTheKeypointsHasNothingToDo()
    {
        await using (var store = await _station.OpenAsync())
        {
            // A station enrolled before landmark alignment: the installed embedder's tag on the keypoints, crops kept.
            await store.EnrollAsync(StationData.Worker("W001", "张伟"), [DemoFaces.Template(demo.Faces[0], demo.KeypointSha)], StationData.Keeper);
        }

        var landmarks = await Run("reembed");
        var keypoints = await Run("reembed", "--alignment", "keypoints");

        Assert.NotEqual(demo.InstalledSha, demo.KeypointSha);
        Assert.Equal(3, landmarks.Exit);
        Assert.Contains(
            "  skipped W001 张伟: its kept crop is aligned on BlazeFace's keypoints and cannot be aligned again on landmarks (enroll again, or keep Vision:Alignment=keypoints)",
            landmarks.StdoutLines);
        Assert.Equal(1, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 = '{demo.KeypointSha}'"));
        Assert.Equal(0, _station.Sql($"SELECT count(*) FROM templates WHERE embedder_sha256 <> '{demo.KeypointSha}'"));
        Assert.True(keypoints.Exit == 0, keypoints.Stderr);
        Assert.Equal($"every template is made by the installed embedder {demo.KeypointSha[..12]}…: nothing to do", keypoints.StdoutLines[0]);
    }

    private async Task EnrollPerPhotoAsync(StationData station, int photos)
    {
        await using var store = await station.OpenAsync();
        for (var photo = 1; photo <= photos; photo++)
        {
            var faces = demo.Faces.Where(f => f.Photo == photo).Select(f => DemoFaces.Template(f)).ToList();
            await store.EnrollAsync(StationData.Worker($"P{photo}", $"photo {photo}"), faces, StationData.Keeper);
        }
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.InProcessAsync([.. args, "--models", TestModels.Directory, .. _station.DataArgs]);
}
