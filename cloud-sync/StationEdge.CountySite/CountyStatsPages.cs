using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using static StationEdge.CountySite.Html;

namespace StationEdge.CountySite;

/// <summary>统计 statistics (a table, a server-drawn SVG bar chart, CSV) and the monthly report for printing on A4.</summary>
internal static partial class CountySitePages
{
    /// <summary>The longest range the statistics count at once (ten years).</summary>
    private const int MaxDays = 3660;

    private sealed record StatsQuery(DateOnly From, DateOnly To, bool Monthly, string? Station)
    {
        public string Text => string.Join('&', new[]
        {
            "from=" + From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "to=" + To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "by=" + (Monthly ? "month" : "day"),
            Station is null ? null : "station=" + Uri.EscapeDataString(Station),
        }.Where(p => p is not null));

        /// <summary>Every day or month of the range, so a day without visits is a bar of zero, not a gap.</summary>
        public IEnumerable<DateOnly> Buckets()
        {
            for (var b = Monthly ? new DateOnly(From.Year, From.Month, 1) : From; b <= To; b = Monthly ? b.AddMonths(1) : b.AddDays(1))
            {
                yield return b;
            }
        }

        public string Label(DateOnly b) => b.ToString(Monthly ? "yyyy-MM" : "yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static void MapStats(WebApplication app)
    {
        app.MapGet("/stats", StatsAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/stats.svg", StatsSvgAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/stats.csv", StatsCsvAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/report", ReportAsync).RequireAuthorization(StaffPolicy);
    }

    private static DateOnly Today(CountySiteOptions o, TimeProvider time) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), o.Zone()).DateTime);

