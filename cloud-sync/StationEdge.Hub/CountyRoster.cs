using System.Text;
using Npgsql;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub;

/// <summary>A worker as the county holds them.</summary>
public sealed record CountyWorker(string Id, string Name, string Status, string HomeStation, string ConsentScope, long Version, DateTimeOffset UpdatedAt, int Templates);

/// <summary>A delta as stored: its version and the unsigned message, signed when it is published.</summary>
public sealed record StoredDelta(long Version, RosterDelta Delta);

/// <summary>
/// The county's roster in PostgreSQL. Every change locks the county's row in <c>county_roster</c>, takes the next
/// version, stores the delta and the worker in the same transaction: versions have no gaps and no change is lost or
/// made twice, whichever hub process or command line made it. Publishing is separate (<see cref="RosterPublisher"/>).
/// </summary>
public static class CountyRoster
{
    /// <summary>The consent scope under which a worker's templates may roam the county.</summary>
    public const string CountyScope = "county";

    /// <summary>
    /// A station's <c>worker_*</c> notice, inside the transaction that stored the event (so it is applied once, with the
    /// event). Only the worker's home station speaks for them: another station's edit of a roaming worker is ignored.
    /// </summary>
    /// <returns>The delta's version, or null when nothing changed (and why).</returns>
    public static async Task<(long? Version, string? Ignored)> ApplyNoticeAsync(NpgsqlConnection connection, string county, string station, StationEvent notice, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var workerId = notice.WorkerId ?? notice.Worker?.Id;
        if (!Ids.IsValid(workerId))
        {
            return (null, $"a {notice.Type} without a valid worker id");
        }

        var head = await LockAsync(connection, county, ct);
        var current = await CurrentAsync(connection, county, workerId!, ct);
        if (current is not null && current.HomeStation != station)
        {
            return (null, $"{workerId} belongs to station {current.HomeStation}, not {station}");
        }

        switch (notice.Type)
        {
            case EventTypes.WorkerDeleted:
                return current is null ? (null, $"{workerId} is not in the county's roster") : (await DeleteAsync(connection, county, head, workerId!, station, ct), null);

            case EventTypes.WorkerSuspended or EventTypes.WorkerResumed when current is not null:
                {
                    var status = notice.Type == EventTypes.WorkerSuspended ? "suspended" : "active";
                    return current.Status == status
                        ? (null, $"{workerId} is {status} already")
                        : (await SetStatusAsync(connection, county, head, current, status, station, ct), null);
                }

            case EventTypes.WorkerEnrolled or EventTypes.WorkerUpdated or EventTypes.WorkerSuspended or EventTypes.WorkerResumed:
                {
                    if (notice.Worker is not { } record || record.Id != workerId)
                    {
                        return (null, $"a {notice.Type} of {workerId} without that worker's record");
                    }

                    // The home station is the one that sent it, whatever the record says.
                    record = record with { HomeStation = station };
                    // Templates only under a consent that covers the county; a county notice without templates (an edit
                    // of the name, a station without the template key) keeps the ones the county holds. Any other scope
                    // withdraws them: an empty list, which a station applies as "no templates" (null would mean "keep
                    // yours"), and the earlier deltas lose them too, so a resync does not bring the face back.
                    var roams = record.ConsentScope == CountyScope;
                    record = record with
                    {
                        Templates = roams ? record.Templates ?? current?.Record.Templates : [],
                    };
                    if (!roams && current?.Record.Templates is { Count: > 0 })
                    {
                        await RedactTemplatesAsync(connection, county, workerId!, ct);
                    }

                    var op = current is null ? RosterDelta.Add : RosterDelta.Update;
                    return (await UpsertAsync(connection, county, head, op, record, station, ct), null);
                }

            default:
                return (null, $"{notice.Type} is not a worker notice");
        }
    }

    /// <summary>The county's own suspend, resume or delete (<c>county-hub workers …</c>).</summary>
    /// <exception cref="KeyNotFoundException">No such worker in the county.</exception>
    public static async Task<long?> ChangeAsync(NpgsqlDataSource data, string county, string op, string workerId, string source, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var head = await LockAsync(connection, county, ct);
        var current = await CurrentAsync(connection, county, workerId, ct) ?? throw new KeyNotFoundException($"no worker {workerId} in county {county}'s roster");
        long? version = op switch
        {
            RosterDelta.Delete => await DeleteAsync(connection, county, head, workerId, source, ct),
            RosterDelta.Suspend when current.Status != "suspended" => await SetStatusAsync(connection, county, head, current, "suspended", source, ct),
            RosterDelta.Resume when current.Status == "suspended" => await SetStatusAsync(connection, county, head, current, "active", source, ct),
            RosterDelta.Suspend or RosterDelta.Resume => null,
            _ => throw new ArgumentException($"unknown op '{op}'", nameof(op)),
        };
        await tx.CommitAsync(ct);
        return version;
    }

