using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub;

/// <summary>How a batch of visits is written: one multi-row INSERT from unnest'ed arrays, or binary COPY into a staging table.</summary>
public enum VisitInsert
{
    Unnest,
    Copy,
}

/// <summary>What storing one batch did: rows new to the county, and what the station may now delete.</summary>
public sealed record StoreResult(int Inserted, long AckedSeq, IReadOnlyList<SeqRange> Committed);

/// <summary>A station in the county's registry.</summary>
public sealed record StationRow(string Id, string County, string Name)
{
    public string? Address { get; init; }

    public double? Lat { get; init; }

    public double? Lon { get; init; }

    public string? OpeningHours { get; init; }

    public string? MqttUser { get; init; }

    public string? MqttPasswordHash { get; init; }

    public DateTimeOffset? LastSeen { get; init; }

    public bool Online { get; init; }

    public long? OutboxDepth { get; init; }

    public double? OldestUnsentSeconds { get; init; }

    public string? SoftwareVersion { get; init; }

    public IReadOnlyList<string>? OpenAlarms { get; init; }
}

/// <summary>
/// The county's PostgreSQL: migrations, the stations registry, and storing batches idempotently. A batch is one
/// transaction: its rows are inserted with ON CONFLICT DO NOTHING (a resend or a broker redelivery adds nothing), then
/// the station's contiguous progress is counted over what is stored, under a row lock on the station's progress so two
/// hub processes storing the same station's batches at once count in turn.
/// </summary>
public sealed class HubDatabase : IAsyncDisposable
{
    /// <summary>A dead letter keeps this much of the payload: enough to see what it was, never a megabyte per row.</summary>
    public const int DeadLetterPayloadBytes = 64 * 1024;

    private const string OutboxKind = "outbox";

    private const string VisitColumns = """
        station_id, seq, id, visit_seq, time, decision, reason, method, worker_id, worker_name,
        score, margin, liveness, threshold, gallery_size, pass_id, by_whom
        """;

    private readonly NpgsqlDataSource _data;
    private readonly HashSet<DateOnly> _months = [];

    public HubDatabase(string connectionString, VisitInsert visitInsert = VisitInsert.Unnest)
    {
        _data = NpgsqlDataSource.Create(connectionString);
        Insert = visitInsert;
    }

    /// <summary>How a batch's visits go in (the bench compares the two; the service uses the default).</summary>
    public VisitInsert Insert { get; }

    /// <summary>The schema version this build migrates to.</summary>
    public static int LatestVersion => HubMigrations.Steps[^1].Version;

    /// <summary>Applies the steps not applied yet; returns the versions before and after.</summary>
    public async Task<(int From, int To)> MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using (var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", connection))
        {
            try
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // Another hub process created it at the same moment.
            }
        }

        var from = await CurrentVersionAsync(connection, ct);
        foreach (var (version, name, sql) in HubMigrations.Steps)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await Exec(connection, "SELECT pg_advisory_xact_lock(7214001)", ct);
            await using (var check = new NpgsqlCommand("SELECT count(*) FROM schema_version WHERE version = @v", connection))
            {
                check.Parameters.AddWithValue("v", version);
                if ((long)(await check.ExecuteScalarAsync(ct))! > 0)
                {
                    await tx.RollbackAsync(ct);
                    continue;
                }
            }

            await Exec(connection, sql, ct);
            await using (var insert = new NpgsqlCommand("INSERT INTO schema_version (version, name) VALUES (@v, @n)", connection))
            {
                insert.Parameters.AddWithValue("v", version);
                insert.Parameters.AddWithValue("n", name);
                await insert.ExecuteNonQueryAsync(ct);
            }

