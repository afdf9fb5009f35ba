using Microsoft.Data.Sqlite;

namespace StationEdge.Store.Sqlite;

/// <summary>
/// Schema step 4's move of <c>passes.db</c> (the pass book's own SQLite file before it joined the store) into the store:
/// its HMAC key, passes and uses are copied in the migration's transaction, and once that commits the old file is
/// renamed <c>passes.db.migrated</c>, so every pass issued before the upgrade keeps working and none comes back.
/// </summary>
internal static class LegacyPassBook
{
    public const string FileName = "passes.db";
    public const string MigratedSuffix = ".migrated";

    public static async Task<Action?> AdoptAsync(SqliteConnection store, SqliteTransaction transaction, string databasePath, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, FileName);
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        await using (var old = new SqliteConnection(connectionString))
        {
            try
            {
                await old.OpenAsync(ct);
                using (var key = old.Command("SELECT value FROM meta WHERE key = 'hmac_key'"))
                {
                    if (await key.ExecuteScalarAsync(ct) is byte[] bytes)
                    {
                        using var insert = store.Command($"INSERT OR REPLACE INTO meta (key, value) VALUES ('{StationStore.PassKeyName}', $v)", transaction)
                            .With("$v", Convert.ToBase64String(bytes));
                        await insert.ExecuteNonQueryAsync(ct);
                    }
                }

                var passes = await old.Command("SELECT id, kind, worker_id, visitor_name, issued_at, expires_at, issued_by, revoked_at, revoked_by FROM passes")
                    .RowsAsync(r => new object?[]
                    {
                        r.GetString(0), r.GetInt64(1) == 1 ? "worker" : "visitor", r.NullableString(2), r.NullableString(3),
                        r.GetString(4), r.GetString(5), r.GetString(6), r.NullableString(7), r.NullableString(8),
                    }, ct);
                foreach (var row in passes)
                {
                    using var insert = store.Command("""
                        INSERT INTO passes (id, kind, worker_id, visitor_name, issued_at, expires_at, issued_by, revoked_at, revoked_by)
                        VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8)
                        """, transaction);
                    for (var i = 0; i < row.Length; i++)
                    {
                        insert.With("$" + i, row[i]);
                    }

                    await insert.ExecuteNonQueryAsync(ct);
                }

                var uses = await old.Command("SELECT visit_id, pass_id, time FROM pass_uses").RowsAsync(r => (r.GetString(0), r.GetString(1), r.GetString(2)), ct);
                foreach (var (visit, pass, time) in uses)
                {
                    using var insert = store.Command("INSERT OR IGNORE INTO pass_uses (visit_id, pass_id, time) VALUES ($v, $p, $t)", transaction)
                        .With("$v", visit).With("$p", pass).With("$t", time);
                    await insert.ExecuteNonQueryAsync(ct);
                }
            }
            catch (SqliteException e)
            {
                // The store's migration must not commit without the passes: nothing changes, and the message names the file.
                throw new StoreException(StoreFault.Io, $"the pass book {path} cannot be moved into the store ({StoreDatabase.Detail(e)}): the store is unchanged", e);
            }
        }

        return () =>
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                if (File.Exists(path + suffix))
                {
                    // SQLite finds a WAL by the database's name, so the renamed copy stays whole: path.migrated-wal.
                    File.Move(path + suffix, path + MigratedSuffix + suffix, overwrite: true);
                }
            }
        };
    }
}
