using System.Net;
using System.Text.RegularExpressions;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Tests;

/// <summary>The worker's page lists what the door learned of them, and a keeper removes one (audited), through the real site.</summary>
public sealed partial class LearnedTemplatesPageTests
{
    [Fact]
    public async Task WorkerPage_ListsLearnedTemplates_WithTimeVisitAndReason_AndAKeeperRemovesOne_Audited()
    {
        await using var site = await SiteHost.StartAsync();
        var sha = new string('a', 64);
        var face = Enumerable.Range(0, 128).Select(i => MathF.Sin(i + 1f)).ToArray();
        var quality = new TemplateQuality(80, 0, 300, 120, 0.9);
        await site.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "v" }, [new NewTemplate(sha, face, quality)], new KeeperContext("keeper:test"));
        var visit = Guid.NewGuid();
        var learned = await site.Store.AddLearnedTemplateAsync("W001", new NewTemplate(sha, face, quality), visit, LearnReason.PassConfirmed, 3, TimeSpan.FromDays(1));
        using var client = site.Client();
        await HttpSecurityTests.LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);

        var page = await client.GetStringAsync("/Workers/Edit?id=W001");

        Assert.Contains("门口学到的人脸", page, StringComparison.Ordinal);
        Assert.Contains(visit.ToString(), page, StringComparison.Ordinal);
        Assert.Contains("刷脸未通过，本人随即刷卡开门", page, StringComparison.Ordinal);
        var form = RemoveForm().Match(page);
        Assert.True(form.Success, "the page has a remove form");
        Assert.Contains(learned.Id!.Value.ToString(), form.Value, StringComparison.Ordinal);
        var token = WebUtility.HtmlDecode(Csrf().Match(form.Value).Groups[1].Value);

        using var removed = await client.PostAsync("/Workers/Edit?handler=RemoveLearned", new FormUrlEncodedContent(
            [new("id", "W001"), new("template", learned.Id!.Value.ToString()), new("__csrf", token)]));

        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Empty(await site.Store.ListLearnedTemplatesAsync("W001"));
        var audit = Assert.Single(await site.Store.ListAuditAsync(), a => a.Action == "worker.templates.learned.remove");
        Assert.Equal(("keeper:" + SiteHost.Keeper, "W001"), (audit.Keeper, audit.Target));
        Assert.Contains("还没有学到", await client.GetStringAsync("/Workers/Edit?id=W001"), StringComparison.Ordinal);
        site.Logs.AssertNoErrors();
    }

    [GeneratedRegex(@"<form[^>]*handler=RemoveLearned[^>]*>.*?</form>", RegexOptions.Singleline)]
    private static partial Regex RemoveForm();

    [GeneratedRegex(@"name=""__csrf""[^>]*value=""([^""]*)""")]
    private static partial Regex Csrf();
}