    /// <summary>The range from the query: the last 30 days (or 12 months) by default; a malformed one is a 400 naming it.</summary>
    private static (StatsQuery? Query, string? Problem) StatsQueryOf(HttpContext c, CountySiteOptions o, TimeProvider time)
    {
        var q = c.Request.Query;
        var by = q["by"].FirstOrDefault() is { Length: > 0 } b ? b : "day";
        if (by is not ("day" or "month"))
        {
            return (null, $"by must be day or month (was '{by}')");
        }

        var monthly = by == "month";
        var today = Today(o, time);
        DateOnly? Date(string key, out string? problem)
        {
            problem = null;
            if (q[key].FirstOrDefault() is not { Length: > 0 } t)
            {
                return null;
            }

            if (DateOnly.TryParseExact(t.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return d;
            }

            problem = $"{key} must be a date as yyyy-MM-dd (was '{t}')";
            return null;
        }

        var to = Date("to", out var p1) ?? today;
        var from = Date("from", out var p2) ?? (monthly ? new DateOnly(to.Year, to.Month, 1).AddMonths(-11) : to.AddDays(-29));
        if ((p1 ?? p2) is { } problem)
        {
            return (null, problem);
        }

        if (from > to)
        {
            return (null, "from must not be after to");
        }

        if (to.DayNumber - from.DayNumber >= MaxDays)
        {
            return (null, $"the range must be at most {MaxDays} days");
        }

        return (new StatsQuery(from, to, monthly, q["station"].FirstOrDefault() is { Length: > 0 } s ? s : null), null);
    }

    private static List<(string Label, long Granted, long Refused)> Bars(StatsQuery q, IReadOnlyList<StatLine> lines)
    {
        var byBucket = lines.GroupBy(l => l.Bucket).ToDictionary(g => g.Key, g => (g.Sum(x => x.Granted), g.Sum(x => x.Refused)));
        return [.. q.Buckets().Select(b => byBucket.TryGetValue(b, out var v) ? (q.Label(b), v.Item1, v.Item2) : (q.Label(b), 0L, 0L))];
    }

    private static string Chart(Lang l, StatsQuery q, IReadOnlyList<StatLine> lines) =>
        BarChart.Svg(Bars(q, lines), l.T(q.Monthly ? "每月到访" : "每日到访", q.Monthly ? "Visits per month" : "Visits per day"), l.T("通过", "granted"), l.T("拒绝", "refused"));

    private static async Task<IResult> StatsAsync(HttpContext c, CountyStats stats, CountyData data, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var l = Lang.Of(c);
        var title = l.T("统计", "Statistics");
        var (q, problem) = StatsQueryOf(c, options.Value, time);
        if (q is null)
        {
            return Send(c, StatusCodes.Status400BadRequest, title, $"<p class=\"error\">{E(problem)}</p>");
        }

        var lines = await stats.CountAsync(q.From, q.To, q.Monthly, q.Station, c.RequestAborted);
        var stations = await data.StationsAsync(c.RequestAborted);
        var names = stations.ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        var sb = new StringBuilder("<form method=\"get\" action=\"/stats\" class=\"filters\">");
        sb.Append($"<label>{E(l.T("驿站", "Station"))}<select name=\"station\"><option value=\"\">{E(l.T("全部", "All"))}</option>");
        foreach (var s in stations)
        {
            sb.Append($"<option value=\"{E(s.Id)}\"{(s.Id == q.Station ? " selected" : "")}>{E(s.Name)}</option>");
        }

        sb.Append("</select></label>")
          .Append($"<label>{E(l.T("从", "From"))}<input type=\"date\" name=\"from\" value=\"{q.From:yyyy-MM-dd}\"></label>")
          .Append($"<label>{E(l.T("到", "To"))}<input type=\"date\" name=\"to\" value=\"{q.To:yyyy-MM-dd}\"></label>")
          .Append($"<label>{E(l.T("按", "By"))}<select name=\"by\"><option value=\"day\"{(q.Monthly ? "" : " selected")}>{E(l.T("天", "day"))}</option>")
          .Append($"<option value=\"month\"{(q.Monthly ? " selected" : "")}>{E(l.T("月", "month"))}</option></select></label>")
          .Append($"<button class=\"primary\" type=\"submit\">{E(l.T("统计", "Count"))}</button></form>");
        sb.Append("<figure id=\"chart\">").Append(Chart(l, q, lines)).Append("<figcaption>")
          .Append($"<a id=\"svg\" href=\"/stats.svg?{E(q.Text)}\" download>{E(l.T("下载图表 (SVG)", "Download chart (SVG)"))}</a> · ")
          .Append($"<a id=\"stats-csv\" href=\"/stats.csv?{E(q.Text)}\">{E(l.T("下载数字 (CSV)", "Download numbers (CSV)"))}</a> · ")
          .Append($"<a href=\"/report?month={q.To:yyyy-MM}\">{E(l.T("月报（打印）", "Monthly report (print)"))}</a></figcaption></figure>");
        sb.Append(StatsTable(l, q, lines, names));
        return Send(c, StatusCodes.Status200OK, title, sb.ToString());
    }

    private static string StatsTable(Lang l, StatsQuery q, IReadOnlyList<StatLine> lines, Dictionary<string, string> names)
    {
        var sb = new StringBuilder("<table id=\"stats\"><thead><tr>");
        sb.Append($"<th>{E(l.T(q.Monthly ? "月份" : "日期", q.Monthly ? "Month" : "Day"))}</th><th>{E(l.T("驿站", "Station"))}</th>")
          .Append($"<th>{E(l.T("到访", "Visits"))}</th><th>{E(l.T("通过", "Granted"))}</th><th>{E(l.T("拒绝", "Refused"))}</th>")
          .Append($"<th>{E(l.T("刷脸", "Face"))}</th><th>{E(l.T("通行证", "Pass"))}</th><th>{E(l.T("其他方式", "Other"))}</th><th>{E(l.T("骑手人数", "Riders"))}</th></tr></thead><tbody>");
        foreach (var s in lines)
        {
            sb.Append($"<tr data-bucket=\"{q.Label(s.Bucket)}\" data-station=\"{E(s.Station)}\"><td>{q.Label(s.Bucket)}</td><td>{E(names.GetValueOrDefault(s.Station, s.Station))}</td>")
              .Append(CultureInfo.InvariantCulture, $"<td>{s.Visits}</td><td>{s.Granted}</td><td>{s.Refused}</td><td>{s.Face}</td><td>{s.Pass}</td><td>{s.Other}</td><td>{s.Riders}</td></tr>");
        }

        sb.Append(CultureInfo.InvariantCulture, $"</tbody><tfoot><tr><th colspan=\"2\">{E(l.T("合计", "Total"))}</th><th>{lines.Sum(x => x.Visits)}</th><th>{lines.Sum(x => x.Granted)}</th>")
          .Append(CultureInfo.InvariantCulture, $"<th>{lines.Sum(x => x.Refused)}</th><th>{lines.Sum(x => x.Face)}</th><th>{lines.Sum(x => x.Pass)}</th><th>{lines.Sum(x => x.Other)}</th><th></th></tr></tfoot></table>");
        if (lines.Count == 0)
        {
            sb.Append($"<p id=\"none\">{E(l.T("这段时间没有到访。", "No visits in this range."))}</p>");
        }

        return sb.ToString();
    }

    private static async Task<IResult> StatsSvgAsync(HttpContext c, CountyStats stats, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var (q, problem) = StatsQueryOf(c, options.Value, time);
        if (q is null)
        {
            return Results.Text(problem, statusCode: StatusCodes.Status400BadRequest);
        }

        var lines = await stats.CountAsync(q.From, q.To, q.Monthly, q.Station, c.RequestAborted);
        c.Response.Headers.ContentDisposition = $"inline; filename=\"visits-{q.From:yyyyMMdd}-{q.To:yyyyMMdd}.svg\"";
        return Results.Text(Chart(Lang.Of(c), q, lines), "image/svg+xml; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<IResult> StatsCsvAsync(HttpContext c, CountyStats stats, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var (q, problem) = StatsQueryOf(c, options.Value, time);
        if (q is null)
        {
            return Results.Text(problem, statusCode: StatusCodes.Status400BadRequest);
        }

        var l = Lang.Of(c);
        var lines = await stats.CountAsync(q.From, q.To, q.Monthly, q.Station, c.RequestAborted);
        var header = l.English
            ? new[] { q.Monthly ? "month" : "day", "station", "visits", "granted", "refused", "face", "pass", "other", "riders" }
            : [q.Monthly ? "月份" : "日期", "驿站", "到访", "通过", "拒绝", "刷脸", "通行证", "其他方式", "骑手人数"];
        var sb = new StringBuilder("\uFEFF").Append(string.Join(',', header.Select(Csv.Cell))).Append("\r\n");
        foreach (var s in lines)
        {
            sb.Append(string.Join(',', new[] { q.Label(s.Bucket), s.Station }.Concat(new[] { s.Visits, s.Granted, s.Refused, s.Face, s.Pass, s.Other, s.Riders }
                .Select(n => n.ToString(CultureInfo.InvariantCulture))).Select(Csv.Cell))).Append("\r\n");
        }

        c.Response.Headers.ContentDisposition = $"attachment; filename=\"visits-{q.From:yyyyMMdd}-{q.To:yyyyMMdd}-{(q.Monthly ? "month" : "day")}.csv\"";
        return Results.Text(sb.ToString(), "text/csv; charset=utf-8", new UTF8Encoding(false));
    }

    /// <summary>One month on one A4 page: per station the visits, refusals, methods and riders, and the month's days as a chart.</summary>
    private static async Task<IResult> ReportAsync(HttpContext c, CountyStats stats, CountyData data, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var l = Lang.Of(c);
        var text = c.Request.Query["month"].FirstOrDefault();
        DateOnly first;
        if (string.IsNullOrEmpty(text))
        {
            var today = Today(options.Value, time);
            first = new DateOnly(today.Year, today.Month, 1);
        }
        else if (DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m))
        {
            first = m;
        }
        else
        {
            return Send(c, StatusCodes.Status400BadRequest, l.T("月报", "Monthly report"), $"<p class=\"error\">{E($"month must be yyyy-MM (was '{text}')")}</p>");
        }

        var last = first.AddMonths(1).AddDays(-1);
        var days = new StatsQuery(first, last, false, null);
        var lines = await stats.CountAsync(first, last, false, null, c.RequestAborted);
        var perStation = await stats.CountAsync(first, last, true, null, c.RequestAborted);
        var names = (await data.StationsAsync(c.RequestAborted)).ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        var title = l.T($"{first.Year} 年 {first.Month} 月 驿站使用情况", $"Station use, {first:yyyy-MM}");
        var sb = new StringBuilder("<section id=\"report\" class=\"report\">");
        sb.Append($"<p>{E(l.T($"统计期间：{first:yyyy-MM-dd} 至 {last:yyyy-MM-dd}（{options.Value.TimeZone} 时间）", $"Period: {first:yyyy-MM-dd} to {last:yyyy-MM-dd} ({options.Value.TimeZone})"))}</p>");
        var total = perStation.Sum(s => s.Visits);
        var refused = perStation.Sum(s => s.Refused);
        sb.Append(CultureInfo.InvariantCulture, $"<p class=\"summary\">{E(l.T($"本月共到访 {total} 人次，其中未通过 {refused} 人次；有到访的驿站 {perStation.Count} 个。", $"{total} visits this month, {refused} refused; {perStation.Count} stations with visits."))}</p>");
        sb.Append(Chart(l, days, lines));
        sb.Append(StatsTable(l, new StatsQuery(first, last, true, null), perStation, names));
        sb.Append($"<p class=\"noprint\"><a href=\"/report?month={first.AddMonths(-1):yyyy-MM}\">{E(l.T("上个月", "Previous month"))}</a> · <a href=\"/report?month={first.AddMonths(1):yyyy-MM}\">{E(l.T("下个月", "Next month"))}</a> · {E(l.T("用浏览器的打印（A4）即可上报。", "Print with the browser (A4) to report upward."))}</p>");
        sb.Append($"<p class=\"printed\">{E(l.T("制表：", "Prepared by: "))}{E(User(c))} · {TimeZoneInfo.ConvertTime(time.GetUtcNow(), options.Value.Zone()):yyyy-MM-dd HH:mm}</p></section>");
        return Send(c, StatusCodes.Status200OK, title, sb.ToString());
    }
}
