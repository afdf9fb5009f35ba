using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace StationEdge.Passes;

/// <summary>An issued pass as the pass book keeps it. <see cref="VisitorName"/> is set for visitor passes only.</summary>
public sealed record PassRecord(
    Guid Id,
    PassKind Kind,
    string? WorkerId,
    string? VisitorName,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string IssuedBy,
    DateTimeOffset? RevokedAt = null,
    string? RevokedBy = null)
{
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && now < ExpiresAt;
}

public enum PassVerdict
{
    Valid,

    /// <summary>Claims to be a station pass but its signature does not hold: altered, made up, or another station's.</summary>
    Forged,

    /// <summary>Signed by this station but not in its pass book (the book was lost or replaced): refused, failing secure.</summary>
    Unknown,

    Revoked,
    Expired,
}

/// <summary>What a code read at the door comes to. <see cref="Pass"/> is the book's record, when the code names one.</summary>
public sealed record PassCheck(PassVerdict Verdict, PassRecord? Pass)
{
    /// <summary>The visit's reason code: <c>pass</c> when valid, else <c>pass_forged</c>, <c>pass_unknown</c>, <c>pass_revoked</c>, <c>pass_expired</c>.</summary>
    public string Reason => Verdict switch
    {
        PassVerdict.Valid => "pass",
        PassVerdict.Forged => "pass_forged",
        PassVerdict.Unknown => "pass_unknown",
        PassVerdict.Revoked => "pass_revoked",
        _ => "pass_expired",
    };
}

/// <summary>
/// The station's passes: <c>passes.db</c> (SQLite, mode 0600) in the data folder beside <c>station.db</c>, holding the
/// HMAC key, every pass issued and which visit each use became. A code is valid only when its signature holds and
/// the book holds it unrevoked and unexpired, so losing the file invalidates every pass (fail-secure) rather than
/// reviving revoked ones. <see cref="Verify"/> runs from memory (an HMAC and a lookup) for the door; writes go to the
/// file first, then to memory. Passes that expired more than <see cref="KeepExpiredDays"/> days ago are dropped at open.
/// </summary>
public sealed class PassBook : IDisposable
{
    public const string FileName = "passes.db";
    public const int KeepExpiredDays = 90;
    public const int MaxNameLength = 40;
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private readonly string _connectionString;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly Dictionary<Guid, PassRecord> _passes;

    private PassBook(string path, string connectionString, byte[] key, Dictionary<Guid, PassRecord> passes, TimeProvider time)
    {
        Path = path;
        _connectionString = connectionString;
        _key = key;
        _passes = passes;
        _time = time;
    }

    public string Path { get; }

