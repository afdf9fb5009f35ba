using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using StationEdge.Access.Tests.Support;
using StationEdge.Store;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access.Tests.Gallery;

public sealed class StationGalleryTests
{
    private static readonly GalleryOptions Options = new(0.55f, 0.05f);

    [Fact]
    public async Task Match_FindsTheEnrolledWorker_WithTheirRecord()
    {
        await using var records = await TestRecords.OpenAsync();
        var face = Vectors.Random(1);
        await records.EnrollAsync("W001", face);
        await records.EnrollAsync("W002", Vectors.Random(2));
        using var gallery = await StationGallery.LoadAsync(records.Store, Vectors.Sha, Vectors.Dimensions, Options, TestRecords.Logger<StationGallery>(new LogCollector()), default);

        var found = gallery.Match(Vectors.At(face, 0.8f, seed: 9));

        Assert.Equal(("W001", MatchDecision.Known), (found.Match.WorkerId, found.Match.Decision));
        Assert.Equal(0.8f, found.Match.Score, 3);
        Assert.Equal("工人W001", found.Worker?.Name);
        Assert.Equal((2, 2), (gallery.WorkerCount, gallery.TemplateCount));
    }

    [Fact]
    public async Task ReloadIfChanged_PicksUpEnrolSuspendAndDelete_MadeByAnotherProcessesStore()
    {
        await using var records = await TestRecords.OpenAsync();
        var face = Vectors.Random(1);
        using var gallery = await StationGallery.LoadAsync(records.Store, Vectors.Sha, Vectors.Dimensions, Options, TestRecords.Logger<StationGallery>(new LogCollector()), default);
        Assert.Null(await gallery.ReloadIfChangedAsync(default));
        Assert.Null(gallery.Match(face).Match.WorkerId);

        // A command beside the daemon opens the same data folder with its own store.
        await using (var command = await StationStore.OpenAsync(records.Options))
        {
            await command.EnrollAsync(new NewWorker { Id = "W001", Name = "李娜", ConsentVersion = "1" },
                [new NewTemplate(Vectors.Sha, face, new TemplateQuality(80, 0, 300, 120, 0.9))], TestRecords.Keeper);
        }

        var enrolled = await gallery.ReloadIfChangedAsync(default);
        Assert.Equal(1, enrolled?.Added);
        Assert.Equal("W001", gallery.Match(face).Match.WorkerId);

        await records.Store.SetWorkerStatusAsync("W001", WorkerStatus.Suspended, TestRecords.Keeper);
        Assert.NotNull(await gallery.ReloadIfChangedAsync(default));
        Assert.Equal(WorkerStatus.Suspended, gallery.Match(face).Worker?.Status);

        await records.Store.DeleteWorkerAsync("W001", TestRecords.Keeper);
        var deleted = await gallery.ReloadIfChangedAsync(default);
        Assert.Equal(1, deleted?.Removed);
        Assert.Null(gallery.Match(face).Match.WorkerId);
        Assert.Null(gallery.FindWorker("W001"));
    }

    [Fact]
    public async Task TamperedTemplateRow_IsReportedAndNeverMatched()
    {
        await using var records = await TestRecords.OpenAsync();
        var face = Vectors.Random(1);
        var other = Vectors.Random(2);
        var enrollment = await records.EnrollAsync("W001", face, other);
        AlterCiphertext(records, enrollment.TemplateIds[0]);
        var log = new LogCollector();

        using var gallery = await StationGallery.LoadAsync(records.Store, Vectors.Sha, Vectors.Dimensions, Options, TestRecords.Logger<StationGallery>(log), default);

        var refused = Assert.Single(gallery.Unreadable);
        Assert.Equal((enrollment.TemplateIds[0], "W001"), (refused.Id, refused.WorkerId));
        Assert.Equal(1, gallery.TemplateCount);
        // The altered template's own face no longer finds W001 through it: only the intact template can match.
        Assert.Equal(0f, gallery.Match(face).Match.Score, 0.35f);
        Assert.Contains(Warnings(log), m => m.Contains(enrollment.TemplateIds[0].ToString(), StringComparison.Ordinal));

        // Reported once, not on every reload.
        await records.EnrollAsync("W002", Vectors.Random(3));
        await gallery.ReloadAsync(default);
        Assert.Single(Warnings(log), m => m.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TemplatesOfAnotherEmbedder_AreCountedNotLoaded()
    {
        await using var records = await TestRecords.OpenAsync();
        await records.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "王芳", ConsentVersion = "1" },
            [new NewTemplate(new string('2', 64), Vectors.Random(1), new TemplateQuality(80, 0, 300, 120, 0.9))], TestRecords.Keeper);

        using var gallery = await StationGallery.LoadAsync(records.Store, Vectors.Sha, Vectors.Dimensions, Options, TestRecords.Logger<StationGallery>(new LogCollector()), default);

        Assert.Equal((1, 0, 1), (gallery.WorkerCount, gallery.TemplateCount, gallery.OtherEmbedderCount));
    }

    private static IEnumerable<string> Warnings(LogCollector log) => log.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message);

    private static void AlterCiphertext(TestRecords records, Guid templateId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(records.DataPath, DataFolder.DatabaseFileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE templates SET ciphertext = zeroblob(length(ciphertext)) WHERE id = $id";
        command.Parameters.AddWithValue("$id", templateId.ToString());
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
