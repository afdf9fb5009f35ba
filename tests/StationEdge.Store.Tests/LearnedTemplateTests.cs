using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class LearnedTemplateTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public async Task LearnedTemplates_AreTaggedBoundedSpaced_AndNeverReplaceEnrolment()
    {
        await using var test = await TestStore.OpenAsync();
        var enrolment = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        var visits = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var visit = Guid.NewGuid();
            visits.Add(visit);
            var outcome = await test.Store.AddLearnedTemplateAsync("W001", TestStore.Template(10 + i), visit, LearnReason.ClearGrant, maxLearned: 3, Day);
            Assert.NotNull(outcome.Id);
            var again = await test.Store.AddLearnedTemplateAsync("W001", TestStore.Template(20 + i), Guid.NewGuid(), LearnReason.ClearGrant, 3, Day);
            Assert.Null(again.Id);
            test.Clock.Advance(Day);
        }

        var learned = await test.Store.ListLearnedTemplatesAsync("W001");
        Assert.Equal(visits.Skip(1), learned.Select(l => l.VisitId));
        Assert.All(learned, l => Assert.Equal(("clear_grant", TestStore.Sha), (l.Reason, l.EmbedderSha256)));
        var load = await test.Store.LoadTemplatesAsync(TestStore.Sha);
        Assert.Equal(4, load.Templates.Count);
        Assert.Contains(enrolment.TemplateIds[0], load.Templates.Select(t => t.Id));
    }

    [Fact]
    public async Task LearnedTemplate_OfAnotherEmbedderOrAlignment_IsNotKept()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);

        var outcome = await test.Store.AddLearnedTemplateAsync("W001", TestStore.Template(2, TestStore.OtherSha), Guid.NewGuid(), LearnReason.PassConfirmed, 3, Day);

        Assert.Null(outcome.Id);
        Assert.Contains(TestStore.OtherSha, outcome.Skipped, StringComparison.Ordinal);
        Assert.Empty((await test.Store.LoadTemplatesAsync(TestStore.OtherSha)).Templates);
    }

    [Fact]
    public async Task LearnedTemplate_IsRemovableAudited_EnrolmentTemplateIsNot()
    {
        await using var test = await TestStore.OpenAsync();
        var enrolment = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        var outcome = await test.Store.AddLearnedTemplateAsync("W001", TestStore.Template(2), Guid.NewGuid(), LearnReason.PassConfirmed, 3, Day);

        await test.Store.RemoveLearnedTemplateAsync("W001", outcome.Id!.Value, TestStore.Keeper);
        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.RemoveLearnedTemplateAsync("W001", enrolment.TemplateIds[0], TestStore.Keeper));

        Assert.Equal(StoreFault.NotFound, e.Fault);
        Assert.Empty(await test.Store.ListLearnedTemplatesAsync("W001"));
        Assert.Single((await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates);
        Assert.Contains(await test.Store.ListAuditAsync(), a => a.Action == "worker.templates.learned.remove" && a.Details == outcome.Id.ToString());
    }
}
