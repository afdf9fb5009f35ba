using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace StationEdge.CountySite;

/// <summary>One station's visits in one day or month (the county's clock).</summary>
public sealed record StatLine(DateOnly Bucket, string Station, long Visits, long Granted, long Refused, long Face, long Pass, long Other, long Riders);

/// <summary>Counts of visits per station per day or month, grouped by PostgreSQL (one pass over the range's index).</summary>
public sealed class CountyStats(NpgsqlDataSource data, TimeZoneInfo zone)
{
    public async Task<IReadOnlyList<StatLine>> CountAsync(DateOnly from, DateOnly to, bool monthly, string? station, CancellationToken ct)
    {
        var sql = new StringBuilder($"""
            SELECT date_trunc('{(monthly ? "month" : "day")}', time AT TIME ZONE @zone)::date AS bucket, station_id, count(*),
                   count(*) FILTER (WHERE decision = 'granted'), count(*) FILTER (WHERE decision = 'refused'),
                   count(*) FILTER (WHERE method = 'face'), count(*) FILTER (WHERE method = 'pass'),
                   count(*) FILTER (WHERE method NOT IN ('face', 'pass')), count(DISTINCT worker_id)
            FROM visits WHERE time >= @from AND time < @to
            """);
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand { Connection = connection };
        select.Parameters.AddWithValue("zone", zone.Id);
        select.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = StartOf(from) });
        select.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = StartOf(to.AddDays(1)) });
        if (!string.IsNullOrEmpty(station))
        {
            sql.Append(" AND station_id = @station");
            select.Parameters.AddWithValue("station", station);
        }

        sql.Append(" GROUP BY 1, 2 ORDER BY 1, 2");
        select.CommandText = sql.ToString();
        await using var r = await select.ExecuteReaderAsync(ct);
        var list = new List<StatLine>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new StatLine(DateOnly.FromDateTime(r.GetDateTime(0)), r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8)));
        }

        return list;
    }

    private DateTime StartOf(DateOnly day) => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);
}

/// <summary>
/// A bar chart as SVG, drawn here: one bar per day or month, granted below refused, axis ticks and a legend. No
/// script, no fonts or styles fetched: it opens the same in a browser, in Word, and when saved as a file.
/// </summary>
public static class BarChart
{
    public static string Svg(IReadOnlyList<(string Label, long Granted, long Refused)> bars, string title, string granted, string refused)
    {
        ArgumentNullException.ThrowIfNull(bars);
        const int Left = 56, Top = 36, Height = 240, Bottom = 56;
        var step = bars.Count == 0 ? 24 : Math.Clamp(720 / bars.Count, 8, 48);
        var width = Left + Math.Max(1, bars.Count) * step + 20;
        var max = Math.Max(1, bars.Count == 0 ? 1 : bars.Max(b => b.Granted + b.Refused));
        var tick = Nice(max / 4.0);
        var top = Math.Max(tick * 4, max);
        string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        double Y(double v) => Top + Height - (v / top * Height);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{Top + Height + Bottom}\" viewBox=\"0 0 {width} {Top + Height + Bottom}\" font-family=\"Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif\" font-size=\"12\" role=\"img\">")
          .Append("<title>").Append(Html.E(title)).Append("</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
          .Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{Html.E(title)}</text>")
          .Append(CultureInfo.InvariantCulture, $"<rect x=\"{width - 190}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#2e7d32\"/><text x=\"{width - 174}\" y=\"18\">{Html.E(granted)}</text>")
          .Append(CultureInfo.InvariantCulture, $"<rect x=\"{width - 100}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#c62828\"/><text x=\"{width - 84}\" y=\"18\">{Html.E(refused)}</text>");
        for (var v = 0L; v <= top; v += tick)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{width - 10}\" y1=\"{N(Y(v))}\" y2=\"{N(Y(v))}\" stroke=\"#ddd\"/><text x=\"{Left - 6}\" y=\"{N(Y(v) + 4)}\" text-anchor=\"end\">{v}</text>");
        }

        var labelEvery = Math.Max(1, (int)Math.Ceiling(bars.Count / 16.0));
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, g, r) = bars[i];
            var x = Left + (i * step) + 1;
            var w = Math.Max(2, step - 2);
            sb.Append(CultureInfo.InvariantCulture, $"<g class=\"bar\" data-label=\"{Html.E(label)}\" data-granted=\"{g}\" data-refused=\"{r}\"><title>{Html.E($"{label}: {granted} {g}, {refused} {r}")}</title>")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{N(Y(g))}\" width=\"{w}\" height=\"{N(Y(0) - Y(g))}\" fill=\"#2e7d32\"/>")
              .Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{N(Y(g + r))}\" width=\"{w}\" height=\"{N(Y(g) - Y(g + r))}\" fill=\"#c62828\"/></g>");
            if (i % labelEvery == 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (w / 2)}\" y=\"{Top + Height + 14}\" text-anchor=\"end\" transform=\"rotate(-45 {x + (w / 2)} {Top + Height + 14})\">{Html.E(label)}</text>");
            }
        }

        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{width - 10}\" y1=\"{Top + Height}\" y2=\"{Top + Height}\" stroke=\"#444\"/></svg>");
        return sb.ToString();
    }

    private static long Nice(double raw)
    {
        if (raw <= 1)
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var f = raw / magnitude;
        return (long)((f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude);
    }
}
