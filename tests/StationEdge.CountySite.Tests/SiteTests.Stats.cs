using System.Net;
using System.Text;
using System.Xml.Linq;

namespace StationEdge.CountySite.Tests;

/// <summary>Statistics per station per day and month (table, server-drawn SVG, CSV) and the monthly report.</summary>
public sealed partial class SiteTests
{
    [Fact]
    public async Task Statistics_count_visits_per_station_per_day_in_the_countys_clock()
    {
        using var client = await AdminAsync();
        var html = await client.GetStringAsync("/stats?from=2026-03-01&to=2026-03-10&by=day");
        // S1's 60 visits all fall on 10 March in Shanghai: each third refused, each fifth by pass, seven riders.
        Assert.Contains("<tr data-bucket=\"2026-03-10\" data-station=\"S1\"><td>2026-03-10</td><td>骑手之家 东门</td><td>60</td><td>40</td><td>20</td><td>48</td><td>12</td><td>0</td><td>7</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("data-bucket=\"2026-03-01\" data-station=\"S2\"><td>2026-03-01</td><td>工会驿站 西站</td><td>1</td>", html, StringComparison.Ordinal);
        Assert.Contains("data-bucket=\"2026-03-02\" data-station=\"S2\"><td>2026-03-02</td><td>工会驿站 西站</td><td>1</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<th colspan=\"2\">合计</th><th>{site.SeededVisits}</th>", html, StringComparison.Ordinal);

        var svg = html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)];
        var bars = XDocument.Parse(svg).Descendants("{http://www.w3.org/2000/svg}g").ToDictionary(g => (string)g.Attribute("data-label")!);
        Assert.Equal(10, bars.Count); // every day of the range, those without visits too
        Assert.Equal("80", (string?)bars["2026-03-10"].Attribute("data-granted"));
        Assert.Equal("40", (string?)bars["2026-03-10"].Attribute("data-refused"));
        Assert.Equal("0", (string?)bars["2026-03-05"].Attribute("data-granted"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        using var file = await client.GetAsync("/stats.svg?from=2026-03-01&to=2026-03-10&by=day");
        Assert.Equal("image/svg+xml", file.Content.Headers.ContentType!.MediaType);
        Assert.Equal(10, XDocument.Parse(await file.Content.ReadAsStringAsync()).Descendants("{http://www.w3.org/2000/svg}g").Count());

        var month = await client.GetStringAsync("/stats?from=2026-03-01&to=2026-03-31&by=month&station=S2");
        Assert.Contains("<tr data-bucket=\"2026-03\" data-station=\"S2\"><td>2026-03</td><td>工会驿站 西站</td><td>62</td>", month, StringComparison.Ordinal);
        Assert.DoesNotContain("data-station=\"S1\"><td>2026-03", month, StringComparison.Ordinal);

        var csv = Encoding.UTF8.GetString(await client.GetByteArrayAsync("/stats.csv?from=2026-03-01&to=2026-03-31&by=month"));
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("\uFEFF", csv, StringComparison.Ordinal);
        Assert.Equal("\"月份\",\"驿站\",\"到访\",\"通过\",\"拒绝\",\"刷脸\",\"通行证\",\"其他方式\",\"骑手人数\"", lines[0]);
        Assert.Equal("\"2026-03\",\"S1\",\"60\",\"40\",\"20\",\"48\",\"12\",\"0\",\"7\"", lines[1]);
        Assert.Equal(3, lines.Length);

        using var bad = await client.GetAsync("/stats?by=week");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("by must be day or month", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var backwards = await client.GetAsync("/stats?from=2026-03-10&to=2026-03-01");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await site.Client().GetAsync("/stats.csv")).StatusCode);
    }

    [Fact]
    public async Task The_monthly_report_sums_the_month_and_prints_on_a4()
    {
        using var client = await AdminAsync();
        var html = await client.GetStringAsync("/report?month=2026-03");
        Assert.Contains("2026 年 3 月 驿站使用情况", html, StringComparison.Ordinal);
        Assert.Contains($"本月共到访 {site.SeededVisits} 人次，其中未通过 40 人次；有到访的驿站 2 个。", html, StringComparison.Ordinal);
        Assert.Equal(31, XDocument.Parse(html[html.IndexOf("<svg", StringComparison.Ordinal)..(html.IndexOf("</svg>", StringComparison.Ordinal) + 6)])
            .Descendants("{http://www.w3.org/2000/svg}g").Count());
        var css = await client.GetStringAsync("/assets/site.css");
        Assert.Contains("@page{size:A4", css, StringComparison.Ordinal);
        Assert.Contains("@media print{header,.noprint", css, StringComparison.Ordinal);
        using var bad = await client.GetAsync("/report?month=2026-13");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
