using Microsoft.Data.Sqlite;

namespace StationEdge.Store.Sqlite;

/// <summary>One forward-only schema step: the pending steps commit together, each setting <c>PRAGMA user_version = Version</c>.</summary>
/// <summary>
/// One forward-only schema step: the pending steps commit together, each setting <c>PRAGMA user_version = Version</c>.
/// <see cref="Adopt"/>, when set, runs in the same transaction after the step's SQL on an existing store (not on a new
/// one, such as recovery's rebuild), bringing in data kept elsewhere until then; the action it returns runs once the
/// transaction has committed.
/// </summary>
internal sealed record Migration(int Version, string Name, string Sql, Func<SqliteConnection, SqliteTransaction, string, CancellationToken, Task<Action?>>? Adopt = null);

/// <summary>The schema, as the numbered steps that build it. Append new steps; never edit or reorder a shipped one.</summary>
internal static class Schema
{
    /// <summary>"STED" in the header's application_id, so a foreign SQLite file in the data folder is refused.</summary>
    public const int ApplicationId = 0x53544544;

    public const int PageSize = 4096;

    public static readonly IReadOnlyList<Migration> Steps =
    [
        new(1, "workers, templates, crops, visits, door events, audit, outbox", """
            CREATE TABLE meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            CREATE TABLE workers (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                phone TEXT,
                employer TEXT,
                member_number TEXT,
                status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
                valid_until TEXT,
                consent_at TEXT NOT NULL,
                consent_version TEXT NOT NULL,
                enrolled_by TEXT NOT NULL,
                home_station TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX workers_name ON workers (name);
            CREATE INDEX workers_phone ON workers (phone);
            CREATE INDEX workers_member_number ON workers (member_number);

            CREATE TABLE templates (
                id TEXT PRIMARY KEY,
                worker_id TEXT NOT NULL REFERENCES workers (id) ON DELETE CASCADE,
                embedder_sha256 TEXT NOT NULL CHECK (length(embedder_sha256) = 64),
                dimensions INTEGER NOT NULL CHECK (dimensions > 0),
                nonce BLOB NOT NULL,
                ciphertext BLOB NOT NULL,
                tag BLOB NOT NULL,
                inter_eye_px REAL NOT NULL,
                yaw_deg REAL NOT NULL,
                sharpness REAL NOT NULL,
                brightness REAL NOT NULL,
                detector_score REAL NOT NULL,
                derived_from TEXT,
                created_at TEXT NOT NULL
            ) STRICT;
            CREATE INDEX templates_worker ON templates (worker_id);
            CREATE INDEX templates_embedder ON templates (embedder_sha256);
            CREATE INDEX templates_derived_from ON templates (derived_from);

            CREATE TABLE crops (
                template_id TEXT PRIMARY KEY REFERENCES templates (id) ON DELETE CASCADE,
                width INTEGER NOT NULL,
                height INTEGER NOT NULL,
                nonce BLOB NOT NULL,
                ciphertext BLOB NOT NULL,
                tag BLOB NOT NULL
            ) STRICT;

            CREATE TABLE visits (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                time TEXT NOT NULL,
                worker_id TEXT,
                decision TEXT NOT NULL CHECK (decision IN ('granted', 'refused')),
                reason TEXT NOT NULL,
                method TEXT NOT NULL CHECK (method IN ('face', 'pass', 'keeper')),
                score REAL,
                margin REAL,
                liveness REAL
            ) STRICT;
            CREATE INDEX visits_time ON visits (time);
            CREATE INDEX visits_worker ON visits (worker_id);

            CREATE TABLE door_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                time TEXT NOT NULL,
                type TEXT NOT NULL,
                details TEXT
            ) STRICT;
            CREATE INDEX door_events_time ON door_events (time);

            CREATE TABLE audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                time TEXT NOT NULL,
                keeper TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT,
                details TEXT,
                address TEXT
            ) STRICT;
            CREATE INDEX audit_time ON audit (time);

            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                topic TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                visit_id TEXT REFERENCES visits (id)
            ) STRICT;
            CREATE INDEX outbox_visit ON outbox (visit_id);
            """),
        new(2, "outbox: a monotonic seq per message, one item per row in the link's contract", """
            CREATE TABLE outbox_v2 (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                topic TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                visit_id TEXT REFERENCES visits (id)
            ) STRICT;
            INSERT INTO outbox_v2 (id, topic, payload, created_at, attempts, visit_id)
            SELECT id, topic,
                CASE
                    WHEN json_extract(payload, '$.visits[0].id') IS NOT NULL THEN json_object(
                        'seq', 0, 'id', json_extract(payload, '$.visits[0].id'), 'visit_seq', json_extract(payload, '$.visits[0].seq'),
                        'time', json_extract(payload, '$.visits[0].time'), 'decision', json_extract(payload, '$.visits[0].decision'),
                        'reason', json_extract(payload, '$.visits[0].reason'), 'method', json_extract(payload, '$.visits[0].method'),
                        'worker_id', json_extract(payload, '$.visits[0].worker_id'), 'score', json_extract(payload, '$.visits[0].score'),
                        'margin', json_extract(payload, '$.visits[0].margin'), 'liveness', json_extract(payload, '$.visits[0].liveness'))
                    WHEN json_extract(payload, '$.events[0].type') IS NOT NULL THEN json_object(
                        'seq', 0, 'id', id, 'time', json_extract(payload, '$.events[0].time'),
                        'type', json_extract(payload, '$.events[0].type'), 'details', json_extract(payload, '$.events[0].details'))
                    ELSE payload
                END,
                created_at, attempts, visit_id
            FROM outbox ORDER BY rowid;
            DROP TABLE outbox;
            ALTER TABLE outbox_v2 RENAME TO outbox;
            CREATE INDEX outbox_visit ON outbox (visit_id);
            CREATE INDEX outbox_topic ON outbox (topic, seq);
            """),
        new(3, "templates: learned at the door (source, visit, reason), never an enrolment template", """
            ALTER TABLE templates ADD COLUMN source TEXT NOT NULL DEFAULT 'enrolment' CHECK (source IN ('enrolment', 'learned'));
            ALTER TABLE templates ADD COLUMN visit_id TEXT;
            ALTER TABLE templates ADD COLUMN learn_reason TEXT;
            CREATE INDEX templates_learned ON templates (worker_id, source, embedder_sha256);
            """),
        new(4, "passes: the pass book in the store (passes, their uses), passes.db moved in", """
            CREATE TABLE passes (
                id TEXT PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('worker', 'visitor')),
                worker_id TEXT,
                visitor_name TEXT,
                issued_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                issued_by TEXT NOT NULL,
                revoked_at TEXT,
                revoked_by TEXT,
                CHECK ((kind = 'worker') = (worker_id IS NOT NULL))
            ) STRICT;
            CREATE INDEX passes_issued ON passes (issued_at);

            CREATE TABLE pass_uses (
                visit_id TEXT PRIMARY KEY,
                pass_id TEXT NOT NULL REFERENCES passes (id) ON DELETE CASCADE,
                time TEXT NOT NULL
            ) STRICT;
            CREATE INDEX pass_uses_by_pass ON pass_uses (pass_id);
            """, LegacyPassBook.AdoptAsync),
        new(5, "workers: the consent scope (station or county: roaming), when and by whom it was recorded", """
            ALTER TABLE workers ADD COLUMN consent_scope TEXT NOT NULL DEFAULT 'station' CHECK (consent_scope IN ('station', 'county'));
            ALTER TABLE workers ADD COLUMN consent_scope_at TEXT NOT NULL DEFAULT '';
            ALTER TABLE workers ADD COLUMN consent_scope_by TEXT NOT NULL DEFAULT '';
            UPDATE workers SET consent_scope_at = consent_at, consent_scope_by = enrolled_by;
            """),
    ];

