using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using StationEdge.Hub;

namespace StationEdge.CountySite.Tests;

/// <summary>花名册: the county's workers through <see cref="CountyRoster"/>; a county admin changes them after a confirmation, a reviewer cannot.</summary>
public sealed partial class SiteTests
{
    [Fact]
    public async Task The_roster_lists_and_searches_the_countys_workers_by_name_id_and_station()
    {
        using var client = await AdminAsync();
        var all = await client.GetStringAsync("/roster");
        Assert.Equal(["R1", "R2", "R3", "R4"], Workers(all).Order(StringComparer.Ordinal));
        var r1 = RowOf(all, "R1");
        Assert.Contains("陈大勇", r1, StringComparison.Ordinal);
        Assert.Contains("骑手之家 东门", r1, StringComparison.Ordinal); // the home station's name, not only its id
        Assert.Contains("全县通用", r1, StringComparison.Ordinal);
        Assert.Contains("<td>2</td>", r1, StringComparison.Ordinal); // two templates
        Assert.Contains("正常", r1, StringComparison.Ordinal);
        Assert.Contains("仅本站", RowOf(all, "R4"), StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;赵&lt;/b&gt;", RowOf(all, "R4"), StringComparison.Ordinal);
        Assert.DoesNotContain("<b>赵</b>", all, StringComparison.Ordinal);
        Assert.Contains("href=\"/roster/confirm?op=delete&amp;id=R1\"", r1, StringComparison.Ordinal);

        Assert.Equal(["R1"], Workers(await client.GetStringAsync("/roster?q=" + Uri.EscapeDataString("陈"))));
        Assert.Equal(["R4"], Workers(await client.GetStringAsync("/roster?q=r4")));
        Assert.Equal(["R1", "R3"], Workers(await client.GetStringAsync("/roster?q=" + Uri.EscapeDataString("东门"))));
        Assert.Equal(["R1", "R3"], Workers(await client.GetStringAsync("/roster?q=S1")));
        var none = await client.GetStringAsync("/roster?q=nobody");
        Assert.Empty(Workers(none));
        Assert.Contains("id=\"none\"", none, StringComparison.Ordinal);
        var english = await client.GetStringAsync("/roster?q=R1&lang=en");
        Assert.Contains("whole county", english, StringComparison.Ordinal);
        Assert.Contains("Home station", english, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reviewer_reads_the_roster_but_cannot_change_it()
    {
        using var reviewer = site.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await CountyFixture.LogInAsync(reviewer, CountyFixture.Reviewer, CountyFixture.ReviewerPassword)).StatusCode);
        var page = await reviewer.GetStringAsync("/roster");
        Assert.Contains("陈大勇", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/roster/confirm", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/roster/confirm?op=delete&id=R1")).StatusCode);
        using var tried = await reviewer.PostAsync("/roster/change", Change(CountyFixture.Token(await reviewer.GetStringAsync("/visits")), "delete", "R1"));
        Assert.Equal(HttpStatusCode.Forbidden, tried.StatusCode);
        Assert.Contains(await RosterAsync(), w => w.Id == "R1");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM roster_deltas WHERE source LIKE 'county-site:%' AND worker_id = 'R1'"));
    }

    [Fact]
    public async Task A_county_admin_resumes_and_suspends_after_a_confirmation_audited_with_the_accounts_name()
    {
        using var admin = await AdminAsync();
        var confirm = await admin.GetStringAsync("/roster/confirm?op=resume&id=R3");
        Assert.Contains("恢复 王建国（R3，骑手之家 东门）", confirm, StringComparison.Ordinal);
        Assert.Equal("suspended", (await RosterAsync()).Single(w => w.Id == "R3").Status); // the page alone changes nothing
        using (var noToken = await admin.PostAsync("/roster/change", new FormUrlEncodedContent(new Dictionary<string, string> { ["Op"] = "resume", ["Id"] = "R3" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        }

        var before = await VersionAsync();
        using (var resumed = await admin.PostAsync("/roster/change", Change(CountyFixture.Token(confirm), "resume", "R3")))
        {
            Assert.Equal(HttpStatusCode.Redirect, resumed.StatusCode);
            var shown = await admin.GetStringAsync(resumed.Headers.Location!.ToString());
            Assert.Contains("已恢复 R3", shown, StringComparison.Ordinal);
            Assert.Contains("正常", RowOf(shown, "R3"), StringComparison.Ordinal);
        }

        Assert.Equal("active", (await RosterAsync()).Single(w => w.Id == "R3").Status);
        Assert.Equal(before + 1, await VersionAsync());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM roster_deltas WHERE worker_id = 'R3' AND op = 'resume' AND source = 'county-site:{CountyFixture.Admin}'"));

        var again = await admin.GetStringAsync("/roster/confirm?op=suspend&id=R3");
        using (var suspended = await admin.PostAsync("/roster/change", Change(CountyFixture.Token(again), "suspend", "R3")))
        {
            Assert.Equal(HttpStatusCode.Redirect, suspended.StatusCode);
        }

        Assert.Equal("suspended", (await RosterAsync()).Single(w => w.Id == "R3").Status);
        // A second suspend changes nothing and makes no version, but is audited as tried.
        using (var twice = await admin.PostAsync("/roster/change", Change(CountyFixture.Token(again), "suspend", "R3")))
        {
            Assert.Equal(HttpStatusCode.Redirect, twice.StatusCode);
        }

        Assert.Equal(before + 2, await VersionAsync());
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM county_audit WHERE action = 'worker.resume' AND actor = '{CountyFixture.Admin}' AND target = 'R3'"));
        Assert.Equal(2, await CountAsync($"SELECT count(*) FROM county_audit WHERE action = 'worker.suspend' AND actor = '{CountyFixture.Admin}' AND target = 'R3'"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM county_audit WHERE action = 'worker.suspend' AND target = 'R3' AND details LIKE 'unchanged%'"));
    }

    [Fact]
    public async Task A_deletion_warns_it_reaches_every_station_and_shows_which_stations_confirmed_it()
    {
        using var admin = await AdminAsync();
        var confirm = await admin.GetStringAsync("/roster/confirm?op=delete&id=R2");
        Assert.Contains("全县每一个驿站", confirm, StringComparison.Ordinal);
        Assert.Contains("无法撤销", confirm, StringComparison.Ordinal);
        Assert.Contains("id=\"cancel\" href=\"/roster\"", confirm, StringComparison.Ordinal);
        using (var deleted = await admin.PostAsync("/roster/change", Change(CountyFixture.Token(confirm), "delete", "R2")))
        {
            Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        }

        Assert.DoesNotContain(await RosterAsync(), w => w.Id == "R2");
        var version = await DeletionVersionAsync("R2");
        var page = await admin.GetStringAsync("/roster");
        Assert.DoesNotContain("data-worker=\"R2\"", page, StringComparison.Ordinal);
        var row = DeletionOf(page, "R2");
        Assert.Contains($"county-site:{CountyFixture.Admin}", row, StringComparison.Ordinal);
        Assert.Contains("class=\"confirmed up\">—", row, StringComparison.Ordinal); // no station has it yet
        Assert.Contains("骑手之家 东门、工会驿站 西站", row, StringComparison.Ordinal);

        // S1 reports (in its status, as the ingest stores it) a roster version that includes the deletion; S2 does not.
        await CountAsync($"UPDATE stations SET status = jsonb_set(COALESCE(status, '{{}}'), '{{roster_version}}', '{version}') WHERE id = 'S1' RETURNING 1");
        await CountAsync($"UPDATE stations SET status = jsonb_set(COALESCE(status, '{{}}'), '{{roster_version}}', '{version - 1}') WHERE id = 'S2' RETURNING 1");
        row = DeletionOf(await admin.GetStringAsync("/roster"), "R2");
        Assert.Contains("class=\"confirmed up\">骑手之家 东门<", row, StringComparison.Ordinal);
        Assert.Contains("class=\"waiting down\">工会驿站 西站<", row, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM county_audit WHERE action = 'worker.delete' AND actor = '{CountyFixture.Admin}' AND target = 'R2'"));

        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/roster/confirm?op=delete&id=R2")).StatusCode);
        using var twice = await admin.PostAsync("/roster/change", Change(CountyFixture.Token(confirm), "delete", "R2"));
        Assert.Equal(HttpStatusCode.NotFound, twice.StatusCode);
    }

    private async Task<IReadOnlyList<CountyWorker>> RosterAsync()
    {
        await using var data = NpgsqlDataSource.Create(site.Database);
        return await CountyRoster.ListAsync(data, CountyFixture.County, default);
    }

    private async Task<long> VersionAsync()
    {
        await using var data = NpgsqlDataSource.Create(site.Database);
        return (await CountyRoster.HeadAsync(data, CountyFixture.County, default)).Version;
    }

    private async Task<long> DeletionVersionAsync(string workerId)
    {
        await using var data = NpgsqlDataSource.Create(site.Database);
        return (await CountyRoster.DeltasAfterAsync(data, CountyFixture.County, 0, 1000, default)).Last(d => d.Delta.Op == "delete" && d.Delta.WorkerId == workerId).Version;
    }

    private static List<string> Workers(string html) => [.. WorkerRow().Matches(html).Select(m => m.Groups[1].Value)];

    private static string RowOf(string html, string id) => Slice(html, $"data-worker=\"{id}\"");

    private static string DeletionOf(string html, string id) => Slice(html, $"data-deleted=\"{id}\"");

    private static string Slice(string html, string start)
    {
        var at = html.IndexOf(start, StringComparison.Ordinal);
        Assert.True(at >= 0, $"no {start} in the page");
        var row = html[at..];
        return row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
    }

    private static FormUrlEncodedContent Change(string token, string op, string id) => new(new Dictionary<string, string>
    {
        ["__csrf"] = token,
        ["Op"] = op,
        ["Id"] = id,
    });

    [GeneratedRegex("data-worker=\"([^\"]+)\"")]
    private static partial Regex WorkerRow();
}
