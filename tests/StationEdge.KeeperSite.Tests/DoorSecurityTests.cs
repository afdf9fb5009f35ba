using Microsoft.Extensions.Configuration;
using StationEdge.KeeperSite.Station;
using StationEdge.Store;
using StationEdge.Vision.Recognition;

namespace StationEdge.KeeperSite.Tests;

/// <summary>The door page's 安全等级 figures, worked out on a real store with seeded visits and learned templates.</summary>
public sealed class DoorSecurityTests
{
    private static readonly string Tag = new('a', 64);

    [Fact]
    public async Task Report_CountsLearnedVisitsAndPassConfirmedRefusals_OnceEach_AndWhatEachLevelWouldRefuse()
    {
        using var folder = new TempFolder("door-security-");
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = Path.Combine(folder.Path, "data") });
        var evidence = await SecuritySeed.SeedAsync(store, Tag, 512);

        var report = await new DoorSecurity(store).ReportAsync(Tag, DoorRule.Default, CancellationToken.None);

        Assert.Equal(SecuritySeed.Workers, report.Workers);
        Assert.Equal((5, 4, 1), (report.WalkUps, report.FromLearned, report.FromPassConfirmed));
        Assert.True(report.Enough);
        Assert.Equal(["strict", "standard", "convenient"], report.Levels.Select(l => l.Level.Key));
        Assert.True(report.Levels[0].Threshold > report.Levels[1].Threshold && report.Levels[1].Threshold > report.Levels[2].Threshold, "stricter levels set higher thresholds");
        foreach (var level in report.Levels)
        {
            Assert.Equal(evidence.Count(s => s < level.Threshold), level.Refused);
        }

        // The seeded scores straddle the levels: the cost really differs between them.
        Assert.True(report.Levels[0].Refused > report.Levels[2].Refused, $"strict refuses more than convenient ({report.Levels[0].Refused} vs {report.Levels[2].Refused})");
        Assert.Equal("standard", Assert.Single(report.Levels, l => l.IsStations).Level.Key);
        Assert.Equal(report.Levels[1].Threshold, report.CurrentThreshold);
        var gallery = await LoadGalleryAsync(store, DoorRule.Default.Gallery);
        Assert.Equal(gallery.CurrentThreshold, report.CurrentThreshold);
    }

    [Fact]
    public async Task Report_WithAFixedThreshold_AppliesIt_AndMarksNoLevelAsTheStations()
    {
        using var folder = new TempFolder("door-security-");
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = Path.Combine(folder.Path, "data") });
        await SecuritySeed.SeedAsync(store, Tag, 512);
        var rule = DoorRule.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Access:Threshold"] = "0.6" }).Build());

        var report = await new DoorSecurity(store).ReportAsync(Tag, rule, CancellationToken.None);

        Assert.Equal(0.6f, report.CurrentThreshold);
        Assert.DoesNotContain(report.Levels, l => l.IsStations);
        Assert.True(report.Levels[0].Threshold > 0.6f, "the levels are still the calibrated rule's");
    }

    [Fact]
    public async Task Report_WithFewWalkUps_IsNotEnough_AndOtherEmbeddersEvidenceIsLeftOut()
    {
        using var folder = new TempFolder("door-security-");
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = Path.Combine(folder.Path, "data") });
        await SecuritySeed.SeedFewAsync(store, Tag, 512);
        await SecuritySeed.SeedFewAsync(store, new string('b', 64), 512, prefix: "X");

        var report = await new DoorSecurity(store).ReportAsync(Tag, DoorRule.Default, CancellationToken.None);

        Assert.Equal(2, report.WalkUps);
        Assert.False(report.Enough);
    }

    [Theory]
    [InlineData("strict", "strict", "严格")]
    [InlineData("1/500", "custom", "自定义")]
    public void Rule_ReadsTheLevelFromAccessStrangerRate(string setting, string key, string zh)
    {
        var rule = DoorRule.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Access:StrangerRate"] = setting }).Build());

        Assert.Equal((key, zh, (float?)null), (rule.Level.Key, rule.Level.NameZh, rule.FixedThreshold));
    }

    [Fact]
    public void Rule_RefusesABadRate_NamingTheKey()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Access:StrangerRate"] = "lax" }).Build();

        var e = Assert.Throws<InvalidOperationException>(() => DoorRule.From(config));

        Assert.StartsWith("Access:StrangerRate must be", e.Message, StringComparison.Ordinal);
    }

    private static async Task<FaceGallery> LoadGalleryAsync(StationStore store, GalleryOptions options)
    {
        var load = await store.LoadTemplatesAsync(Tag);
        var gallery = new FaceGallery(Tag, 512, options);
        foreach (var t in load.Templates)
        {
            gallery.Add(new FaceTemplate(t.Id, t.WorkerId, t.Embedding, t.EmbedderSha256));
        }

        return gallery;
    }
}

