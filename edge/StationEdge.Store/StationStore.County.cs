using Microsoft.Data.Sqlite;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

/// <summary>What a county roster delta does to one worker at this station.</summary>
public enum RosterOp
{
    /// <summary>Add or update: the worker as <see cref="RosterChange.Worker"/> says.</summary>
    Upsert,
    Suspend,
    Resume,
    Delete,
}

/// <summary>A worker as the county's roster describes them.</summary>
public sealed record CountyWorker
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required WorkerStatus Status { get; init; }

    public string? Phone { get; init; }

    public string? Employer { get; init; }

    public string? MemberNumber { get; init; }

    public DateOnly? ValidUntil { get; init; }

    public required DateTimeOffset ConsentAt { get; init; }

    public required string ConsentVersion { get; init; }

    /// <summary>The scope the worker's home station recorded (recorded here as by <c>county</c>).</summary>
    public ConsentScope ConsentScope { get; init; } = ConsentScope.Station;

    public string? HomeStation { get; init; }
}

/// <summary>
/// One county roster delta, applied as version <see cref="Version"/>. <see cref="Templates"/> null keeps the worker's
/// templates; a list (even empty) replaces them, except for a worker enrolled here, whose own templates (with their
/// crops) are never replaced by the county's copies of them.
/// </summary>
public sealed record RosterChange(long Version, RosterOp Op, string WorkerId)
{
    public CountyWorker? Worker { get; init; }

    public IReadOnlyList<NewTemplate>? Templates { get; init; }
}

public sealed partial class StationStore
{
    /// <summary>The keeper name the county's roster changes are audited under (the roaming notices skip them).</summary>
    public const string CountyKeeper = "county";

    private const string RosterVersionKey = "county_roster_version";
    private const string NoncePrefix = "command_nonce:";

    /// <summary>The county roster version applied here (0: none yet).</summary>
    public Task<long> GetRosterVersionAsync(CancellationToken ct = default) =>
        _db.ReadAsync(c => ReadRosterVersionAsync(c, null, ct), ct);

