using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace StationEdge.CountySite.Tests;

/// <summary>The county site over HTTP on a real Kestrel and a real PostgreSQL: who may see what, paging, the CSV.</summary>
public sealed partial class SiteTests(CountyFixture site) : IClassFixture<CountyFixture>
{
    [Theory]
    [InlineData("/visits")]
    [InlineData("/visits.csv")]
    [InlineData("/stations")]
    [InlineData("/accounts")]
    public async Task Anonymous_gets_the_login_page(string path)
    {
        using var client = site.Client();
        using var answer = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal(new Uri(site.Url, "/login"), new Uri(answer.Headers.Location!.GetLeftPart(UriPartial.Path)));
        var login = await client.GetStringAsync(answer.Headers.Location);
        Assert.Contains("name=\"Password\"", login, StringComparison.Ordinal);
        Assert.Contains("登录", login, StringComparison.Ordinal);
        Assert.DoesNotContain("王小明", login, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_finder_and_its_feed_need_no_login_and_show_no_counts()
    {
        using var client = site.Client();
        var finder = await client.GetStringAsync("/finder");
        Assert.Contains("骑手之家 东门", finder, StringComparison.Ordinal);
        Assert.Contains("东门路 1 号", finder, StringComparison.Ordinal);
        Assert.DoesNotContain("door_forced", finder, StringComparison.Ordinal);
        var english = await client.GetStringAsync("/finder?lang=en");
        Assert.Contains("Station finder", english, StringComparison.Ordinal);

        using var feed = JsonDocument.Parse(await client.GetStringAsync("/api/public/stations"));
        var stations = feed.RootElement.GetProperty("stations").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal("06:00-22:00", stations["S1"].GetProperty("opening_hours").GetString());
        Assert.True(stations["S2"].GetProperty("open_now").GetBoolean(), "00:00-24:00 is always open");
        Assert.True(stations["S1"].GetProperty("door_online").GetBoolean());
        Assert.False(stations["S2"].GetProperty("door_online").GetBoolean());
        Assert.False(stations["S1"].TryGetProperty("outbox_depth", out _));
    }

    [Fact]
    public async Task Logins_lock_out_after_the_attempts_even_with_the_right_password()
    {
        using var client = site.Client();
        for (var i = 0; i < CountyFixture.LoginAttempts; i++)
        {
            using var wrong = await CountyFixture.LogInAsync(client, CountyFixture.Locked, "not-the-password");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await CountyFixture.LogInAsync(client, CountyFixture.Locked, CountyFixture.LockedPassword);
        Assert.Equal((HttpStatusCode)429, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Contains("登录失败次数过多", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another name from the same address is not locked: one mistyped name does not lock the county's staff out.
        using var other = site.Client();
        using var admin = await CountyFixture.LogInAsync(other, CountyFixture.Admin, CountyFixture.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM county_audit WHERE action = 'login.failed' AND actor = '{CountyFixture.Locked}'"));
    }

    [Fact]
    public async Task A_login_without_the_forms_token_is_refused()
    {
        using var client = site.Client();
        using var answer = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Name"] = CountyFixture.Admin,
            ["Password"] = CountyFixture.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
    }

    [Fact]
    public async Task Visits_page_through_every_visit_once_newest_first()
    {
        using var client = await AdminAsync();
        var seen = new List<(DateTime Time, string Row)>();
        var path = "/visits";
        var pages = 0;
        while (true)
        {
            var html = await client.GetStringAsync(path);
            pages++;
            var rows = Row().Matches(html).Select(m => m.Value).ToList();
            Assert.True(rows.Count <= CountyFixture.PageSize);
            seen.AddRange(rows.Select(r => (DateTime.Parse(Cell().Match(r).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), r)));
            var next = Next().Match(html);
            if (!next.Success)
            {
                break;
            }

            Assert.Equal(CountyFixture.PageSize, rows.Count);
            path = WebUtility.HtmlDecode(next.Groups[1].Value);
        }

        Assert.Equal(site.SeededVisits, seen.Count);
        Assert.Equal((site.SeededVisits + CountyFixture.PageSize - 1) / CountyFixture.PageSize, pages);
        Assert.Equal(seen.OrderByDescending(s => s.Time).Select(s => s.Time), seen.Select(s => s.Time));
        // The newest visit is shown in the county's clock: 04:00 UTC is 12:00 in Shanghai.
        Assert.Equal(new DateTime(2026, 3, 10, 12, 0, 1), seen[0].Time);
    }

    [Fact]
    public async Task Visits_filter_by_station_worker_decision_and_the_countys_dates()
    {
        using var client = await AdminAsync();
        var march2 = await client.GetStringAsync("/visits?from=2026-03-02&to=2026-03-02");
        Assert.Contains("凌晨 骑手", march2, StringComparison.Ordinal);
        Assert.DoesNotContain("深夜 骑手", march2, StringComparison.Ordinal);
        Assert.Single(Row().Matches(march2));

        var refusedS1 = await client.GetStringAsync("/visits?station=S1&decision=refused");
        var rows = Row().Matches(refusedS1).Select(m => m.Value).ToList();
        Assert.Equal(CountyFixture.PageSize, rows.Count);
        Assert.All(rows, r => Assert.Contains("拒绝", r, StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Contains("骑手之家 东门", r, StringComparison.Ordinal));

        var wang = await client.GetStringAsync("/visits?worker=王小明");
        Assert.All(Row().Matches(wang), r => Assert.Contains("王小明", r.Value, StringComparison.Ordinal));
        Assert.NotEmpty(Row().Matches(wang));

        using var bad = await client.GetAsync("/visits?from=3.2.2026");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("from must be a date as yyyy-MM-dd", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_are_html_encoded()
    {
        using var client = await AdminAsync();
        var html = await client.GetStringAsync("/visits?worker=" + Uri.EscapeDataString(CountyFixture.Formulas[0]));
        Assert.DoesNotContain("\"http://x\"", html, StringComparison.Ordinal);
        Assert.Contains("=HYPERLINK(&quot;http://x&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_has_a_bom_every_visit_chinese_names_and_no_formulas()
    {
        using var client = await AdminAsync();
        using var answer = await client.GetAsync("/visits.csv", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/csv", answer.Content.Headers.ContentType!.MediaType);
        Assert.Null(answer.Content.Headers.ContentLength);
        var bytes = await answer.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(site.SeededVisits + 1, lines.Length);
        Assert.Contains(lines, l => l.Contains("\"王小明\"", StringComparison.Ordinal));
        foreach (var formula in CountyFixture.Formulas)
        {
            Assert.Contains(lines, l => l.Contains("\"'" + formula.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(lines, l => l.Split("\",\"").Any(cell => cell.TrimStart('"') is [('=' or '+' or '-' or '@'), ..]));
        Assert.True(await CountAsync("SELECT count(*) FROM county_audit WHERE action = 'visits.export'") >= 1);

        var filtered = await client.GetStringAsync("/visits.csv?station=S2&from=2026-03-02&to=2026-03-02");
        Assert.Equal(2, filtered.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Stations_show_down_first_with_backlog_and_alarms()
    {
        using var client = await AdminAsync();
        var html = await client.GetStringAsync("/stations");
        var s2 = html.IndexOf("data-station=\"S2\"", StringComparison.Ordinal);
        var s1 = html.IndexOf("data-station=\"S1\"", StringComparison.Ordinal);
        Assert.True(s2 > 0 && s1 > s2, "the station that is down comes first");
        var s1Row = html[s1..html.IndexOf("</tr>", s1, StringComparison.Ordinal)];
        Assert.Contains("在线", s1Row, StringComparison.Ordinal);
        Assert.Contains("door_forced", s1Row, StringComparison.Ordinal);
        Assert.Contains("<td>3</td>", s1Row, StringComparison.Ordinal);
        Assert.Contains("离线", html[s2..s1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reviewer_cannot_do_admin_actions_and_an_admin_can_and_is_audited()
    {
        using var reviewer = site.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await CountyFixture.LogInAsync(reviewer, CountyFixture.Reviewer, CountyFixture.ReviewerPassword)).StatusCode);
        var visits = await reviewer.GetStringAsync("/visits");
        Assert.DoesNotContain("href=\"/accounts\"", visits, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.GetAsync("/accounts")).StatusCode);
        using var tried = await reviewer.PostAsync("/accounts", Form(CountyFixture.Token(visits), "sneaky", "reviewer"));
        Assert.Equal(HttpStatusCode.Forbidden, tried.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM county_accounts WHERE name = 'sneaky'"));

        using var admin = await AdminAsync();
        var page = await admin.GetStringAsync("/accounts");
        Assert.Contains("href=\"/accounts\"", page, StringComparison.Ordinal);
        using var added = await admin.PostAsync("/accounts", Form(CountyFixture.Token(page), "wang", "reviewer"));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM county_audit WHERE action = 'account.add' AND actor = '{CountyFixture.Admin}' AND target = 'wang'"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM county_accounts WHERE password_hash LIKE '%new-password-9%'"));

        using var fresh = site.Client();
        Assert.Equal(HttpStatusCode.Redirect, (await CountyFixture.LogInAsync(fresh, "wang", "new-password-9")).StatusCode);
    }

    private static FormUrlEncodedContent Form(string token, string name, string role) => new(new Dictionary<string, string>
    {
        ["__csrf"] = token,
        ["Name"] = name,
        ["Role"] = role,
        ["Password"] = "new-password-9",
    });

    private async Task<HttpClient> AdminAsync()
    {
        var client = site.Client();
        using var answer = await CountyFixture.LogInAsync(client, CountyFixture.Admin, CountyFixture.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        return client;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var data = NpgsqlDataSource.Create(site.Database);
        await using var command = data.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("<tr class=\"[a-z]*\"><td><a href=\"[^\"]+\">[^<]+</a></td>.*?</tr>")]
    private static partial Regex Row();

    [GeneratedRegex("^<tr class=\"[a-z]*\"><td><a href=\"[^\"]+\">([^<]+)</a></td>")]
    private static partial Regex Cell();

    [GeneratedRegex("id=\"next\" href=\"([^\"]+)\"")]
    private static partial Regex Next();
}
