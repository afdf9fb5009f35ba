using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Store.Crypto;
using StationEdge.Store.Maintenance;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

/// <summary>
/// The station's records in one SQLite file (WAL): workers, their encrypted templates and crops, visits, door events,
/// the keeper audit log and the sync outbox. Thread-safe: every method opens its own pooled connection, so the access
/// loop's visit writes and the keeper site's reads run side by side. Failures are <see cref="StoreException"/>s with
/// one-line messages. See README.md beside this file for the schema, the faults and <c>store check|recover</c>.
/// </summary>
public sealed partial class StationStore : IAsyncDisposable
{
    private readonly StoreDatabase _db;
    private readonly RowCipher _cipher;
    private readonly UuidV7 _ids;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private readonly StoreOptions _options;

    private StationStore(StoreDatabase db, byte[] key, StoreOptions options, FileStream lockFile, int schemaVersion, TimeProvider time, ILogger logger)
    {
        _db = db;
        _cipher = new RowCipher(key);
        _options = options;
        _lock = lockFile;
        _time = time;
        _logger = logger;
        _ids = new UuidV7();
        SchemaVersion = schemaVersion;
    }

    public string DataPath => _db.DataPath;

    public string DatabasePath => _db.DatabasePath;

    public int SchemaVersion { get; }

    /// <summary>
    /// Opens (or, the first time, creates) the store in the data folder: creates the folder (0700), the database (WAL)
    /// and the device key (0600); on an existing database runs <c>PRAGMA quick_check</c> and the pending migrations.
    /// </summary>
    /// <exception cref="StoreException">
    /// The database is damaged (<see cref="StoreFault.Corrupt"/>, naming the file and the recover command), from a newer
    /// version, or the key is missing while templates exist, too open, of the wrong size or not this database's.
    /// </exception>
    public static async Task<StationStore> OpenAsync(StoreOptions options, ILogger<StationStore>? logger = null, TimeProvider? time = null, CancellationToken ct = default)
    {
        var paths = StorePaths.From(options);
        paths.EnsureDataFolder();
        var lockFile = paths.Lock(exclusive: false);
        var db = new StoreDatabase(paths.DataPath, paths.DatabasePath, options.BusyTimeoutMs);
        try
        {
            var version = await PrepareAsync(db, paths, Schema.Steps, ct);
            var key = await StoreKey.LoadAsync(db, paths, (ILogger?)logger ?? NullLogger.Instance, ct);
            var store = new StationStore(db, key, options, lockFile, version, time ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
            await store.ContinueIdsAsync(ct);
            return store;
        }
        catch (SqliteException e)
        {
            Release(db, lockFile);
            throw db.Translate(e, "opening the store");
        }
        catch
        {
            Release(db, lockFile);
            throw;
        }
    }

    /// <summary>Reports on the store without changing it: integrity, schema, key, unreadable templates and crops. Runs beside the daemon.</summary>
    public static Task<StoreCheckReport> CheckAsync(StoreOptions options, CancellationToken ct = default) =>
        StoreCheck.RunAsync(StorePaths.From(options), ct);

    /// <summary>
    /// Rebuilds a damaged database: keeps the damaged files untouched in <c>broken-TIME/</c> in the data folder, makes a
    /// new database and copies into it every row SQLite can still read (repairing a damaged file header first). The
    /// device key is kept. Needs the store to itself: refused while the daemon has it open. See README.md.
    /// </summary>
    public static Task<StoreRecoveryReport> RecoverAsync(StoreOptions options, TimeProvider? time = null, CancellationToken ct = default) =>
        StoreRecovery.RunAsync(StorePaths.From(options), options.BusyTimeoutMs, time ?? TimeProvider.System, ct);

    public ValueTask DisposeAsync()
    {
        Release(_db, _lock);
        return ValueTask.CompletedTask;
    }

    /// <summary>Creates or checks the database and applies the pending <paramref name="steps"/>; returns the schema version.</summary>
    internal static async Task<int> PrepareAsync(StoreDatabase db, StorePaths paths, IReadOnlyList<Migration> steps, CancellationToken ct)
    {
        var isNew = !File.Exists(paths.DatabasePath) || new FileInfo(paths.DatabasePath).Length == 0;
        await using var connection = await db.OpenAsync(ct);
        if (isNew)
        {
            // Page size and WAL are set once, here; WAL is a property of the file that every later connection inherits.
            using var init = connection.Command($"PRAGMA page_size = {Schema.PageSize}; PRAGMA journal_mode = WAL; PRAGMA application_id = {Schema.ApplicationId};");
            await init.ExecuteNonQueryAsync(ct);
        }
        else
        {
            await CheckIntegrityAsync(connection, paths, ct);
        }

        await Schema.MigrateAsync(connection, paths.DatabasePath, steps, ct);
        return await Schema.UserVersionAsync(connection, ct);
    }

    private static async Task CheckIntegrityAsync(SqliteConnection connection, StorePaths paths, CancellationToken ct)
    {
        var problems = await connection.Command("PRAGMA quick_check(3)").RowsAsync(r => r.GetString(0), ct);

        if (problems is not ["ok"])
        {
            throw StoreDatabase.Corrupt(paths.DatabasePath, paths.DataPath, "quick_check: " + StoreDatabase.OneLine(string.Join("; ", problems)));
        }

        using var id = connection.Command("PRAGMA application_id");
        var applicationId = Convert.ToInt32(await id.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        if (applicationId != Schema.ApplicationId)
        {
            throw new StoreException(StoreFault.InvalidInput,
                $"{paths.DatabasePath} is not a StationEdge database (application_id 0x{applicationId:x8}): point --data at the station's data folder");
        }
    }

    private async Task ContinueIdsAsync(CancellationToken ct)
    {
        // Ids stay in order across restarts even when the clock came back behind them (a Pi without a clock battery).
        var newest = await _db.ReadAsync(async c =>
        {
            using var command = c.Command("SELECT (SELECT id FROM visits ORDER BY seq DESC LIMIT 1), (SELECT max(id) FROM outbox)");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new[] { reader.NullableString(0), reader.NullableString(1) };
        }, ct);
        foreach (var text in newest)
        {
            if (Guid.TryParse(text, out var id))
            {
                _ids.ContinueAfter(id);
            }
        }
    }

    private DateTimeOffset Now() => Column.Truncate(_time.GetUtcNow());

    private static void Release(StoreDatabase db, FileStream lockFile)
    {
        db.Dispose();
        lockFile.Dispose();
    }

    private static KeeperContext Keeper(KeeperContext by)
    {
        ArgumentNullException.ThrowIfNull(by);
        Input.Text(by.Keeper, "keeper");
        Input.OptionalText(by.Address, "keeper address");
        return by;
    }

    private static async Task AuditAsync(SqliteConnection connection, SqliteTransaction transaction, KeeperContext by, string action, string? target, string? details, DateTimeOffset at, CancellationToken ct)
    {
        using var command = connection.Command(
            "INSERT INTO audit (time, keeper, action, target, details, address) VALUES ($time, $keeper, $action, $target, $details, $address)", transaction)
            .With("$time", Column.Time(at)).With("$keeper", by.Keeper).With("$action", action)
            .With("$target", target).With("$details", details).With("$address", by.Address);
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Template {TemplateId} of worker {WorkerId} refused: {Reason}")]
    private static partial void LogUnreadableTemplate(ILogger logger, Guid templateId, string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Deleted} visits before {Cutoff:o}; {Kept} older visits wait for the sync")]
    private static partial void LogRetention(ILogger logger, int deleted, DateTimeOffset cutoff, int kept);
}