    /// <summary>Opens (creating when absent) the pass book in <paramref name="dataFolder"/>.</summary>
    /// <exception cref="PassBookException">The file cannot be created, opened or read; the message names it.</exception>
    public static PassBook Open(string dataFolder, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataFolder);
        time ??= TimeProvider.System;
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataFolder), FileName);
        try
        {
            CreatePrivate(path);
            var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString();
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
                CREATE TABLE IF NOT EXISTS passes (id TEXT PRIMARY KEY, kind INTEGER NOT NULL, worker_id TEXT, visitor_name TEXT,
                    issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, issued_by TEXT NOT NULL, revoked_at TEXT, revoked_by TEXT) STRICT;
                CREATE TABLE IF NOT EXISTS pass_uses (visit_id TEXT PRIMARY KEY, pass_id TEXT NOT NULL REFERENCES passes (id) ON DELETE CASCADE,
                    time TEXT NOT NULL) STRICT;
                CREATE INDEX IF NOT EXISTS pass_uses_by_pass ON pass_uses (pass_id);
                """);
            var key = ReadOrCreateKey(connection);
            Execute(connection, "PRAGMA foreign_keys = ON; DELETE FROM passes WHERE expires_at < $cutoff",
                ("$cutoff", Text(time.GetUtcNow().AddDays(-KeepExpiredDays))));
            var passes = new Dictionary<Guid, PassRecord>();
            using (var select = connection.CreateCommand())
            {
                select.CommandText = "SELECT id, kind, worker_id, visitor_name, issued_at, expires_at, issued_by, revoked_at, revoked_by FROM passes";
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    var record = new PassRecord(
                        Guid.Parse(reader.GetString(0)), (PassKind)reader.GetInt64(1), Nullable(reader, 2), Nullable(reader, 3),
                        Time(reader.GetString(4)), Time(reader.GetString(5)), reader.GetString(6),
                        Nullable(reader, 7) is { } revoked ? Time(revoked) : null, Nullable(reader, 8));
                    passes[record.Id] = record;
                }
            }

            return new PassBook(path, connectionString, key, passes, time);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or FormatException)
        {
            throw new PassBookException($"the pass book {path} cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>A pass for an enrolled worker, valid for <paramref name="validFor"/> from now.</summary>
    public Task<PassRecord> IssueWorkerPassAsync(string workerId, TimeSpan validFor, string issuedBy, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        return IssueAsync(PassKind.Worker, workerId, null, validFor, issuedBy, ct);
    }

    /// <summary>A guest's pass in their name (1–40 characters, kept in the book only), valid for <paramref name="validFor"/>.</summary>
    public Task<PassRecord> IssueVisitorPassAsync(string visitorName, TimeSpan validFor, string issuedBy, CancellationToken ct = default)
    {
        var name = visitorName?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            throw new ArgumentException($"a visitor's name must be 1-{MaxNameLength} characters without control characters", nameof(visitorName));
        }

        return IssueAsync(PassKind.Visitor, null, name, validFor, issuedBy, ct);
    }

    /// <summary>Revokes a pass; false when the book has no such pass or it was revoked already.</summary>
    public async Task<bool> RevokeAsync(Guid id, string revokedBy, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(revokedBy);
        await _writes.WaitAsync(ct);
        try
        {
            var pass = Find(id);
            if (pass is null || pass.RevokedAt is not null)
            {
                return false;
            }

            var revoked = pass with { RevokedAt = _time.GetUtcNow(), RevokedBy = revokedBy };
            await WriteAsync("UPDATE passes SET revoked_at = $at, revoked_by = $by WHERE id = $id", ct,
                ("$at", Text(revoked.RevokedAt!.Value)), ("$by", revokedBy), ("$id", id.ToString()));
            lock (_gate)
            {
                _passes[id] = revoked;
            }

            return true;
        }
        finally
        {
            _writes.Release();
        }
    }

    public PassRecord? Find(Guid id)
    {
        lock (_gate)
        {
            return _passes.GetValueOrDefault(id);
        }
    }

    /// <summary>Every pass the book holds, newest first.</summary>
    public IReadOnlyList<PassRecord> List()
    {
        lock (_gate)
        {
            return [.. _passes.Values.OrderByDescending(p => p.IssuedAt)];
        }
    }

    /// <summary>The text the pass's QR code carries (made again from the record: the same every time).</summary>
    public string CodeOf(PassRecord pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        return PassToken.Sign(new PassClaims(pass.Kind, pass.Id, pass.WorkerId, pass.ExpiresAt), _key);
    }

    /// <summary>
    /// What a code read at the door comes to, from memory. Null when the text is no station pass at all (another QR
    /// code in view), which the door ignores.
    /// </summary>
    public PassCheck? Verify(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!PassToken.Claims(text))
        {
            return null;
        }

        if (PassToken.Open(text, _key) is not { } claims)
        {
            return new PassCheck(PassVerdict.Forged, null);
        }

        var pass = Find(claims.Id);
        if (pass is null)
        {
            return new PassCheck(PassVerdict.Unknown, null);
        }

        if (pass.Kind != claims.Kind || pass.WorkerId != claims.WorkerId || pass.ExpiresAt.ToUnixTimeSeconds() != claims.ExpiresAt.ToUnixTimeSeconds())
        {
            return new PassCheck(PassVerdict.Forged, null);
        }

        return pass.RevokedAt is not null ? new PassCheck(PassVerdict.Revoked, pass)
            : _time.GetUtcNow() >= pass.ExpiresAt ? new PassCheck(PassVerdict.Expired, pass)
            : new PassCheck(PassVerdict.Valid, pass);
    }

    /// <summary>Notes that <paramref name="visitId"/> (a stored visit) came from <paramref name="passId"/>: the keeper's list shows the guest's name.</summary>
    public async Task RecordUseAsync(Guid passId, Guid visitId, CancellationToken ct = default)
    {
        await _writes.WaitAsync(ct);
        try
        {
            await WriteAsync("INSERT OR REPLACE INTO pass_uses (visit_id, pass_id, time) VALUES ($visit, $pass, $time)", ct,
                ("$visit", visitId.ToString()), ("$pass", passId.ToString()), ("$time", Text(_time.GetUtcNow())));
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>The pass behind each of <paramref name="visitIds"/> that came from one.</summary>
    public async Task<IReadOnlyDictionary<Guid, PassRecord>> FindUsesAsync(IReadOnlyCollection<Guid> visitIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitIds);
        var found = new Dictionary<Guid, PassRecord>();
        if (visitIds.Count == 0)
        {
            return found;
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT visit_id, pass_id FROM pass_uses WHERE visit_id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(visitIds.Select(v => v.ToString())));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (Find(Guid.Parse(reader.GetString(1))) is { } pass)
            {
                found[Guid.Parse(reader.GetString(0))] = pass;
            }
        }

        return found;
    }

    public void Dispose() => _writes.Dispose();

    private async Task<PassRecord> IssueAsync(PassKind kind, string? workerId, string? visitorName, TimeSpan validFor, string issuedBy, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuedBy);
        if (validFor <= TimeSpan.Zero || validFor > TimeSpan.FromDays(366))
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, "a pass is valid for more than nothing and at most a year");
        }

        var now = _time.GetUtcNow();
        // Whole seconds: the code carries Unix seconds, and the book must agree with it.
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + validFor).ToUnixTimeSeconds());
        var pass = new PassRecord(new Guid(RandomNumberGenerator.GetBytes(16)), kind, workerId, visitorName, now, expires, issuedBy);
        await _writes.WaitAsync(ct);
        try
        {
            await WriteAsync("""
                INSERT INTO passes (id, kind, worker_id, visitor_name, issued_at, expires_at, issued_by)
                VALUES ($id, $kind, $worker, $visitor, $issued, $expires, $by)
                """, ct,
                ("$id", pass.Id.ToString()), ("$kind", (long)kind), ("$worker", workerId), ("$visitor", visitorName),
                ("$issued", Text(now)), ("$expires", Text(expires)), ("$by", issuedBy));
            lock (_gate)
            {
                _passes[pass.Id] = pass;
            }

            return pass;
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task WriteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(ct);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA foreign_keys = ON; " + sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            }

            await command.ExecuteNonQueryAsync(ct);
        }
        catch (SqliteException e)
        {
            throw new PassBookException($"the pass book {Path} cannot be written: {e.Message}", e);
        }
    }

    private static byte[] ReadOrCreateKey(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT value FROM meta WHERE key = 'hmac_key'";
        if (select.ExecuteScalar() is byte[] stored)
        {
            return stored.Length == PassToken.KeySize ? stored
                : throw new PassBookException($"the pass book's key is {stored.Length} bytes, not {PassToken.KeySize}");
        }

        var key = RandomNumberGenerator.GetBytes(PassToken.KeySize);
        Execute(connection, "INSERT INTO meta (key, value) VALUES ('hmac_key', $key)", ("$key", key));
        return key;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>The file holds the HMAC key: created 0600 before SQLite opens it (SQLite gives its WAL the same mode).</summary>
    private static void CreatePrivate(string path)
    {
        if (File.Exists(path))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var _ = new FileStream(path, options);
    }

    private static string? Nullable(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static string Text(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

/// <summary>The pass book's file cannot be used; the message names it.</summary>
public sealed class PassBookException : Exception
{
    public PassBookException(string message)
        : base(message)
    {
    }

    public PassBookException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public PassBookException()
    {
    }
}
