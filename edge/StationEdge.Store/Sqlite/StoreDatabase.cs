using System.Globalization;
using Microsoft.Data.Sqlite;

namespace StationEdge.Store.Sqlite;

/// <summary>
/// Connections to one database file. Each unit of work opens its own short-lived connection from the pool (so any
/// thread may read while the access loop writes, and no connection is ever shared between threads); writes also pass
/// an in-process gate, so this process's writers queue in order instead of polling SQLite's busy handler, and begin
/// with <c>BEGIN IMMEDIATE</c>, so a writer of another process (a command beside the daemon) waits up to
/// <c>busy_timeout</c> rather than failing halfway through a transaction.
/// </summary>
internal sealed class StoreDatabase : IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _pragmas;

    public StoreDatabase(string dataPath, string databasePath, int busyTimeoutMs)
    {
        DataPath = dataPath;
        DatabasePath = databasePath;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, busyTimeoutMs / 1000),
        }.ToString();
        _pragmas = $"PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busyTimeoutMs};";
    }

    public string DataPath { get; }

    public string DatabasePath { get; }

    public string ConnectionString { get; }

    /// <summary>An open connection with the per-connection settings applied (synchronous, foreign keys, busy timeout).</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<T> ReadAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken ct)
    {
        try
        {
            await using var connection = await OpenAsync(ct);
            return await work(connection);
        }
        catch (SqliteException e)
        {
            throw Translate(e, "the read");
        }
    }

    /// <summary>Runs <paramref name="work"/> in one write transaction; <paramref name="what"/> names it in a failure ("the visit").</summary>
    public async Task<T> WriteAsync<T>(string what, Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(connection, transaction);
            transaction.Commit();
            return result;
        }
        catch (SqliteException e)
        {
            throw Translate(e, what);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Closes the pooled connections to this file (the last close checkpoints the WAL).</summary>
    public void ReleaseConnections()
    {
        using var connection = new SqliteConnection(ConnectionString);
        SqliteConnection.ClearPool(connection);
    }

    public void Dispose()
    {
        ReleaseConnections();
        _writeGate.Dispose();
    }

    /// <summary>A one-line <see cref="StoreException"/> for a SQLite failure, naming the file or folder concerned.</summary>
    public StoreException Translate(SqliteException e, string what) => Translate(e, what, DataPath, DatabasePath);

    public static StoreException Translate(SqliteException e, string what, string dataPath, string databasePath)
    {
        var detail = Detail(e);
        switch (e.SqliteErrorCode)
        {
            case SQLitePCL.raw.SQLITE_FULL:
                return DiskFull(what, dataPath, e);
            case SQLitePCL.raw.SQLITE_IOERR when IsFull(dataPath):
                return DiskFull(what, dataPath, e);
            case SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB:
                return Corrupt(databasePath, dataPath, detail, e);
            case SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED:
                return new StoreException(StoreFault.InUse, $"{databasePath} stayed locked by another process: {what} was not stored ({detail})", e);
            case SQLitePCL.raw.SQLITE_CONSTRAINT:
                return new StoreException(StoreFault.Conflict, $"{what} conflicts with a stored row ({detail})", e);
            default:
                return new StoreException(StoreFault.Io, $"{databasePath}: {what} failed ({detail})", e);
        }
    }

    public static StoreException Corrupt(string databasePath, string dataPath, string detail, Exception? inner = null) =>
        new(StoreFault.Corrupt,
            $"{databasePath} is damaged ({detail}): stop the daemon and run 'station-edge store recover --data {dataPath}' (it keeps a copy of the damaged file)",
            inner);

    private static StoreException DiskFull(string what, string dataPath, Exception inner) =>
        new(StoreFault.DiskFull, $"the data folder {dataPath} is full: {what} was not stored (what is stored is kept; writes resume when space is freed)", inner);

    private static bool IsFull(string dataPath)
    {
        try
        {
            return new DriveInfo(dataPath).AvailableFreeSpace < 64 * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>SQLite's own words without the provider's wrapping ("SQLite Error 26: 'file is not a database'." → "file is not a database").</summary>
    internal static string Detail(SqliteException e)
    {
        var text = OneLine(e.Message);
        var quote = text.IndexOf('\'', StringComparison.Ordinal);
        return text.StartsWith("SQLite Error ", StringComparison.Ordinal) && quote > 0 && text.EndsWith("'.", StringComparison.Ordinal)
            ? text[(quote + 1)..^2]
            : text;
    }
}

/// <summary>How times, dates and ids are written in the database: fixed-width UTC text that sorts as it reads.</summary>
internal static class Column
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset Time(string text) =>
        new(DateTime.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero);

    /// <summary>To millisecond precision, as stored, so a record returned after a write equals the one read back.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static object Value(object? value) => value ?? DBNull.Value;

    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, Value(value));
        return command;
    }

    /// <summary>Runs the query and maps each row; the command is disposed.</summary>
    public static async Task<IReadOnlyList<T>> RowsAsync<T>(this SqliteCommand command, Func<SqliteDataReader, T> map, CancellationToken ct)
    {
        using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    /// <summary>Binds <c>$since</c> (null: no lower bound) and <c>$limit</c> of a newest-first listing.</summary>
    public static SqliteCommand Since(this SqliteCommand command, DateTimeOffset? since, int limit) =>
        command.With("$since", since is { } s ? Time(s) : null).With("$limit", limit);

    public static string? NullableString(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static float? NullableFloat(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : (float)reader.GetDouble(ordinal);
}
