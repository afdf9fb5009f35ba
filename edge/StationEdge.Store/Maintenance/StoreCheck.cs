using Microsoft.Data.Sqlite;
using StationEdge.Store.Crypto;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store.Maintenance;

/// <summary><c>store check</c>: reads everything, changes nothing, and may run while the daemon has the store open.</summary>
internal static class StoreCheck
{
    public static async Task<StoreCheckReport> RunAsync(StorePaths paths, CancellationToken ct)
    {
        var problems = new List<string>();
        if (!File.Exists(paths.DatabasePath))
        {
            problems.Add($"no database at {paths.DatabasePath} (the store has never been opened here)");
            return new StoreCheckReport(paths.DatabasePath, false, null, null, 0, 0, problems);
        }

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = paths.DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        int? version = null;
        StoreCounts? counts = null;
        int unreadableTemplates = 0, unreadableCrops = 0;
        var damaged = false;
        try
        {
            await connection.OpenAsync(ct);
            foreach (var line in await LinesAsync(connection, "PRAGMA integrity_check(20)", ct))
            {
                if (line != "ok")
                {
                    problems.Add($"integrity: {StoreDatabase.OneLine(line)}");
                    damaged = true;
                }
            }

            version = await Schema.UserVersionAsync(connection, ct);
            if (version > Schema.LatestVersion)
            {
                problems.Add($"schema version {version} is newer than this station-edge knows ({Schema.LatestVersion})");
                return new StoreCheckReport(paths.DatabasePath, false, version, null, 0, 0, problems);
            }

            var orphans = await LinesAsync(connection, "SELECT \"table\" || ' row ' || rowid || ' refers to a missing ' || parent FROM pragma_foreign_key_check", ct);
            problems.AddRange(orphans.Take(20).Select(o => $"foreign key: {o}"));
            damaged |= orphans.Count > 0;
            counts = await CountAsync(connection, ct);
            var key = CheckKey(paths, counts, await ScalarAsync(connection, $"SELECT value FROM meta WHERE key = '{StoreKey.FingerprintKey}'", ct) as string, problems);
            if (key is not null)
            {
                (unreadableTemplates, unreadableCrops) = await CountUnreadableAsync(connection, key, ct);
                if (unreadableTemplates > 0)
                {
                    problems.Add($"{unreadableTemplates} templates fail AES-GCM authentication and are never matched (re-enroll those workers)");
                }

                if (unreadableCrops > 0)
                {
                    problems.Add($"{unreadableCrops} crops fail AES-GCM authentication and cannot be re-embedded");
                }

                if (await ScalarAsync(connection, $"SELECT value FROM meta WHERE key = '{StationStore.PassKeyName}'", ct) is string passKey
                    && passKey.StartsWith(StationStore.SealedPassKeyPrefix, StringComparison.Ordinal) && !PassKeyOpens(key, passKey[StationStore.SealedPassKeyPrefix.Length..]))
                {
                    problems.Add("the pass key fails AES-GCM authentication: every printed pass is refused until passes are issued again");
                }
            }

            // After step 4 the passes live in the store; a passes.db beside it again (an old backup restored over the
            // folder) is never read, and its passes would silently not open the door.
            var leftover = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(paths.DatabasePath))!, LegacyPassBook.FileName);
            if (version >= 4 && File.Exists(leftover) && new FileInfo(leftover).Length > 0)
            {
                problems.Add($"{leftover} is not part of the store (its passes moved into the store at schema step 4) and is never read: move it away; passes it holds must be issued again");
            }
        }
        catch (SqliteException e)
        {
            problems.Add($"{paths.DatabasePath}: {StoreDatabase.Detail(e)} (station-edge store recover rebuilds it)");
            damaged = true;
        }
        catch (StoreException e)
        {
            problems.Add(e.Message);
        }

        return new StoreCheckReport(paths.DatabasePath, problems.Count == 0, version, counts, unreadableTemplates, unreadableCrops, problems) { DatabaseDamaged = damaged };
    }

    internal static async Task<StoreCounts> CountAsync(SqliteConnection connection, CancellationToken ct)
    {
        using var command = connection.Command("""
            SELECT (SELECT count(*) FROM workers), (SELECT count(*) FROM templates), (SELECT count(*) FROM crops), (SELECT count(*) FROM visits),
                   (SELECT count(*) FROM door_events), (SELECT count(*) FROM audit), (SELECT count(*) FROM outbox),
                   (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'passes')
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var counts = new StoreCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
        if (reader.GetInt64(7) == 0)
        {
            // A store from before schema step 4: its passes are still in passes.db, moved in when the daemon next opens it.
            return counts;
        }

        using var passes = connection.Command("SELECT count(*) FROM passes");
        return counts with { Passes = (long)(await passes.ExecuteScalarAsync(ct))! };
    }

    private static bool PassKeyOpens(byte[] deviceKey, string sealedText)
    {
        if (RowCipher.Unpack(sealedText) is not { } value)
        {
            return false;
        }

        using var aes = new RowCipher(deviceKey).Create();
        return RowCipher.TryOpen(aes, value, new byte[value.Ciphertext.Length], RowCipher.PassKeyData);
    }

    private static byte[]? CheckKey(StorePaths paths, StoreCounts counts, string? fingerprint, List<string> problems)
    {
        var key = DeviceKey.Load(paths.KeyPath);
        if (key is null)
        {
            if (counts.Templates + counts.Crops > 0)
            {
                problems.Add($"device key {paths.KeyPath} is missing: the {counts.Templates} templates cannot be read (restore the key file from the station's backup)");
            }

            return null;
        }

        if (fingerprint is not null && fingerprint != DeviceKey.Fingerprint(key) && counts.Templates + counts.Crops > 0)
        {
            problems.Add($"device key {paths.KeyPath} is not the key the templates were sealed with (fingerprint {DeviceKey.Fingerprint(key)}, expected {fingerprint})");
            return null;
        }

        return key;
    }

    private static async Task<(int Templates, int Crops)> CountUnreadableAsync(SqliteConnection connection, byte[] key, CancellationToken ct)
    {
        using var aes = new RowCipher(key).Create();
        var templates = 0;
        using (var command = connection.Command("SELECT id, worker_id, embedder_sha256, dimensions, nonce, ciphertext, tag FROM templates"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var value = new SealedValue(reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<byte[]>(5), reader.GetFieldValue<byte[]>(6));
                var plain = new byte[value.Ciphertext.Length];
                if (value.Ciphertext.Length != reader.GetInt32(3) * sizeof(float) || !RowCipher.TryOpen(aes, value, plain, RowCipher.TemplateData(Guid.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2))))
                {
                    templates++;
                }
            }
        }

        var crops = 0;
        using (var command = connection.Command("SELECT crops.template_id, templates.worker_id, crops.nonce, crops.ciphertext, crops.tag FROM crops JOIN templates ON templates.id = crops.template_id"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var value = new SealedValue(reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4));
                if (!RowCipher.TryOpen(aes, value, new byte[value.Ciphertext.Length], RowCipher.CropData(Guid.Parse(reader.GetString(0)), reader.GetString(1))))
                {
                    crops++;
                }
            }
        }

        return (templates, crops);
    }

    internal static Task<IReadOnlyList<string>> LinesAsync(SqliteConnection connection, string sql, CancellationToken ct, SqliteTransaction? transaction = null) =>
        connection.Command(sql, transaction).RowsAsync(r => r.GetString(0), ct);

    internal static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        using var command = connection.Command(sql);
        return await command.ExecuteScalarAsync(ct);
    }
}