    public static async Task<IReadOnlyList<CountyWorker>> ListAsync(NpgsqlDataSource data, string county, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var select = data.CreateCommand("""
            SELECT worker_id, name, status, home_station, consent_scope, version, updated_at,
                   COALESCE(jsonb_array_length(record->'templates'), 0)
            FROM county_workers WHERE county = @c ORDER BY worker_id
            """);
        select.Parameters.AddWithValue("c", county);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var list = new List<CountyWorker>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(new CountyWorker(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetInt64(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetInt32(7)));
        }

        return list;
    }

    /// <summary>The county's version and the last one published.</summary>
    public static async Task<(long Version, long Published)> HeadAsync(NpgsqlDataSource data, string county, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var select = data.CreateCommand("SELECT version, published_version FROM county_roster WHERE county = @c");
        select.Parameters.AddWithValue("c", county);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>The deltas after <paramref name="fromVersion"/>, in order, at most <paramref name="limit"/>.</summary>
    public static async Task<IReadOnlyList<StoredDelta>> DeltasAfterAsync(NpgsqlDataSource data, string county, long fromVersion, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var select = data.CreateCommand("SELECT version, delta::text FROM roster_deltas WHERE county = @c AND version > @v ORDER BY version LIMIT @n");
        select.Parameters.AddWithValue("c", county);
        select.Parameters.AddWithValue("v", fromVersion);
        select.Parameters.AddWithValue("n", limit);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var list = new List<StoredDelta>();
        while (await reader.ReadAsync(ct))
        {
            var read = SyncJson.Read<RosterDelta>(Encoding.UTF8.GetBytes(reader.GetString(1)), Schemas.RosterDelta);
            list.Add(new StoredDelta(reader.GetInt64(0), read.Message ?? throw new InvalidDataException($"roster delta {reader.GetInt64(0)} does not read back: {read.Error}")));
        }

        return list;
    }

    /// <summary>Records that everything up to <paramref name="version"/> is on the county's topic (never moves back).</summary>
    public static async Task MarkPublishedAsync(NpgsqlDataSource data, string county, long version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var update = data.CreateCommand("UPDATE county_roster SET published_version = GREATEST(published_version, @v) WHERE county = @c");
        update.Parameters.AddWithValue("c", county);
        update.Parameters.AddWithValue("v", version);
        await update.ExecuteNonQueryAsync(ct);
    }

    private sealed record Current(string Status, string HomeStation, WorkerRecord Record);

    private static async Task<long> LockAsync(NpgsqlConnection connection, string county, CancellationToken ct)
    {
        await using (var ensure = new NpgsqlCommand("INSERT INTO county_roster (county) VALUES (@c) ON CONFLICT DO NOTHING", connection))
        {
            ensure.Parameters.AddWithValue("c", county);
            await ensure.ExecuteNonQueryAsync(ct);
        }

        await using var lockRow = new NpgsqlCommand("SELECT version FROM county_roster WHERE county = @c FOR UPDATE", connection);
        lockRow.Parameters.AddWithValue("c", county);
        return (long)(await lockRow.ExecuteScalarAsync(ct))!;
    }

    private static async Task<Current?> CurrentAsync(NpgsqlConnection connection, string county, string workerId, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand("SELECT status, home_station, record::text FROM county_workers WHERE county = @c AND worker_id = @w", connection);
        select.Parameters.AddWithValue("c", county);
        select.Parameters.AddWithValue("w", workerId);
        await using var reader = await select.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var record = SyncJson.Read<WorkerRecord>(Encoding.UTF8.GetBytes(reader.GetString(2)));
        return new Current(reader.GetString(0), reader.GetString(1), record.Message ?? throw new InvalidDataException($"worker {workerId} does not read back: {record.Error}"));
    }

    private static async Task<long> UpsertAsync(NpgsqlConnection connection, string county, long head, string op, WorkerRecord record, string source, CancellationToken ct)
    {
        var version = head + 1;
        var json = Encoding.UTF8.GetString(SyncJson.Write(record));
        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO county_workers (county, worker_id, name, status, home_station, consent_scope, record, version)
            VALUES (@c, @w, @n, @s, @h, @scope, @r::jsonb, @v)
            ON CONFLICT (county, worker_id) DO UPDATE SET name = @n, status = @s, home_station = @h, consent_scope = @scope,
                record = @r::jsonb, version = @v, updated_at = now()
            """, connection))
        {
            var p = upsert.Parameters;
            p.AddWithValue("c", county);
            p.AddWithValue("w", record.Id);
            p.AddWithValue("n", record.Name);
            p.AddWithValue("s", record.Status);
            p.AddWithValue("h", record.HomeStation);
            p.AddWithValue("scope", record.ConsentScope);
            p.AddWithValue("r", json);
            p.AddWithValue("v", version);
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await AddDeltaAsync(connection, county, new RosterDelta(Schemas.V(Schemas.RosterDelta), county, version, op, record.Id, DateTimeOffset.UtcNow) { Worker = record }, source, ct);
        return version;
    }

    private static async Task<long> SetStatusAsync(NpgsqlConnection connection, string county, long head, Current current, string status, string source, CancellationToken ct)
    {
        var version = head + 1;
        var record = current.Record with { Status = status };
        await using (var update = new NpgsqlCommand(
            "UPDATE county_workers SET status = @s, record = @r::jsonb, version = @v, updated_at = now() WHERE county = @c AND worker_id = @w", connection))
        {
            update.Parameters.AddWithValue("c", county);
            update.Parameters.AddWithValue("w", record.Id);
            update.Parameters.AddWithValue("s", status);
            update.Parameters.AddWithValue("r", Encoding.UTF8.GetString(SyncJson.Write(record)));
            update.Parameters.AddWithValue("v", version);
            await update.ExecuteNonQueryAsync(ct);
        }

        // The status alone: a station already holds the worker (or gets them from the add before this version).
        var op = status == "suspended" ? RosterDelta.Suspend : RosterDelta.Resume;
        await AddDeltaAsync(connection, county, new RosterDelta(Schemas.V(Schemas.RosterDelta), county, version, op, record.Id, DateTimeOffset.UtcNow), source, ct);
        return version;
    }

    private static async Task<long> DeleteAsync(NpgsqlConnection connection, string county, long head, string workerId, string source, CancellationToken ct)
    {
        var version = head + 1;
        await using (var delete = new NpgsqlCommand("DELETE FROM county_workers WHERE county = @c AND worker_id = @w", connection))
        {
            delete.Parameters.AddWithValue("c", county);
            delete.Parameters.AddWithValue("w", workerId);
            await delete.ExecuteNonQueryAsync(ct);
        }

        // A deleted worker's face is gone from the county too: earlier deltas keep the record (a resync replays the add
        // and then this delete) but not the sealed templates.
        await RedactTemplatesAsync(connection, county, workerId, ct);
        await AddDeltaAsync(connection, county, new RosterDelta(Schemas.V(Schemas.RosterDelta), county, version, RosterDelta.Delete, workerId, DateTimeOffset.UtcNow), source, ct);
        return version;
    }

    private static async Task RedactTemplatesAsync(NpgsqlConnection connection, string county, string workerId, CancellationToken ct)
    {
        await using var redact = new NpgsqlCommand(
            "UPDATE roster_deltas SET delta = delta #- '{worker,templates}' WHERE county = @c AND worker_id = @w AND delta ? 'worker'", connection);
        redact.Parameters.AddWithValue("c", county);
        redact.Parameters.AddWithValue("w", workerId);
        await redact.ExecuteNonQueryAsync(ct);
    }

    private static async Task AddDeltaAsync(NpgsqlConnection connection, string county, RosterDelta delta, string source, CancellationToken ct)
    {
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO roster_deltas (county, version, op, worker_id, source, delta) VALUES (@c, @v, @op, @w, @src, @d::jsonb)", connection))
        {
            var p = insert.Parameters;
            p.AddWithValue("c", county);
            p.AddWithValue("v", delta.Version);
            p.AddWithValue("op", delta.Op);
            p.AddWithValue("w", delta.WorkerId);
            p.AddWithValue("src", source);
            p.AddWithValue("d", Encoding.UTF8.GetString(SyncJson.Write(delta)));
            await insert.ExecuteNonQueryAsync(ct);
        }

        await using var move = new NpgsqlCommand("UPDATE county_roster SET version = @v, updated_at = now() WHERE county = @c", connection);
        move.Parameters.AddWithValue("c", county);
        move.Parameters.AddWithValue("v", delta.Version);
        await move.ExecuteNonQueryAsync(ct);
    }
}