            await tx.CommitAsync(ct);
        }

        return (from, await CurrentVersionAsync(connection, ct));
    }

    public async Task<int> VersionAsync(CancellationToken ct = default)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_version') IS NOT NULL", connection);
        return (bool)(await exists.ExecuteScalarAsync(ct))! ? await CurrentVersionAsync(connection, ct) : 0;
    }

    public async Task<StoreResult> StoreVisitsAsync(VisitBatch batch, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var v = batch.Visits;
        await EnsureMonthsAsync(v.Select(x => x.Time), ct);
        return await StoreAsync(batch.StationId, batch.FloorSeq, v.Select(x => x.Seq), connection => Insert == VisitInsert.Copy
            ? CopyVisitsAsync(connection, batch, ct)
            : UnnestVisitsAsync(connection, batch, ct), ct);
    }

    private static async Task<int> UnnestVisitsAsync(NpgsqlConnection connection, VisitBatch batch, CancellationToken ct)
    {
        var v = batch.Visits;
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO visits ({VisitColumns})
            SELECT @station, * FROM unnest(@seq, @id, @visit_seq, @time, @decision, @reason, @method, @worker_id, @worker_name,
                                           @score, @margin, @liveness, @threshold, @gallery_size, @pass_id, @by_whom)
            ON CONFLICT DO NOTHING
            """, connection);
        var p = insert.Parameters;
        p.AddWithValue("station", batch.StationId);
        Array(p, "seq", NpgsqlDbType.Bigint, v.Select(x => x.Seq));
        Array(p, "id", NpgsqlDbType.Uuid, v.Select(x => x.Id));
        Array(p, "visit_seq", NpgsqlDbType.Bigint, v.Select(x => x.VisitSeq));
        Array(p, "time", NpgsqlDbType.TimestampTz, v.Select(x => x.Time.UtcDateTime));
        Array(p, "decision", NpgsqlDbType.Text, v.Select(x => x.Decision));
        Array(p, "reason", NpgsqlDbType.Text, v.Select(x => x.Reason));
        Array(p, "method", NpgsqlDbType.Text, v.Select(x => x.Method));
        Array(p, "worker_id", NpgsqlDbType.Text, v.Select(x => x.WorkerId));
        Array(p, "worker_name", NpgsqlDbType.Text, v.Select(x => x.WorkerName));
        Array(p, "score", NpgsqlDbType.Real, v.Select(x => x.Score));
        Array(p, "margin", NpgsqlDbType.Real, v.Select(x => x.Margin));
        Array(p, "liveness", NpgsqlDbType.Real, v.Select(x => x.Liveness));
        Array(p, "threshold", NpgsqlDbType.Real, v.Select(x => x.Threshold));
        Array(p, "gallery_size", NpgsqlDbType.Integer, v.Select(x => x.GallerySize));
        Array(p, "pass_id", NpgsqlDbType.Text, v.Select(x => x.PassId));
        Array(p, "by_whom", NpgsqlDbType.Text, v.Select(x => x.By));
        return await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Binary COPY into a staging table of this transaction, then one INSERT … SELECT … ON CONFLICT DO NOTHING: COPY
    /// cannot skip a row the county holds already, so the copy lands beside the table. The staging table is dropped at
    /// commit (the pool's reset on return would drop a session's temporary table anyway).
    /// </summary>
    private static async Task<int> CopyVisitsAsync(NpgsqlConnection connection, VisitBatch batch, CancellationToken ct)
    {
        await Exec(connection, $"CREATE TEMP TABLE visits_staging ON COMMIT DROP AS SELECT {VisitColumns} FROM visits WITH NO DATA", ct);
        await using (var import = await connection.BeginBinaryImportAsync($"COPY visits_staging ({VisitColumns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var x in batch.Visits)
            {
                await import.StartRowAsync(ct);
                await import.WriteAsync(batch.StationId, NpgsqlDbType.Text, ct);
                await import.WriteAsync(x.Seq, NpgsqlDbType.Bigint, ct);
                await import.WriteAsync(x.Id, NpgsqlDbType.Uuid, ct);
                await import.WriteAsync(x.VisitSeq, NpgsqlDbType.Bigint, ct);
                await import.WriteAsync(x.Time.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await import.WriteAsync(x.Decision, NpgsqlDbType.Text, ct);
                await import.WriteAsync(x.Reason, NpgsqlDbType.Text, ct);
                await import.WriteAsync(x.Method, NpgsqlDbType.Text, ct);
                await WriteTextAsync(import, x.WorkerId, ct);
                await WriteTextAsync(import, x.WorkerName, ct);
                await WriteOrNullAsync(import, x.Score, NpgsqlDbType.Real, ct);
                await WriteOrNullAsync(import, x.Margin, NpgsqlDbType.Real, ct);
                await WriteOrNullAsync(import, x.Liveness, NpgsqlDbType.Real, ct);
                await WriteOrNullAsync(import, x.Threshold, NpgsqlDbType.Real, ct);
                await WriteOrNullAsync(import, x.GallerySize, NpgsqlDbType.Integer, ct);
                await WriteTextAsync(import, x.PassId, ct);
                await WriteTextAsync(import, x.By, ct);
            }

            await import.CompleteAsync(ct);
        }

        await using var insert = new NpgsqlCommand($"INSERT INTO visits ({VisitColumns}) SELECT {VisitColumns} FROM visits_staging ON CONFLICT DO NOTHING", connection);
        return await insert.ExecuteNonQueryAsync(ct);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter import, string? value, CancellationToken ct) =>
        value is null ? import.WriteNullAsync(ct) : import.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static Task WriteOrNullAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type, CancellationToken ct) where T : struct =>
        value is { } v ? import.WriteAsync(v, type, ct) : import.WriteNullAsync(ct);

    public Task<StoreResult> StoreEventsAsync(EventBatch batch, CancellationToken ct = default) => StoreEventsAsync(batch, null, null, ct);

    /// <summary>The pool, for the roster's own statements.</summary>
    public NpgsqlDataSource DataSource => _data;

    /// <summary>
    /// Stores a batch of events. With <paramref name="county"/>, each worker notice new to the county (not a copy) is
    /// applied to the county's roster in the same transaction, so a notice changes the roster exactly once.
    /// </summary>
    public async Task<StoreResult> StoreEventsAsync(EventBatch batch, string? county, Action<string>? ignoredNotice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var e = batch.Events;
        return await StoreAsync(batch.StationId, batch.FloorSeq, e.Select(x => x.Seq), async connection =>
        {
            await using var insert = new NpgsqlCommand("""
                WITH stored AS (
                    INSERT INTO events (station_id, seq, id, time, type, details, worker_id, command_id, worker)
                    SELECT @station, * FROM unnest(@seq, @id, @time, @type, @details, @worker_id, @command_id, @worker)
                    ON CONFLICT DO NOTHING
                    RETURNING seq)
                SELECT seq FROM stored
                """, connection);
            var p = insert.Parameters;
            p.AddWithValue("station", batch.StationId);
            Array(p, "seq", NpgsqlDbType.Bigint, e.Select(x => x.Seq));
            Array(p, "id", NpgsqlDbType.Uuid, e.Select(x => x.Id));
            Array(p, "time", NpgsqlDbType.TimestampTz, e.Select(x => x.Time.UtcDateTime));
            Array(p, "type", NpgsqlDbType.Text, e.Select(x => x.Type));
            Array(p, "details", NpgsqlDbType.Text, e.Select(x => x.Details));
            Array(p, "worker_id", NpgsqlDbType.Text, e.Select(x => x.WorkerId ?? x.Worker?.Id));
            Array(p, "command_id", NpgsqlDbType.Text, e.Select(x => x.CommandId));
            Array(p, "worker", NpgsqlDbType.Jsonb, e.Select(x => x.Worker is null ? null : Encoding.UTF8.GetString(SyncJson.Write(x.Worker))));
            var inserted = new HashSet<long>();
            await using (var reader = await insert.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    inserted.Add(reader.GetInt64(0));
                }
            }

            if (county is not null)
            {
                foreach (var notice in e.Where(x => EventTypes.IsWorkerNotice(x.Type) && inserted.Contains(x.Seq)).OrderBy(x => x.Seq))
                {
                    var (_, ignored) = await CountyRoster.ApplyNoticeAsync(connection, county, batch.StationId, notice, ct);
                    if (ignored is not null)
                    {
                        ignoredNotice?.Invoke(ignored);
                    }
                }
            }

            return inserted.Count;
        }, ct);
    }

    /// <summary>Keeps a payload the hub could not store, with why and where it came from.</summary>
    public async Task DeadLetterAsync(string topic, string reason, ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO dead_letters (topic, reason, payload_bytes, payload) VALUES (@t, @r, @n, @p)", connection);
        insert.Parameters.AddWithValue("t", topic);
        insert.Parameters.AddWithValue("r", reason);
        insert.Parameters.AddWithValue("n", payload.Length);
        insert.Parameters.AddWithValue("p", payload[..Math.Min(payload.Length, DeadLetterPayloadBytes)].ToArray());
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The registry from a station's status. The broker's retained status is the station's latest, so each one
    /// received is applied; an offline will keeps the last figures the station sent.
    /// </summary>
    public async Task UpdateStatusAsync(StationStatus status, string county, string json, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(status);
        var online = status.State == StationStatus.Online;
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO stations (id, county, name, last_seen, online, outbox_depth, oldest_unsent_s, software_version, open_alarms, status_at, status)
            VALUES (@id, @county, @id, @seen, @online, @depth, @oldest, @version, @alarms, @at, @status)
            ON CONFLICT (id) DO UPDATE SET
                last_seen = GREATEST(stations.last_seen, excluded.last_seen),
                online = excluded.online,
                outbox_depth = COALESCE(excluded.outbox_depth, stations.outbox_depth),
                oldest_unsent_s = CASE WHEN excluded.online THEN excluded.oldest_unsent_s ELSE stations.oldest_unsent_s END,
                software_version = COALESCE(excluded.software_version, stations.software_version),
                open_alarms = COALESCE(excluded.open_alarms, stations.open_alarms),
                status_at = excluded.status_at,
                status = excluded.status
            """, connection);
        var p = upsert.Parameters;
        p.AddWithValue("id", status.StationId);
        p.AddWithValue("county", county);
        p.Add(new NpgsqlParameter("seen", NpgsqlDbType.TimestampTz) { Value = online ? status.At.UtcDateTime : DBNull.Value });
        p.AddWithValue("online", online);
        p.Add(new NpgsqlParameter("depth", NpgsqlDbType.Bigint) { Value = (object?)status.OutboxDepth ?? DBNull.Value });
        p.Add(new NpgsqlParameter("oldest", NpgsqlDbType.Double) { Value = (object?)status.OldestUnsentVisitSeconds ?? DBNull.Value });
        p.Add(new NpgsqlParameter("version", NpgsqlDbType.Text) { Value = (object?)status.SoftwareVersion ?? DBNull.Value });
        p.Add(new NpgsqlParameter("alarms", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = (object?)status.OpenAlarms?.ToArray() ?? DBNull.Value });
        p.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = status.At.UtcDateTime });
        p.Add(new NpgsqlParameter("status", NpgsqlDbType.Jsonb) { Value = json });
        await upsert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Registers a station; false when the id is registered already.</summary>
    public async Task<bool> AddStationAsync(StationRow station, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(station);
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO stations (id, county, name, address, lat, lon, opening_hours, mqtt_user, mqtt_password_hash)
            VALUES (@id, @county, @name, @address, @lat, @lon, @hours, @user, @hash)
            ON CONFLICT (id) DO NOTHING
            """, connection);
        var p = insert.Parameters;
        p.AddWithValue("id", station.Id);
        p.AddWithValue("county", station.County);
        p.AddWithValue("name", station.Name);
        p.Add(new NpgsqlParameter("address", NpgsqlDbType.Text) { Value = (object?)station.Address ?? DBNull.Value });
        p.Add(new NpgsqlParameter("lat", NpgsqlDbType.Double) { Value = (object?)station.Lat ?? DBNull.Value });
        p.Add(new NpgsqlParameter("lon", NpgsqlDbType.Double) { Value = (object?)station.Lon ?? DBNull.Value });
        p.Add(new NpgsqlParameter("hours", NpgsqlDbType.Text) { Value = (object?)station.OpeningHours ?? DBNull.Value });
        p.Add(new NpgsqlParameter("user", NpgsqlDbType.Text) { Value = (object?)station.MqttUser ?? DBNull.Value });
        p.Add(new NpgsqlParameter("hash", NpgsqlDbType.Text) { Value = (object?)station.MqttPasswordHash ?? DBNull.Value });
        return await insert.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// A station's broker login as the registry keeps it: a new password's hash, or null once it is revoked. False when
    /// no such station is registered in <paramref name="county"/>.
    /// </summary>
    public async Task<bool> SetStationCredentialsAsync(string id, string county, string user, string? passwordHash, CancellationToken ct = default)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var update = new NpgsqlCommand("UPDATE stations SET mqtt_user = @user, mqtt_password_hash = @hash WHERE id = @id AND county = @county", connection);
        update.Parameters.AddWithValue("id", id);
        update.Parameters.AddWithValue("county", county);
        update.Parameters.AddWithValue("user", user);
        update.Parameters.Add(new NpgsqlParameter("hash", NpgsqlDbType.Text) { Value = (object?)passwordHash ?? DBNull.Value });
        return await update.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<IReadOnlyList<StationRow>> ListStationsAsync(CancellationToken ct = default)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("""
            SELECT id, county, name, address, lat, lon, opening_hours, mqtt_user, last_seen, online, outbox_depth,
                   oldest_unsent_s, software_version, open_alarms
            FROM stations ORDER BY id
            """, connection);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var rows = new List<StationRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new StationRow(reader.GetString(0), reader.GetString(1), reader.GetString(2))
            {
                Address = Get<string>(reader, 3),
                Lat = reader.IsDBNull(4) ? null : reader.GetDouble(4),
                Lon = reader.IsDBNull(5) ? null : reader.GetDouble(5),
                OpeningHours = Get<string>(reader, 6),
                MqttUser = Get<string>(reader, 7),
                LastSeen = reader.IsDBNull(8) ? null : new DateTimeOffset(reader.GetDateTime(8), TimeSpan.Zero),
                Online = reader.GetBoolean(9),
                OutboxDepth = reader.IsDBNull(10) ? null : reader.GetInt64(10),
                OldestUnsentSeconds = reader.IsDBNull(11) ? null : reader.GetDouble(11),
                SoftwareVersion = Get<string>(reader, 12),
                OpenAlarms = Get<string[]>(reader, 13),
            });
        }

        return rows;
    }

    /// <summary>One scalar of a query, for tests, the demo and bench (counts read back from the county's database).</summary>
    public async Task<long> CountAsync(string sql, CancellationToken ct = default)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync() => _data.DisposeAsync();

    private async Task<StoreResult> StoreAsync(string station, long floorSeq, IEnumerable<long> seqs, Func<NpgsqlConnection, Task<int>> insert, CancellationToken ct)
    {
        await using var connection = await _data.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var ensure = new NpgsqlCommand(
            "INSERT INTO station_progress (station_id, kind, acked_seq) VALUES (@s, @k, 0) ON CONFLICT DO NOTHING", connection))
        {
            ensure.Parameters.AddWithValue("s", station);
            ensure.Parameters.AddWithValue("k", OutboxKind);
            await ensure.ExecuteNonQueryAsync(ct);
        }

        long progress;
        await using (var lockRow = new NpgsqlCommand(
            "SELECT acked_seq FROM station_progress WHERE station_id = @s AND kind = @k FOR UPDATE", connection))
        {
            lockRow.Parameters.AddWithValue("s", station);
            lockRow.Parameters.AddWithValue("k", OutboxKind);
            progress = (long)(await lockRow.ExecuteScalarAsync(ct))!;
        }

        var inserted = await insert(connection);

        // Everything below floor_seq was acknowledged already or never existed; count on from there over what is stored
        // (visits and events share the outbox's seq). A run's seq - row_number() stays at its start until the first gap.
        var start = Math.Max(progress, floorSeq - 1);
        long acked;
        await using (var run = new NpgsqlCommand("""
            SELECT COALESCE(max(seq), @start) FROM (
                SELECT seq, seq - row_number() OVER (ORDER BY seq) AS run FROM (
                    SELECT seq FROM visits WHERE station_id = @s AND seq > @start
                    UNION ALL
                    SELECT seq FROM events WHERE station_id = @s AND seq > @start) stored) numbered
            WHERE run = @start
            """, connection))
        {
            run.Parameters.AddWithValue("s", station);
            run.Parameters.AddWithValue("start", start);
            acked = (long)(await run.ExecuteScalarAsync(ct))!;
        }

        if (acked != progress)
        {
            await using var update = new NpgsqlCommand(
                "UPDATE station_progress SET acked_seq = @a, updated_at = now() WHERE station_id = @s AND kind = @k", connection);
            update.Parameters.AddWithValue("a", acked);
            update.Parameters.AddWithValue("s", station);
            update.Parameters.AddWithValue("k", OutboxKind);
            await update.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        return new StoreResult(inserted, acked, SeqRange.Runs(seqs.Where(s => s > acked)));
    }

    /// <summary>
    /// The monthly partitions a batch's visits fall in, created outside the batch's transaction (once per month per
    /// process). Months outside 2000–2099 go to the default partition rather than making partitions from a bad clock.
    /// </summary>
    private async Task EnsureMonthsAsync(IEnumerable<DateTimeOffset> times, CancellationToken ct)
    {
        var months = times.Select(t => t.UtcDateTime).Where(t => t.Year is >= 2000 and < 2100)
            .Select(t => new DateOnly(t.Year, t.Month, 1)).Distinct().ToList();
        List<DateOnly> missing;
        lock (_months)
        {
            missing = [.. months.Where(m => !_months.Contains(m))];
        }

        if (missing.Count == 0)
        {
            return;
        }

        await using var connection = await _data.OpenConnectionAsync(ct);
        foreach (var month in missing)
        {
            var next = month.AddMonths(1);
            var sql = string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS visits_{month:yyyy_MM} PARTITION OF visits FOR VALUES FROM ('{month:yyyy-MM-dd} 00:00:00+00') TO ('{next:yyyy-MM-dd} 00:00:00+00')");
            try
            {
                await using var tx = await connection.BeginTransactionAsync(ct);
                // Two hub processes making the same month at once: the lock makes the second see the first's table.
                await Exec(connection, "SELECT pg_advisory_xact_lock(7214002)", ct);
                await Exec(connection, sql, ct);
                await tx.CommitAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
            {
                // The default partition holds rows of this month already (stored before its partition existed): they
                // stay there, and so do later ones; queries by time read both.
            }

            lock (_months)
            {
                _months.Add(month);
            }
        }
    }

    private static void Array<T>(NpgsqlParameterCollection p, string name, NpgsqlDbType type, IEnumerable<T> values) =>
        p.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.ToArray() });

    private static T? Get<T>(NpgsqlDataReader reader, int ordinal) where T : class =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM schema_version", connection);
        return (int)(await select.ExecuteScalarAsync(ct))!;
    }

    private static async Task Exec(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
