using System.Net;
using System.Text.RegularExpressions;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Tests;

/// <summary>The enrol form and the worker page offer where the face opens the door, this station only by default, through the real site.</summary>
public sealed partial class ConsentScopePageTests
{
    [Fact]
    public async Task The_enrol_form_defaults_to_this_station_only_and_the_worker_page_records_county_consent_audited()
    {
        await using var site = await SiteHost.StartAsync();
        await site.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "v" }, [], new KeeperContext("keeper:test"));
        using var client = site.Client();
        await HttpSecurityTests.LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);

        var enrol = await client.GetStringAsync("/Enrol");
        Assert.Matches(@"<input type=""radio"" name=""ConsentScope"" value=""station"" checked=""checked"">\s*仅本驿站", enrol);
        Assert.Contains("本县所有驿站（漫游）", enrol, StringComparison.Ordinal);
        Assert.Contains("人脸特征只保存在本驿站", enrol, StringComparison.Ordinal);

        var page = await client.GetStringAsync("/Workers/Edit?id=W001");
        var form = EditForm().Match(page).Value;
        Assert.Matches(@"value=""station"" checked=""checked""", form);
        var token = WebUtility.HtmlDecode(Csrf().Match(form).Groups[1].Value);

        using var saved = await client.PostAsync("/Workers/Edit", new FormUrlEncodedContent(
            [new("id", "W001"), new("Name", "张伟"), new("ConsentScope", "county"), new("__csrf", token)]));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var worker = (await site.Store.GetWorkerAsync("W001"))!;
        Assert.Equal((ConsentScope.County, "keeper:" + SiteHost.Keeper), (worker.ConsentScope, worker.ConsentScopeBy));
        var audit = Assert.Single(await site.Store.ListAuditAsync(), a => a.Action == "worker.consent");
        Assert.Equal("consent scope station -> county", audit.Details);
        Assert.Matches(@"value=""county"" checked=""checked""", await client.GetStringAsync("/Workers/Edit?id=W001"));
        site.Logs.AssertNoErrors();
    }

    [GeneratedRegex(@"<form method=""post"" class=""fields"">.*?</form>", RegexOptions.Singleline)]
    private static partial Regex EditForm();

    [GeneratedRegex(@"name=""__csrf""[^>]*value=""([^""]*)""")]
    private static partial Regex Csrf();
}
