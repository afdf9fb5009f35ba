using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace StationEdge.CountySite;

/// <summary>
/// The read-only JSON API for scripts and <c>/metrics</c> for Prometheus, each needing a county-issued token
/// (<c>Authorization: Bearer cst_…</c>, from <c>county-hub accounts token NAME</c>); no login cookie is accepted here.
/// </summary>
internal static partial class CountySitePages
{
    private static readonly JsonSerializerOptions ApiJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    private static void MapApi(WebApplication app)
    {
        app.MapGet("/api/visits", ApiVisitsAsync).AllowAnonymous();
        app.MapGet("/api/stations", ApiStationsAsync).AllowAnonymous();
        app.MapGet("/api/alarms", ApiAlarmsAsync).AllowAnonymous();
        app.MapGet("/metrics", MetricsAsync).AllowAnonymous();
    }

    /// <summary>The token's name, or null after answering 401 (missing, wrong or revoked token: the same answer).</summary>
    private static async Task<string?> ScriptAsync(HttpContext c, CountyTokens tokens)
    {
        var header = c.Request.Headers.Authorization.FirstOrDefault();
        var token = header is not null && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..].Trim() : null;
        if (await tokens.CheckAsync(token, c.RequestAborted) is { } name)
        {
            return name;
        }

        c.Response.StatusCode = StatusCodes.Status401Unauthorized;
        c.Response.Headers.WWWAuthenticate = "Bearer realm=\"county\"";
        await c.Response.WriteAsJsonAsync(new { error = token is null ? "a token is needed: Authorization: Bearer <token from county-hub accounts token NAME>" : "the token is wrong or revoked" }, c.RequestAborted);
        return null;
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture);

    private static async Task ApiVisitsAsync(HttpContext c, CountyTokens tokens, CountyData data, IOptions<CountySiteOptions> options)
    {
        if (await ScriptAsync(c, tokens) is null)
        {
            return;
        }

        var (filter, problem) = FilterOf(c);
        var limit = options.Value.PageSize;
        if (c.Request.Query["limit"].FirstOrDefault() is { Length: > 0 } text
            && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 1000))
        {
            problem = $"limit must be 1-1000 (was '{text}')";
        }

        if (filter is null || problem is not null)
        {
            c.Response.StatusCode = StatusCodes.Status400BadRequest;
            await c.Response.WriteAsJsonAsync(new { error = problem }, c.RequestAborted);
            return;
        }

        var (rows, next) = await data.VisitsAsync(filter, VisitCursor.Parse(c.Request.Query["after"].FirstOrDefault()), limit, c.RequestAborted);
        await c.Response.WriteAsJsonAsync(new
        {
            visits = rows.Select(v => new
            {
                time = Iso(v.TimeUtc),
                station = v.Station,
                seq = v.Seq,
                decision = v.Decision,
                reason = v.Reason,
                method = v.Method,
                worker_id = v.WorkerId,
                worker_name = v.WorkerName,
                score = v.Score,
                threshold = v.Threshold,
            }),
            next = next?.Text,
        }, ApiJson, c.RequestAborted);
    }

    private static async Task ApiStationsAsync(HttpContext c, CountyTokens tokens, CountyData data, TimeProvider time)
    {
        if (await ScriptAsync(c, tokens) is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var stations = await data.StationsAsync(c.RequestAborted);
        await c.Response.WriteAsJsonAsync(new
        {
            stations = stations.Select(s => new
            {
                id = s.Id,
                name = s.Name,
                address = s.Address,
                lat = s.Lat,
                lon = s.Lon,
                opening_hours = s.OpeningHours,
                up = IsUp(s, now),
                last_seen = s.LastSeen?.UtcDateTime is { } seen ? Iso(seen) : null,
                outbox_depth = s.OutboxDepth,
                oldest_unsent_s = s.OldestUnsentSeconds,
                software_version = s.SoftwareVersion,
                open_alarms = s.OpenAlarms ?? [],
            }),
        }, ApiJson, c.RequestAborted);
    }

    private static async Task ApiAlarmsAsync(HttpContext c, CountyTokens tokens, CountyData data, TimeProvider time)
    {
        if (await ScriptAsync(c, tokens) is null)
        {
            return;
        }

        var alarms = await data.AlarmsAsync(time.GetUtcNow(), Stale, c.RequestAborted);
        await c.Response.WriteAsJsonAsync(new
        {
            alarms = alarms.Select(a => new
            {
                station = a.Station,
                alarm = a.Alarm,
                acknowledged = a.AckedBy is not null,
                acked_by = a.AckedBy,
                acked_at = a.AckedAt?.UtcDateTime is { } at ? Iso(at) : null,
                note = a.Note,
            }),
        }, ApiJson, c.RequestAborted);
    }

    /// <summary>Prometheus text format 0.0.4: what the county's staff would page someone about.</summary>
    private static async Task MetricsAsync(HttpContext c, CountyTokens tokens, CountyData data, NpgsqlDataSource source, TimeProvider time)
    {
        if (await ScriptAsync(c, tokens) is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        var stations = await data.StationsAsync(c.RequestAborted);
        var alarms = await data.AlarmsAsync(now, Stale, c.RequestAborted);
        await using var connection = await source.OpenConnectionAsync(c.RequestAborted);
        await using var counts = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM visits), (SELECT count(*) FROM dead_letters),
                   (SELECT count(*) FROM visits WHERE received_at > now() - interval '5 minutes'),
                   (SELECT EXTRACT(EPOCH FROM max(received_at - time)) FROM visits WHERE received_at > now() - interval '5 minutes')
            """, connection);
        await using var r = await counts.ExecuteReaderAsync(c.RequestAborted);
        await r.ReadAsync(c.RequestAborted);
        var up = stations.Count(s => IsUp(s, now));
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        void Metric(string name, string type, string help, params (string Labels, double Value)[] values)
        {
            sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in values)
            {
                sb.Append(name).Append(labels).Append(' ').Append(F(value)).Append('\n');
            }
        }

        Metric("county_visits_stored", "gauge", "Visits in the county database.", ("", r.GetInt64(0)));
        Metric("county_stations", "gauge", "Stations by state (down: offline or not heard from for 15 minutes).", ("{state=\"online\"}", up), ("{state=\"down\"}", stations.Count - up));
        Metric("county_dead_letters", "gauge", "Messages the hub could not store.", ("", r.GetInt64(1)));
        Metric("county_visits_received_5m", "gauge", "Visits received in the last five minutes.", ("", r.GetInt64(2)));
        Metric("county_ingest_lag_seconds", "gauge", "Longest delay from a visit to its arrival, over the last five minutes.", ("", r.IsDBNull(3) ? 0 : Convert.ToDouble(r.GetValue(3), CultureInfo.InvariantCulture)));
        Metric("county_alarms_open", "gauge", "Open alarms, by whether a county admin acknowledged them.",
            ("{acknowledged=\"false\"}", alarms.Count(a => a.AckedBy is null)), ("{acknowledged=\"true\"}", alarms.Count(a => a.AckedBy is not null)));
        c.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await c.Response.WriteAsync(sb.ToString(), c.RequestAborted);
    }
}
