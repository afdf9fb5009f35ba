using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace StationEdge.CountySite;

/// <summary>The visits page's filters, as the query string carries them; dates are the county's own.</summary>
public sealed record VisitFilter(string? Station, DateOnly? From, DateOnly? To, string? Worker, string? Decision, string? Reason = null, string? Method = null)
{
    public static readonly IReadOnlyList<string> Decisions = ["granted", "refused"];
}

/// <summary>Where a page of visits starts: after this (time, station, seq), newest first.</summary>
public sealed record VisitCursor(DateTime TimeUtc, string Station, long Seq)
{
    public string Text => string.Create(CultureInfo.InvariantCulture, $"{TimeUtc.Ticks}~{Station}~{Seq}");

    public static VisitCursor? Parse(string? text)
    {
        var parts = text?.Split('~');
        return parts is { Length: 3 } && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks is > 0 and < 3155378975999999999 && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            && parts[1].Length is > 0 and <= 64
            ? new VisitCursor(new DateTime(ticks, DateTimeKind.Utc), parts[1], seq)
            : null;
    }
}

public sealed record VisitLine(DateTime TimeUtc, string Station, long Seq, string Decision, string Reason, string Method,
    string? WorkerId, string? WorkerName, float? Score, float? Threshold);

public sealed record StationLine(string Id, string Name, string? Address, double? Lat, double? Lon, string? OpeningHours, DateTimeOffset? LastSeen,
    bool Online, long? OutboxDepth, double? OldestUnsentSeconds, string? SoftwareVersion, IReadOnlyList<string>? OpenAlarms);

/// <summary>An alarm open now at a station, and who acknowledged it (null while nobody has).</summary>
public sealed record AlarmLine(string Station, string StationName, string Alarm, DateTimeOffset? Since, string? AckedBy, DateTimeOffset? AckedAt, string? Note);

/// <summary>The site's reads of the county database: visits by keyset, the stations, and the CSV stream.</summary>
public sealed class CountyData(NpgsqlDataSource data, TimeZoneInfo zone)
{
    private const string Columns = "time, station_id, seq, decision, reason, method, worker_id, worker_name, score, threshold";

