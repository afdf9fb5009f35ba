using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;

namespace StationEdge.CountySite.Tests;

/// <summary>The token-guarded JSON API and /metrics.</summary>
public sealed partial class SiteTests
{
    private async Task<HttpClient> ScriptAsync(string name)
    {
        await using var data = NpgsqlDataSource.Create(site.Database);
        var token = await new CountyTokens(data).IssueAsync(name, "test", default);
        var client = site.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Theory]
    [InlineData("/api/visits")]
    [InlineData("/api/stations")]
    [InlineData("/api/alarms")]
    [InlineData("/metrics")]
    public async Task The_api_refuses_a_missing_wrong_or_revoked_token_and_a_login_cookie(string path)
    {
        using (var none = site.Client())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(path)).StatusCode);
            none.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "cst_" + new string('A', 43));
            Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync(path)).StatusCode);
        }

        using var admin = await AdminAsync();
        using var cookie = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.StatusCode);

        var name = "revoked" + path.Replace('/', '-');
        using var script = await ScriptAsync(name);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync(path)).StatusCode);
        await using var data = NpgsqlDataSource.Create(site.Database);
        Assert.True(await new CountyTokens(data).RevokeAsync(name, "test", default));
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Api_visits_page_by_cursor_over_every_visit_with_the_filters()
    {
        using var script = await ScriptAsync("pager");
        var seen = new List<(string Station, long Seq)>();
        string? next = null;
        var pages = 0;
        do
        {
            using var page = JsonDocument.Parse(await script.GetStringAsync("/api/visits?limit=50" + (next is null ? "" : "&after=" + Uri.EscapeDataString(next))));
            seen.AddRange(page.RootElement.GetProperty("visits").EnumerateArray().Select(v => (v.GetProperty("station").GetString()!, v.GetProperty("seq").GetInt64())));
            next = page.RootElement.GetProperty("next").GetString();
            Assert.True(++pages < 10);
        }
        while (next is not null);
        Assert.Equal(site.SeededVisits, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        using var filtered = JsonDocument.Parse(await script.GetStringAsync("/api/visits?station=S1&reason=unknown&method=pass"));
        var rows = filtered.RootElement.GetProperty("visits").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, v => Assert.Equal("pass", v.GetProperty("method").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await script.GetAsync("/api/visits?limit=5000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await script.GetAsync("/api/visits?decision=maybe")).StatusCode);
    }

    [Fact]
    public async Task Api_stations_alarms_and_metrics_tell_the_state()
    {
        using var script = await ScriptAsync("grafana");
        using var stations = JsonDocument.Parse(await script.GetStringAsync("/api/stations"));
        var byId = stations.RootElement.GetProperty("stations").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.True(byId["S1"].GetProperty("up").GetBoolean());
        Assert.Equal(3, byId["S1"].GetProperty("outbox_depth").GetInt64());
        Assert.False(byId["S2"].GetProperty("up").GetBoolean());

        using var alarms = JsonDocument.Parse(await script.GetStringAsync("/api/alarms"));
        var list = alarms.RootElement.GetProperty("alarms").EnumerateArray().Select(a => a.GetProperty("station").GetString() + "/" + a.GetProperty("alarm").GetString()).ToList();
        Assert.Contains("S1/door_forced", list);
        Assert.Contains("S2/offline", list);

        using var metrics = await script.GetAsync("/metrics");
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType!.MediaType);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains($"\ncounty_visits_stored {site.SeededVisits}\n", "\n" + text, StringComparison.Ordinal);
        Assert.Contains("county_stations{state=\"online\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("county_stations{state=\"down\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("county_dead_letters 0\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE county_visits_stored gauge", text, StringComparison.Ordinal);
    }
}