/// <summary>A station's record for the 安全等级 figures: workers, visits and the templates learned from some of them.</summary>
internal static class SecuritySeed
{
    public const int Workers = 4;

    private static readonly TemplateQuality Quality = new(80, 0, 300, 120, 0.9);

    private static readonly DateTimeOffset Start = new(2026, 11, 2, 7, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Seeds five confirmed walk-ups (returned, their scores) and three visits that must not count: four learned
    /// templates (three clear grants and a pass-confirmed refusal, whose pass is there too: counted once), one
    /// unlearned refusal opened by the rider's pass 30 s later, one opened 90 s later (outside the window), and a
    /// liveness refusal followed by a pass.
    /// </summary>
    public static async Task<IReadOnlyList<float>> SeedAsync(StationStore store, string tag, int dimensions)
    {
        var by = new KeeperContext("keeper:test");
        var faces = new List<float[]>();
        for (var i = 0; i < Workers; i++)
        {
            var face = Face(dimensions, i);
            faces.Add(face);
            await store.EnrollAsync(new NewWorker { Id = $"W00{i + 1}", Name = $"工友{i + 1}", ConsentVersion = "v" }, [new NewTemplate(tag, face, Quality)], by);
        }

        var at = Start;
        async Task<Visit> FaceVisit(VisitDecision decision, string reason, string? worker, float score)
        {
            at = at.AddMinutes(10);
            return await store.RecordVisitAsync(new VisitDraft(decision, reason, VisitMethod.Face) { WorkerId = worker, Score = score, Margin = 0.2f, Time = at });
        }

        async Task Pass(string worker, TimeSpan after) =>
            await store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched", VisitMethod.Pass) { WorkerId = worker, Time = at + after });

        async Task Learn(string worker, Visit visit, LearnReason reason) =>
            Assert.NotNull((await store.AddLearnedTemplateAsync(worker, new NewTemplate(tag, faces[int.Parse(worker[1..], System.Globalization.CultureInfo.InvariantCulture) - 1], Quality), visit.Id, reason, 3, TimeSpan.Zero)).Id);

        await Learn("W001", await FaceVisit(VisitDecision.Granted, "matched", "W001", 0.95f), LearnReason.ClearGrant);
        await Learn("W002", await FaceVisit(VisitDecision.Granted, "matched", "W002", 0.74f), LearnReason.ClearGrant);
        await Learn("W003", await FaceVisit(VisitDecision.Granted, "matched", "W003", 0.62f), LearnReason.ClearGrant);
        var refusedThenLearned = await FaceVisit(VisitDecision.Refused, "unknown", null, 0.40f);
        await Pass("W004", TimeSpan.FromSeconds(20));
        await Learn("W004", refusedThenLearned, LearnReason.PassConfirmed);
        await FaceVisit(VisitDecision.Refused, "unknown", null, 0.53f);
        await Pass("W001", TimeSpan.FromSeconds(30));
        await FaceVisit(VisitDecision.Refused, "unknown", null, 0.45f);
        await Pass("W002", TimeSpan.FromSeconds(90));
        await FaceVisit(VisitDecision.Refused, "liveness", "W003", 0.90f);
        await Pass("W003", TimeSpan.FromSeconds(10));
        return [0.95f, 0.74f, 0.62f, 0.40f, 0.53f];
    }

    /// <summary>Two confirmed walk-ups only: one learned grant and one pass-confirmed refusal.</summary>
    public static async Task SeedFewAsync(StationStore store, string tag, int dimensions, string prefix = "W")
    {
        var face = Face(dimensions, prefix[0]);
        await store.EnrollAsync(new NewWorker { Id = prefix + "001", Name = "张伟", ConsentVersion = "v" }, [new NewTemplate(tag, face, Quality)], new KeeperContext("keeper:test"));
        var at = Start.AddHours(prefix[0]);
        var grant = await store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched", VisitMethod.Face) { WorkerId = prefix + "001", Score = 0.9f, Margin = 0.3f, Time = at });
        await store.AddLearnedTemplateAsync(prefix + "001", new NewTemplate(tag, face, Quality), grant.Id, LearnReason.ClearGrant, 3, TimeSpan.Zero);
        if (prefix == "W")
        {
            await store.RecordVisitAsync(new VisitDraft(VisitDecision.Refused, "unknown", VisitMethod.Face) { Score = 0.5f, Margin = 0.1f, Time = at.AddMinutes(5) });
            await store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched", VisitMethod.Pass) { WorkerId = prefix + "001", Time = at.AddMinutes(5).AddSeconds(15) });
        }
    }

    /// <summary>A unit vector of its own for each seed: unrelated faces score near 0 against each other.</summary>
    private static float[] Face(int dimensions, int seed)
    {
        var random = new Random(seed + 1);
        var v = new float[dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5);
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }
}