    /// <summary>Sets the applied version back (a full resync from 0 replays the county's roster over the workers here).</summary>
    public Task ResetRosterVersionAsync(long version, CancellationToken ct = default) =>
        _db.WriteAsync("the roster version", async (c, t) =>
        {
            await WriteMetaAsync(c, t, RosterVersionKey, version.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            return 0;
        }, ct);

    /// <summary>
    /// Applies one county delta and moves the roster version to it, in one transaction (audited as <c>roster.OP</c> by
    /// <see cref="CountyKeeper"/>, which also moves the roster stamp the gallery reloads on). False, and nothing
    /// written, when <see cref="RosterChange.Version"/> is not the next version: deltas are applied strictly in order.
    /// </summary>
    public Task<bool> ApplyRosterChangeAsync(RosterChange change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        Input.WorkerId(change.WorkerId);
        if (change.Op == RosterOp.Upsert && (change.Worker is null || change.Worker.Id != change.WorkerId))
        {
            throw Input.Invalid($"roster version {change.Version}: an add or update of {change.WorkerId} needs that worker's record");
        }

        if (change.Templates is { } list)
        {
            CheckTemplates(list);
        }

        var by = new KeeperContext(CountyKeeper, "county");
        return _db.WriteAsync($"roster version {change.Version}", async (c, t) =>
        {
            if (await ReadRosterVersionAsync(c, t, ct) + 1 != change.Version)
            {
                return false;
            }

            var now = Now();
            var existing = await FindWorkerAsync(c, t, change.WorkerId, ct);
            string details;
            switch (change.Op)
            {
                case RosterOp.Upsert:
                    details = await UpsertCountyWorkerAsync(c, t, change, existing, now, ct);
                    break;
                case RosterOp.Delete:
                    using (var delete = c.Command("DELETE FROM workers WHERE id = $id", t).With("$id", change.WorkerId))
                    {
                        details = await delete.ExecuteNonQueryAsync(ct) == 0 ? "not here" : "removed with their templates";
                    }

                    break;
                default:
                    using (var update = c.Command("UPDATE workers SET status = $status, updated_at = $now WHERE id = $id", t)
                        .With("$status", change.Op == RosterOp.Suspend ? "suspended" : "active").With("$now", Column.Time(now)).With("$id", change.WorkerId))
                    {
                        details = await update.ExecuteNonQueryAsync(ct) == 0 ? "not here" : change.Op == RosterOp.Suspend ? "suspended" : "active";
                    }

                    break;
            }

            await WriteMetaAsync(c, t, RosterVersionKey, change.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            await AuditAsync(c, t, by, "roster." + change.Op.ToString().ToLowerInvariant(), change.WorkerId, $"version {change.Version}: {details}", now, ct);
            return true;
        }, ct);
    }

    /// <summary>
    /// Remembers a command's nonce until <paramref name="expiresAt"/> (persistently, so a restart does not make a replay
    /// new); false when it was remembered already. Nonces past their expiry are forgotten here: their command is refused
    /// as expired anyway.
    /// </summary>
    public Task<bool> RememberNonceAsync(string nonce, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var text = Input.Text(nonce, "command nonce");
        return _db.WriteAsync("the command nonce", async (c, t) =>
        {
            using (var prune = c.Command("DELETE FROM meta WHERE key >= $from AND key < $to AND value < $now", t)
                .With("$from", NoncePrefix).With("$to", NoncePrefix[..^1] + ";").With("$now", Column.Time(Now())))
            {
                await prune.ExecuteNonQueryAsync(ct);
            }

            using var insert = c.Command("INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING", t)
                .With("$key", NoncePrefix + text).With("$value", Column.Time(Column.Truncate(expiresAt)));
            return await insert.ExecuteNonQueryAsync(ct) == 1;
        }, ct);
    }

    private async Task<string> UpsertCountyWorkerAsync(SqliteConnection c, SqliteTransaction t, RosterChange change, Worker? existing, DateTimeOffset now, CancellationToken ct)
    {
        var w = change.Worker!;
        var name = Input.Text(w.Name, "worker name");
        var phone = Input.Phone(w.Phone);
        var employer = Input.OptionalText(w.Employer, "employer");
        var member = Input.OptionalText(w.MemberNumber, "member number");
        var consentVersion = Input.Text(w.ConsentVersion, "consent version");
        var home = Input.OptionalText(w.HomeStation, "home station");
        var status = Status(w.Status);
        if (existing is null)
        {
            using var insert = c.Command($"INSERT INTO workers ({WorkerColumns}) VALUES ($id, $name, $phone, $employer, $member, $status, $valid, $consentAt, $consentVersion, $by, $home, $now, $now, $scope, $now, $by)", t);
            insert.With("$id", w.Id).With("$name", name).With("$phone", phone).With("$employer", employer).With("$member", member)
                .With("$status", status).With("$valid", w.ValidUntil is { } v ? Column.Date(v) : null)
                .With("$consentAt", Column.Time(Column.Truncate(w.ConsentAt))).With("$consentVersion", consentVersion)
                .With("$by", CountyKeeper).With("$home", home).With("$now", Column.Time(now)).With("$scope", Scope(w.ConsentScope));
            await insert.ExecuteNonQueryAsync(ct);
        }
        else
        {
            // A worker enrolled here keeps the scope recorded here: only their own station speaks for their consent.
            using var update = c.Command("""
                UPDATE workers SET name = $name, phone = $phone, employer = $employer, member_number = $member, status = $status,
                    valid_until = $valid, consent_at = $consentAt, consent_version = $consentVersion, home_station = $home, updated_at = $now,
                    consent_scope_at = CASE WHEN enrolled_by = $county AND consent_scope <> $scope THEN $now ELSE consent_scope_at END,
                    consent_scope_by = CASE WHEN enrolled_by = $county AND consent_scope <> $scope THEN $county ELSE consent_scope_by END,
                    consent_scope = CASE WHEN enrolled_by = $county THEN $scope ELSE consent_scope END
                WHERE id = $id
                """, t);
            update.With("$county", CountyKeeper).With("$scope", Scope(w.ConsentScope));
            update.With("$id", w.Id).With("$name", name).With("$phone", phone).With("$employer", employer).With("$member", member)
                .With("$status", status).With("$valid", w.ValidUntil is { } v ? Column.Date(v) : null)
                .With("$consentAt", Column.Time(Column.Truncate(w.ConsentAt))).With("$consentVersion", consentVersion)
                .With("$home", existing.HomeStation).With("$now", Column.Time(now));
            await update.ExecuteNonQueryAsync(ct);
        }

        // A worker enrolled here keeps the templates made here (and their crops): the county's copies are the same faces.
        var enrolledHere = existing is not null && existing.EnrolledBy != CountyKeeper;
        if (change.Templates is not { } templates || enrolledHere)
        {
            return existing is null ? "added" : "updated";
        }

        using (var clear = c.Command("DELETE FROM templates WHERE worker_id = $id", t).With("$id", w.Id))
        {
            await clear.ExecuteNonQueryAsync(ct);
        }

        using var aes = _cipher.Create();
        foreach (var template in templates)
        {
            await InsertTemplateAsync(c, t, aes, w.Id, template, null, now, keepCrop: false, ct);
        }

        return $"{(existing is null ? "added" : "updated")}, {templates.Count} templates";
    }

    private static async Task<long> ReadRosterVersionAsync(SqliteConnection c, SqliteTransaction? t, CancellationToken ct)
    {
        using var read = c.Command("SELECT value FROM meta WHERE key = $key", t).With("$key", RosterVersionKey);
        return await read.ExecuteScalarAsync(ct) is string text ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static async Task WriteMetaAsync(SqliteConnection c, SqliteTransaction t, string key, string value, CancellationToken ct)
    {
        using var write = c.Command("INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", t)
            .With("$key", key).With("$value", value);
        await write.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>
/// A change made to a worker at this station (not by the county's roster), for the notice the county gets of it.
/// <see cref="Templates"/>: the worker's enrolment templates, decrypted, when they were asked for and the worker's
/// consent covers the county; null otherwise (a worker of this station only never has theirs read for a notice).
/// </summary>
public sealed record WorkerChange(long AuditId, DateTimeOffset Time, string Action, string WorkerId, Worker? Worker)
{
    public IReadOnlyList<StoredTemplate>? Templates { get; init; }
}

public sealed partial class StationStore
{
    private const string NoticeCursorKey = "worker_notice_audit_id";

    /// <summary>
    /// Queues a notice for every worker change made here since the last call (enrol, edit, suspend, resume, delete,
    /// templates added: the audit rows they wrote, not the county's own <c>roster.*</c> rows), in audit order, and moves
    /// the cursor in the same transaction, so each change is queued exactly once, whichever process made it.
    /// <paramref name="describe"/> gives the outbox item, or null to skip one. With <paramref name="countyTemplates"/>, a
    /// change of a worker whose consent scope is county carries their enrolment templates (learned ones stay here: they
    /// are this door's light). Returns how many changes were looked at (0: none left).
    /// </summary>
    public Task<int> QueueWorkerNoticesAsync(Func<WorkerChange, OutboxDraft?> describe, int limit = 100, bool countyTemplates = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(describe);
        return _db.WriteAsync("the worker notices", async (c, t) =>
        {
            using var cursor = c.Command("SELECT value FROM meta WHERE key = $key", t).With("$key", NoticeCursorKey);
            var after = await cursor.ExecuteScalarAsync(ct) is string text ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var rows = await c.Command("""
                SELECT id, time, action, target FROM audit
                WHERE id > $after AND target IS NOT NULL AND keeper <> $county
                  AND action IN ('worker.enroll', 'worker.edit', 'worker.consent', 'worker.suspend', 'worker.resume', 'worker.delete', 'worker.templates.add')
                ORDER BY id LIMIT $limit
                """, t).With("$after", after).With("$county", CountyKeeper).With("$limit", limit)
                .RowsAsync(r => (Id: r.GetInt64(0), Time: Column.Time(r.GetString(1)), Action: r.GetString(2), Target: r.GetString(3)), ct);
            if (rows.Count == 0)
            {
                return 0;
            }

            foreach (var row in rows)
            {
                var worker = await FindWorkerAsync(c, t, row.Target, ct);
                var templates = countyTemplates && worker is { ConsentScope: ConsentScope.County } ? await ReadEnrolmentTemplatesAsync(c, t, worker.Id, ct) : null;
                if (describe(new WorkerChange(row.Id, row.Time, row.Action, row.Target, worker) { Templates = templates }) is { } draft)
                {
                    CheckOutbox(draft);
                    await InsertOutboxAsync(c, t, draft, null, ct);
                }
            }

            await WriteMetaAsync(c, t, NoticeCursorKey, rows[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            return rows.Count;
        }, ct);
    }

    /// <summary>One worker's enrolment templates (every embedder), decrypted; a row that fails authentication is left out and logged.</summary>
    private async Task<IReadOnlyList<StoredTemplate>> ReadEnrolmentTemplatesAsync(SqliteConnection c, SqliteTransaction t, string workerId, CancellationToken ct)
    {
        var list = new List<StoredTemplate>();
        using var aes = _cipher.Create();
        using var command = c.Command($"SELECT id, embedder_sha256, dimensions, nonce, ciphertext, tag, {QualityColumns} FROM templates WHERE worker_id = $id AND source = 'enrolment' ORDER BY rowid", t)
            .With("$id", workerId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = Guid.Parse(reader.GetString(0));
            var embedder = reader.GetString(1);
            var value = new Crypto.SealedValue(reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<byte[]>(5));
            var embedding = new float[value.Ciphertext.Length / sizeof(float)];
            if (value.Ciphertext.Length == reader.GetInt32(2) * sizeof(float)
                && Crypto.RowCipher.TryOpen(aes, value, System.Runtime.InteropServices.MemoryMarshal.AsBytes(embedding.AsSpan()), Crypto.RowCipher.TemplateData(id, workerId, embedder)))
            {
                list.Add(new StoredTemplate(id, workerId, embedder, embedding, ReadQuality(reader, 6)));
            }
            else
            {
                LogUnreadableTemplate(_logger, id, workerId, "the AES-GCM tag does not match: not sent to the county");
            }
        }

        return list;
    }
}