    /// <summary>One page, newest first; the cursor of the next page when there is one.</summary>
    public async Task<(IReadOnlyList<VisitLine> Rows, VisitCursor? Next)> VisitsAsync(VisitFilter filter, VisitCursor? after, int pageSize, CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = Select(connection, filter, after, pageSize + 1);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var rows = new List<VisitLine>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read(reader));
        }

        if (rows.Count <= pageSize)
        {
            return (rows, null);
        }

        rows.RemoveAt(pageSize);
        var last = rows[^1];
        return (rows, new VisitCursor(last.TimeUtc, last.Station, last.Seq));
    }

    /// <summary>Every matching visit, row by row from the database's cursor: never the whole export in memory.</summary>
    public async IAsyncEnumerable<VisitLine> AllVisitsAsync(VisitFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = Select(connection, filter, null, null);
        await using var reader = await select.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        while (await reader.ReadAsync(ct))
        {
            yield return Read(reader);
        }
    }

    /// <summary>Every column of one visit, in the table's order (names as the database spells them); null when there is none.</summary>
    public async Task<IReadOnlyList<(string Column, object? Value)>?> VisitAsync(string station, long seq, CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("SELECT * FROM visits WHERE station_id = @s AND seq = @q ORDER BY time DESC LIMIT 1", connection);
        select.Parameters.AddWithValue("s", station);
        select.Parameters.AddWithValue("q", seq);
        await using var r = await select.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
        {
            return null;
        }

        return [.. Enumerable.Range(0, r.FieldCount).Select(i => (r.GetName(i), r.IsDBNull(i) ? null : r.GetValue(i)))];
    }

    public async Task<IReadOnlyList<StationLine>> StationsAsync(CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("""
            SELECT id, name, address, lat, lon, opening_hours, last_seen, online, outbox_depth, oldest_unsent_s, software_version, open_alarms
            FROM stations ORDER BY online, last_seen NULLS FIRST, id
            """, connection);
        await using var r = await select.ExecuteReaderAsync(ct);
        var list = new List<StationLine>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new StationLine(r.GetString(0), r.GetString(1), Text(r, 2), r.IsDBNull(3) ? null : r.GetDouble(3), r.IsDBNull(4) ? null : r.GetDouble(4),
                Text(r, 5), r.IsDBNull(6) ? null : new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero), r.GetBoolean(7),
                r.IsDBNull(8) ? null : r.GetInt64(8), r.IsDBNull(9) ? null : r.GetDouble(9), Text(r, 10), r.IsDBNull(11) ? null : r.GetFieldValue<string[]>(11)));
        }

        return list;
    }

    /// <summary>
    /// The open alarms: each station's reported <c>open_alarms</c>, and <c>offline</c> for a station that is down.
    /// Acknowledgements of alarms no longer open are dropped here, so a later alarm of the same kind is new again.
    /// </summary>
    public async Task<IReadOnlyList<AlarmLine>> AlarmsAsync(DateTimeOffset now, TimeSpan stale, CancellationToken ct)
    {
        var stations = await StationsAsync(ct);
        var open = new List<(StationLine Station, string Alarm)>();
        foreach (var s in stations)
        {
            var down = !(s.Online && s.LastSeen is { } seen && now - seen < stale);
            if (down)
            {
                open.Add((s, "offline"));
            }

            foreach (var a in s.OpenAlarms ?? [])
            {
                open.Add((s, a));
            }
        }

        await using var connection = await data.OpenConnectionAsync(ct);
        await using (var forget = new NpgsqlCommand(
            "DELETE FROM county_alarm_acks a WHERE NOT EXISTS (SELECT 1 FROM unnest(@s::text[], @a::text[]) o(s, a) WHERE o.s = a.station_id AND o.a = a.alarm)", connection))
        {
            forget.Parameters.AddWithValue("s", open.Select(o => o.Station.Id).ToArray());
            forget.Parameters.AddWithValue("a", open.Select(o => o.Alarm).ToArray());
            await forget.ExecuteNonQueryAsync(ct);
        }

        var acks = new Dictionary<(string, string), (string By, DateTimeOffset At, string? Note)>();
        await using (var select = new NpgsqlCommand("SELECT station_id, alarm, acked_by, acked_at, note FROM county_alarm_acks", connection))
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                acks[(r.GetString(0), r.GetString(1))] = (r.GetString(2), new DateTimeOffset(r.GetDateTime(3), TimeSpan.Zero), Text(r, 4));
            }
        }

        return [.. open.Select(o =>
        {
            var known = acks.TryGetValue((o.Station.Id, o.Alarm), out var ack);
            return new AlarmLine(o.Station.Id, o.Station.Name, o.Alarm, o.Alarm == "offline" ? o.Station.LastSeen : null,
                known ? ack.By : null, known ? ack.At : null, known ? ack.Note : null);
        }).OrderBy(a => a.AckedBy is not null).ThenBy(a => a.Station, StringComparer.Ordinal).ThenBy(a => a.Alarm, StringComparer.Ordinal)];
    }

    /// <summary>Records that <paramref name="by"/> has seen an open alarm (audited); false when that alarm is not open.</summary>
    public async Task<bool> AcknowledgeAsync(string station, string alarm, string by, string? note, string? address, DateTimeOffset now, TimeSpan stale, CancellationToken ct)
    {
        if (!(await AlarmsAsync(now, stale, ct)).Any(a => a.Station == station && a.Alarm == alarm))
        {
            return false;
        }

        await using var connection = await data.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO county_alarm_acks (station_id, alarm, acked_by, acked_at, note) VALUES (@s, @a, @b, @t, @n)
            ON CONFLICT (station_id, alarm) DO UPDATE SET acked_by = excluded.acked_by, acked_at = excluded.acked_at, note = excluded.note
            """, connection, tx))
        {
            upsert.Parameters.AddWithValue("s", station);
            upsert.Parameters.AddWithValue("a", alarm);
            upsert.Parameters.AddWithValue("b", by);
            upsert.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.TimestampTz) { Value = now.UtcDateTime });
            upsert.Parameters.AddWithValue("n", (object?)note ?? DBNull.Value);
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await CountyAudit.WriteAsync(connection, by, "alarm.ack", station + "/" + alarm, note, address, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private NpgsqlCommand Select(NpgsqlConnection connection, VisitFilter f, VisitCursor? after, int? limit)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM visits WHERE true");
        var command = new NpgsqlCommand { Connection = connection };
        var p = command.Parameters;
        if (!string.IsNullOrEmpty(f.Station))
        {
            sql.Append(" AND station_id = @station");
            p.AddWithValue("station", f.Station);
        }

        if (!string.IsNullOrEmpty(f.Worker))
        {
            sql.Append(" AND (worker_id = @worker OR worker_name = @worker)");
            p.AddWithValue("worker", f.Worker);
        }

        if (!string.IsNullOrEmpty(f.Decision))
        {
            sql.Append(" AND decision = @decision");
            p.AddWithValue("decision", f.Decision);
        }

        if (!string.IsNullOrEmpty(f.Reason))
        {
            sql.Append(" AND reason = @reason");
            p.AddWithValue("reason", f.Reason);
        }

        if (!string.IsNullOrEmpty(f.Method))
        {
            sql.Append(" AND method = @method");
            p.AddWithValue("method", f.Method);
        }

        if (f.From is { } from)
        {
            sql.Append(" AND time >= @from");
            p.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = StartOf(from) });
        }

        if (f.To is { } to)
        {
            // The whole of the last day, in the county's clock.
            sql.Append(" AND time < @to");
            p.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = StartOf(to.AddDays(1)) });
        }

        if (after is not null)
        {
            sql.Append(" AND (time, station_id, seq) < (@at, @as, @aq)");
            p.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = after.TimeUtc });
            p.AddWithValue("as", after.Station);
            p.AddWithValue("aq", after.Seq);
        }

        sql.Append(" ORDER BY time DESC, station_id DESC, seq DESC");
        if (limit is { } n)
        {
            sql.Append(CultureInfo.InvariantCulture, $" LIMIT {n}");
        }

        command.CommandText = sql.ToString();
        return command;
    }

    private DateTime StartOf(DateOnly day) => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), zone);

    private static VisitLine Read(NpgsqlDataReader r) => new(
        DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5),
        Text(r, 6), Text(r, 7), r.IsDBNull(8) ? null : r.GetFloat(8), r.IsDBNull(9) ? null : r.GetFloat(9));

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}

/// <summary>CSV cells as Excel reads them: quoted, and a cell that starts like a formula made plain text.</summary>
public static class Csv
{
    public static string Cell(string? value)
    {
        value ??= "";
        // = + - @ (and tab or CR, which Excel also skips) would make the cell a formula: a leading ' keeps it text.
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}

/// <summary>Opening hours as <c>HH:mm-HH:mm</c>, several separated by ',' (a span past midnight runs into the next day).</summary>
public static class OpeningHours
{
    /// <summary>True or false when the hours can be read; null when they are missing or in another form.</summary>
    public static bool? OpenAt(string? hours, TimeOnly now)
    {
        if (string.IsNullOrWhiteSpace(hours))
        {
            return null;
        }

        if (hours.Trim() is "24h" or "24小时" or "00:00-24:00")
        {
            return true;
        }

        var open = false;
        foreach (var span in hours.Split([',', '，', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ends = span.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length != 2 || !TryTime(ends[0], out var from) || !TryTime(ends[1], out var to))
            {
                return null;
            }

            open |= from <= to ? now >= from && now < to : now >= from || now < to;
        }

        return open;
    }

    private static bool TryTime(string text, out TimeOnly time)
    {
        if (text == "24:00")
        {
            time = TimeOnly.MaxValue;
            return true;
        }

        return TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }
}