    public static int LatestVersion => Steps[^1].Version;

    /// <summary>The tables in the order a rebuild fills them (parents before children).</summary>
    public static readonly IReadOnlyList<string> Tables = ["meta", "workers", "templates", "crops", "visits", "door_events", "audit", "outbox", "passes", "pass_uses"];

    /// <summary>Brings the database up to the last of <paramref name="steps"/>; returns the versions applied.</summary>
    /// <exception cref="StoreException">The database is newer than these steps (<see cref="StoreFault.SchemaTooNew"/>).</exception>
    public static async Task<IReadOnlyList<int>> MigrateAsync(SqliteConnection connection, string databasePath, IReadOnlyList<Migration> steps, CancellationToken ct)
    {
        var current = await UserVersionAsync(connection, ct);
        var latest = steps.Count == 0 ? 0 : steps[^1].Version;
        if (current > latest)
        {
            throw new StoreException(StoreFault.SchemaTooNew,
                $"{databasePath} has schema version {current}, newer than this station-edge knows ({latest}): run the station-edge that wrote it, or restore a backup");
        }

        var pending = steps.Where(s => s.Version > current).ToList();
        if (pending.Count == 0)
        {
            return [];
        }

        // An upgrade never leaves a half-migrated store: every pending step commits together, and until they have,
        // a copy of the database as the old version left it stays beside it (removed once they commit, so a failed
        // or killed first start of a new version leaves both the file and its copy as they were).
        var copy = current > 0 ? BeforeMigrationCopyPath(databasePath, current) : null;
        if (copy is not null && !File.Exists(copy))
        {
            using var vacuum = connection.CreateCommand();
            vacuum.CommandText = "VACUUM INTO $copy";
            vacuum.Parameters.AddWithValue("$copy", copy + ".partial");
            File.Delete(copy + ".partial");
            await vacuum.ExecuteNonQueryAsync(ct);
            File.Move(copy + ".partial", copy);
        }

        var afterCommit = new List<Action>();
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var step in pending)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = step.Sql + $";\nPRAGMA user_version = {step.Version};";
                await command.ExecuteNonQueryAsync(ct);
                if (step.Adopt is not null && current > 0 && await step.Adopt(connection, transaction, databasePath, ct) is { } then)
                {
                    afterCommit.Add(then);
                }
            }

            transaction.Commit();
        }

        foreach (var then in afterCommit)
        {
            then();
        }

        if (copy is not null)
        {
            File.Delete(copy);
        }

        var applied = pending.Select(s => s.Version).ToList();
        return applied;
    }

    /// <summary>Where <see cref="MigrateAsync"/> keeps the database as schema version <paramref name="version"/> left it, until the migration commits.</summary>
    public static string BeforeMigrationCopyPath(string databasePath, int version) => $"{databasePath}.before-migration-v{version}";

    public static async Task<int> UserVersionAsync(SqliteConnection connection, CancellationToken ct)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
