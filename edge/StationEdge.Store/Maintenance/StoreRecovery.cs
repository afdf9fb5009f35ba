using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Data.Sqlite;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store.Maintenance;

/// <summary>
/// <c>store recover</c>, in this order (README.md, "Recovering a damaged database"):
/// <list type="number">
/// <item>Take the store's lock exclusively: refused while the daemon or a command has it open.</item>
/// <item>Copy the damaged files (database, WAL, shared memory) into <c>broken-TIME/</c> in the data folder. That copy
/// is never opened by SQLite, so it stays byte for byte what was found.</item>
/// <item>Work on a second, scratch copy: when its 100-byte header is damaged, write a fresh one (the page size and
/// format are fixed by this store), then read every table in rowid order, skipping stretches SQLite cannot read.</item>
/// <item>Build a new database beside the old one at the current schema, insert the rows read, drop rows whose parent
/// was lost (a template without its worker), raise the sequence counters above any number the old file could hold.</item>
/// <item>Only then replace the damaged files with the new database. A failure before this step leaves them as they were.</item>
/// </list>
/// The device key file is not touched.
/// </summary>
internal static class StoreRecovery
{
    // A visit row takes at least ~64 bytes, so a 4 KiB page never holds more than 64 of them: after losing the
    // sequence counter, numbers restart above what every page of the old file could have held.
    private const int MaxRowsPerPage = 64;
    // The outbox's seq is the link's counter: reused, the county would take new visits for ones it already has.
    private static readonly string[] Sequenced = ["visits", "door_events", "audit", "outbox"];
    private static readonly string[] Suffixes = ["", "-wal", "-shm"];

    public static async Task<StoreRecoveryReport> RunAsync(StorePaths paths, int busyTimeoutMs, TimeProvider time, CancellationToken ct)
    {
        if (!File.Exists(paths.DatabasePath))
        {
            throw new StoreException(StoreFault.NotFound, $"no database at {paths.DatabasePath}: nothing to recover");
        }

        using var exclusive = paths.Lock(exclusive: true);
        ClearPool(paths.DatabasePath);
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var kept = Unique(Path.Combine(paths.DataPath, $"broken-{stamp}"));
        var scratch = Path.Combine(kept, "scratch");
        var rebuilt = paths.DatabasePath + ".rebuilding";
        try
        {
            StorePaths.CreatePrivateFolder(kept);
            Directory.CreateDirectory(scratch);
            CopyDatabase(paths.DatabasePath, kept);
            CopyDatabase(paths.DatabasePath, scratch);
            var scratchDb = Path.Combine(scratch, Path.GetFileName(paths.DatabasePath));
            DeleteDatabase(rebuilt);

            var (source, headerRepaired) = await OpenDamagedAsync(scratchDb, ct);
            var tables = new List<TableRecovery>();
            long nextSeq;
            using var target = new StoreDatabase(paths.DataPath, rebuilt, busyTimeoutMs);
            try
            {
                await StationStore.PrepareAsync(target, paths with { DatabasePath = rebuilt }, Schema.Steps, ct);
                await using var connection = await target.OpenAsync(ct);
                using (var off = connection.Command("PRAGMA foreign_keys = OFF"))
                {
                    await off.ExecuteNonQueryAsync(ct);
                }

                using (var transaction = connection.BeginTransaction())
                {
                    foreach (var table in Schema.Tables)
                    {
                        tables.Add(source is null ? new TableRecovery(table, 0, 0) : await CopyTableAsync(source, connection, transaction, table, ct));
                    }

                    await DropOrphansAsync(connection, transaction, ct);
                    nextSeq = await RaiseSequencesAsync(source, connection, transaction, new FileInfo(scratchDb).Length / Schema.PageSize, ct);
                    transaction.Commit();
                }

                var check = await StoreCheck.LinesAsync(connection, "PRAGMA quick_check", ct);
                if (check is not ["ok"])
                {
                    throw new StoreException(StoreFault.Io, $"the rebuilt database {rebuilt} failed its own check ({string.Join("; ", check)}); {paths.DatabasePath} is unchanged");
                }
            }
            finally
            {
                if (source is not null)
                {
                    await source.DisposeAsync();
                }

                target.ReleaseConnections();
            }

            DeleteDatabase(paths.DatabasePath);
            foreach (var suffix in Suffixes.Where(s => File.Exists(rebuilt + s)))
            {
                File.Move(rebuilt + suffix, paths.DatabasePath + suffix);
            }

            Directory.Delete(scratch, recursive: true);
            return new StoreRecoveryReport(paths.DatabasePath, kept, headerRepaired, tables, nextSeq);
        }
        catch (SqliteException e)
        {
            DeleteDatabase(rebuilt);
            throw StoreDatabase.Translate(e, "the rebuild", paths.DataPath, rebuilt);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteDatabase(rebuilt);
            throw new StoreException(StoreFault.Io, $"recover stopped, {paths.DatabasePath} is unchanged: {e.Message}", e);
        }
        catch
        {
            DeleteDatabase(rebuilt);
            throw;
        }
    }

