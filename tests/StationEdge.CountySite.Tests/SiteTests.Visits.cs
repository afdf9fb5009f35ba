using System.Net;
using System.Text;

namespace StationEdge.CountySite.Tests;

/// <summary>The visits' reasons and methods in words, their filters, and one visit's page.</summary>
public sealed partial class SiteTests
{
    [Fact]
    public async Task Reasons_and_methods_are_words_in_chinese_and_in_english()
    {
        using var client = await AdminAsync();
        var zh = await client.GetStringAsync("/visits?station=S1");
        var rows = Row().Matches(zh).Select(m => m.Value).ToList();
        Assert.NotEmpty(rows);
        Assert.Contains(rows, r => r.Contains("<td>陌生人（未登记）</td>", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("<td>识别通过</td>", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("<td>刷脸</td>", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.Contains("<td>通行证</td>", StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.Contains("<td>unknown</td>", StringComparison.Ordinal) || r.Contains("<td>face</td>", StringComparison.Ordinal));

        var en = await client.GetStringAsync("/visits?station=S1&lang=en");
        Assert.Contains("<td>Stranger (not enrolled)</td>", en, StringComparison.Ordinal);
        Assert.Contains("<td>Face</td>", en, StringComparison.Ordinal);
        await client.GetStringAsync("/visits?lang=zh");
    }

    [Fact]
    public async Task Visits_filter_by_reason_and_method()
    {
        using var client = await AdminAsync();
        // S1's visits 1..60: each third refused as unknown, each fifth by pass; both: 15, 30, 45, 60.
        var html = await client.GetStringAsync("/visits?station=S1&reason=unknown&method=pass");
        var rows = Row().Matches(html).Select(m => m.Value).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Contains("<td>陌生人（未登记）</td><td>通行证</td>", r, StringComparison.Ordinal));
        Assert.Contains("<option value=\"unknown\" selected>", html, StringComparison.Ordinal);
        Assert.Contains("<option value=\"pass\" selected>", html, StringComparison.Ordinal);
        Assert.Contains("/visits.csv?station=S1&amp;reason=unknown&amp;method=pass", html, StringComparison.Ordinal);
        Assert.Equal(12, Row().Count(await client.GetStringAsync("/visits?station=S1&method=pass")));

        using var bad = await client.GetAsync("/visits?method=fingerprint");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("method must be", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badReason = await client.GetAsync("/visits?reason=" + Uri.EscapeDataString("x' OR 1=1"));
        Assert.Equal(HttpStatusCode.BadRequest, badReason.StatusCode);
    }

    [Fact]
    public async Task The_csv_speaks_the_pages_language()
    {
        using var client = await AdminAsync();
        var zh = Encoding.UTF8.GetString(await client.GetByteArrayAsync("/visits.csv?station=S1&reason=unknown&method=pass")).TrimStart('\uFEFF');
        var lines = zh.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("\"时间\",\"驿站\",\"序号\",\"骑手编号\",\"骑手姓名\",\"结果\",\"原因\",\"方式\",\"分数\",\"阈值\"", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.All(lines[1..], l => Assert.Contains("\"拒绝\",\"陌生人（未登记）\",\"通行证\"", l, StringComparison.Ordinal));

        var en = await client.GetStringAsync("/visits.csv?station=S1&method=face&lang=en");
        Assert.StartsWith("\"time\",\"station\",\"seq\"", en.TrimStart('\uFEFF'), StringComparison.Ordinal);
        Assert.Contains("\"Face\"", en, StringComparison.Ordinal);
        await client.GetStringAsync("/visits?lang=zh");
    }

    [Fact]
    public async Task A_visit_has_its_own_page_with_every_field()
    {
        using var client = await AdminAsync();
        var list = await client.GetStringAsync("/visits?station=S1");
        Assert.Contains("href=\"/visits/S1/60\"", list, StringComparison.Ordinal);

        var html = await client.GetStringAsync("/visits/S1/15");
        foreach (var field in new[] { "station_id", "seq", "id", "visit_seq", "time", "decision", "reason", "method", "worker_id", "worker_name", "score", "margin", "liveness", "threshold", "gallery_size", "pass_id", "by_whom", "received_at" })
        {
            Assert.Contains($"data-field=\"{field}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("<th>当时的阈值</th><td>0.420</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th>相似度分数</th><td>0.550</td>", html, StringComparison.Ordinal);
        Assert.Contains("<th>当时登记人数</th><td>12</td>", html, StringComparison.Ordinal);
        Assert.Contains("陌生人（未登记） (unknown)", html, StringComparison.Ordinal);
        Assert.Contains("骑手之家 东门 (S1)", html, StringComparison.Ordinal);

        using var missing = await client.GetAsync("/visits/S1/9999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var anonymous = await site.Client().GetAsync("/visits/S1/15");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
    }
}