    /// <summary>Opens the scratch copy, rewriting its header when SQLite refuses it; null when nothing can be read at all.</summary>
    private static async Task<(SqliteConnection? Connection, bool HeaderRepaired)> OpenDamagedAsync(string path, CancellationToken ct)
    {
        var repaired = false;
        if (!DatabaseHeader.LooksValid(path))
        {
            DatabaseHeader.Rewrite(path);
            repaired = true;
        }

        while (true)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
            try
            {
                await connection.OpenAsync(ct);
                await StoreCheck.LinesAsync(connection, "SELECT name FROM sqlite_schema", ct);
                return (connection, repaired);
            }
            catch (SqliteException)
            {
                await connection.DisposeAsync();
                if (repaired)
                {
                    return (null, repaired);
                }

                DatabaseHeader.Rewrite(path);
                repaired = true;
            }
        }
    }

    /// <summary>Copies the rows of one table that can be read, in rowid order, jumping over stretches that cannot.</summary>
    private static async Task<TableRecovery> CopyTableAsync(SqliteConnection source, SqliteConnection target, SqliteTransaction transaction, string table, CancellationToken ct)
    {
        var columns = await ColumnsAsync(source, table, ct);
        if (columns.Count == 0)
        {
            return new TableRecovery(table, 0, 0);
        }

        columns.IntersectWith(await ColumnsAsync(target, table, ct, transaction));
        var names = columns.ToArray();
        using var insert = target.Command(
            $"INSERT OR IGNORE INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i))})", transaction);
        // No declared type: each value binds as what it was read as (TEXT, INTEGER, REAL or BLOB), so rows copy as they are.
        var parameters = names.Select((_, i) => insert.Parameters.AddWithValue("$p" + i, DBNull.Value)).ToArray();
        long copied = 0, last = long.MinValue;
        var stretches = 0;
        while (true)
        {
            try
            {
                using var select = source.Command($"SELECT rowid, {string.Join(", ", names)} FROM {table} WHERE rowid > $last ORDER BY rowid").With("$last", last);
                await using var reader = await select.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    last = reader.GetInt64(0);
                    for (var i = 0; i < names.Length; i++)
                    {
                        parameters[i].Value = reader.GetValue(i + 1);
                    }

                    copied += await TryInsertAsync(insert, ct);
                }

                return new TableRecovery(table, copied, stretches);
            }
            catch (SqliteException)
            {
                stretches++;
                if (await NextReadableRowidAsync(source, table, last, ct) is not { } next)
                {
                    return new TableRecovery(table, copied, stretches);
                }

                last = next - 1;
            }
        }
    }

    private static async Task<int> TryInsertAsync(SqliteCommand insert, CancellationToken ct)
    {
        try
        {
            return await insert.ExecuteNonQueryAsync(ct);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_CONSTRAINT)
        {
            // A damaged row that reads back with the wrong type or a failing check: left out.
            return 0;
        }
    }

    /// <summary>
    /// The first rowid after <paramref name="last"/> that SQLite can seek to, probing ever further ahead, then narrowing
    /// back so as few readable rows as possible are skipped. Null: none can be reached.
    /// </summary>
    private static async Task<long?> NextReadableRowidAsync(SqliteConnection source, string table, long last, CancellationToken ct)
    {
        var from = last == long.MinValue ? 0 : last;
        long failed = from, found = -1, reached = -1;
        for (var step = 1L; step > 0 && step < long.MaxValue / 4; step *= 2)
        {
            var probe = await MinRowidAfterAsync(source, table, from + step, ct);
            if (probe.Readable)
            {
                (found, reached) = (from + step, probe.Rowid ?? -1);
                break;
            }

            failed = from + step;
        }

        if (found < 0)
        {
            return null;
        }

        while (found - failed > 1)
        {
            var middle = failed + ((found - failed) / 2);
            var probe = await MinRowidAfterAsync(source, table, middle, ct);
            if (probe.Readable)
            {
                (found, reached) = (middle, probe.Rowid ?? -1);
            }
            else
            {
                failed = middle;
            }
        }

        return reached < 0 ? null : reached;
    }

    private static async Task<(bool Readable, long? Rowid)> MinRowidAfterAsync(SqliteConnection source, string table, long after, CancellationToken ct)
    {
        try
        {
            using var command = source.Command($"SELECT rowid FROM {table} WHERE rowid > $after ORDER BY rowid LIMIT 1").With("$after", after);
            var value = await command.ExecuteScalarAsync(ct);
            return (true, value is long rowid ? rowid : null);
        }
        catch (SqliteException)
        {
            return (false, null);
        }
    }

    private static async Task<HashSet<string>> ColumnsAsync(SqliteConnection connection, string table, CancellationToken ct, SqliteTransaction? transaction = null)
    {
        try
        {
            return [.. await StoreCheck.LinesAsync(connection, $"SELECT name FROM pragma_table_info('{table}')", ct, transaction)];
        }
        catch (SqliteException)
        {
            return [];
        }
    }

    private static async Task DropOrphansAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken ct)
    {
        using var command = connection.Command("""
            DELETE FROM templates WHERE worker_id NOT IN (SELECT id FROM workers);
            DELETE FROM crops WHERE template_id NOT IN (SELECT id FROM templates);
            UPDATE outbox SET visit_id = NULL WHERE visit_id IS NOT NULL AND visit_id NOT IN (SELECT id FROM visits);
            DELETE FROM pass_uses WHERE pass_id NOT IN (SELECT id FROM passes);
            """, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Keeps sequence numbers from ever being reused: each counter continues from the old file's counter when that can
    /// be read, else from above anything the old file could have held. Returns the next visit's number.
    /// </summary>
    private static async Task<long> RaiseSequencesAsync(SqliteConnection? source, SqliteConnection target, SqliteTransaction transaction, long pages, CancellationToken ct)
    {
        long nextVisit = 1;
        foreach (var table in Sequenced)
        {
            using var max = target.Command($"SELECT coalesce(max(rowid), 0) FROM {table}", transaction);
            var copiedMax = (long)(await max.ExecuteScalarAsync(ct))!;
            var old = source is null ? null : await OldSequenceAsync(source, table, ct);
            var floor = old is { } o ? Math.Max(o, copiedMax) : copiedMax + (pages * MaxRowsPerPage);
            using var raise = target.Command("""
                INSERT INTO sqlite_sequence (name, seq) SELECT $name, 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $name);
                UPDATE sqlite_sequence SET seq = max(seq, $floor) WHERE name = $name;
                """, transaction).With("$name", table).With("$floor", floor);
            await raise.ExecuteNonQueryAsync(ct);
            if (table == "visits")
            {
                nextVisit = floor + 1;
            }
        }

        return nextVisit;
    }

    private static async Task<long?> OldSequenceAsync(SqliteConnection source, string table, CancellationToken ct)
    {
        try
        {
            using var command = source.Command("SELECT seq FROM sqlite_sequence WHERE name = $name").With("$name", table);
            return await command.ExecuteScalarAsync(ct) as long?;
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    private static void CopyDatabase(string databasePath, string folder)
    {
        foreach (var suffix in Suffixes)
        {
            if (File.Exists(databasePath + suffix))
            {
                File.Copy(databasePath + suffix, Path.Combine(folder, Path.GetFileName(databasePath) + suffix));
            }
        }
    }

    private static void DeleteDatabase(string databasePath)
    {
        foreach (var suffix in Suffixes)
        {
            File.Delete(databasePath + suffix);
        }
    }

    private static string Unique(string folder)
    {
        var candidate = folder;
        for (var n = 2; Directory.Exists(candidate); n++)
        {
            candidate = $"{folder}-{n}";
        }

        return candidate;
    }

    private static void ClearPool(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath }.ToString());
        SqliteConnection.ClearPool(connection);
    }
}

/// <summary>The 100-byte SQLite file header (sqlite.org/fileformat.html §1.3), as far as a rebuild needs it.</summary>
internal static class DatabaseHeader
{
    public const int Size = 100;
    private static readonly byte[] Magic = "SQLite format 3\0"u8.ToArray();

    /// <summary>The fields this store fixes (magic, page size, payload fractions, encoding) hold their values.</summary>
    public static bool LooksValid(string path)
    {
        var header = Read(path);
        return header.Length == Size
            && header.AsSpan(0, 16).SequenceEqual(Magic)
            && BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(16)) == Schema.PageSize
            && header[18] is 1 or 2 && header[19] is 1 or 2
            && header[21] == 64 && header[22] == 32 && header[23] == 32
            && BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(56)) is 1;
    }

    /// <summary>
    /// Writes a header that describes the file as this store creates it: 4 KiB pages, UTF-8, no free-list (its pages
    /// are lost, which a read does not notice), a page count from the file's size, WAL when a WAL file lies beside it.
    /// </summary>
    public static void Rewrite(string path)
    {
        var header = new byte[Size];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16), Schema.PageSize);
        var wal = new FileInfo(path + "-wal") is { Exists: true, Length: > 0 };
        header[18] = header[19] = (byte)(wal ? 2 : 1);
        header[21] = 64;
        header[22] = 32;
        header[23] = 32;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(28), (uint)(new FileInfo(path).Length / Schema.PageSize));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(40), 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(44), 4);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(56), 1);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(68), Schema.ApplicationId);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(92), 1);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(96), 3_053_000);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Write(header);
    }

    private static byte[] Read(string path)
    {
        using var stream = File.OpenRead(path);
        var header = new byte[Size];
        return stream.ReadAtLeast(header, Size, throwOnEndOfStream: false) == Size ? header : [];
    }
}
