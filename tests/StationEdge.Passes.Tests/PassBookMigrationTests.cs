using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using StationEdge.Store;

namespace StationEdge.Passes.Tests;

/// <summary>
/// The upgrade from a station whose passes lived in <c>passes.db</c> (its own SQLite file and key) to schema step 4:
/// a store of schema 3 and a passes.db of the old layout, written here as the old pass book wrote them.
/// </summary>
public sealed class PassBookMigrationTests : IDisposable
{
    private readonly TempFolder _data = new("passes-upgrade-");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(PassToken.KeySize);

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Open_AStoreOfSchema3WithAPassesDb_MovesThePassesIn_AndTheyWorkAsBefore()
    {
        await StoreOfSchema3Async();
        var now = DateTimeOffset.UtcNow;
        var valid = OldPass(PassKind.Worker, "W001", null, now.AddDays(3), revoked: false);
        var revoked = OldPass(PassKind.Worker, "W001", null, now.AddDays(3), revoked: true);
        var guest = OldPass(PassKind.Visitor, null, "王五", now.AddHours(4), revoked: false);
        var visit = Guid.NewGuid();
        WriteOldPassesDb([valid, revoked, guest], (visit, guest.Id));

        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = _data.Path });
        var book = await PassBook.OpenAsync(store);

        Assert.True(store.SchemaVersion >= 4, $"the store is at schema {store.SchemaVersion}");
        Assert.Equal(PassVerdict.Valid, book.Verify(Code(valid))!.Verdict);
        Assert.Equal(PassVerdict.Revoked, book.Verify(Code(revoked))!.Verdict);
        Assert.Equal("keeper:wang", book.Verify(Code(revoked))!.Pass!.RevokedBy);
        Assert.Equal(PassVerdict.Valid, book.Verify(Code(guest))!.Verdict);
        Assert.Equal("王五", (await book.FindUsesAsync([visit]))[visit].VisitorName);
        Assert.Equal(3, book.List().Count);
        // The same key signs new passes: a code made now is the code the old book made.
        Assert.Equal(Code(valid), book.CodeOf(book.Find(valid.Id)!));
        Assert.False(File.Exists(Path.Combine(_data.Path, PassBook.FileName)));
        Assert.True(File.Exists(Path.Combine(_data.Path, PassBook.FileName + ".migrated")));
        var check = await StationStore.CheckAsync(new StoreOptions { DataPath = _data.Path });
        Assert.True(check.Healthy, string.Join("; ", check.Problems));
        Assert.Equal(3, check.Counts!.Passes);
    }

    [Fact]
    public async Task Open_WithAPassesDbThatIsNoDatabase_FailsNamingIt_AndLeavesTheStoreAtSchema3()
    {
        await StoreOfSchema3Async();
        var path = Path.Combine(_data.Path, PassBook.FileName);
        File.WriteAllText(path, "not sqlite, just text that is long enough to have a header " + new string('x', 200));

        var e = await Assert.ThrowsAsync<StoreException>(() => StationStore.OpenAsync(new StoreOptions { DataPath = _data.Path }));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "station.db")};Pooling=False");
        await connection.OpenAsync();
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        Assert.Equal(3L, (long)(await version.ExecuteScalarAsync())!);
    }

    private string Code(PassRecord pass) => PassToken.Sign(new PassClaims(pass.Kind, pass.Id, pass.WorkerId, pass.ExpiresAt), _key);

    private static PassRecord OldPass(PassKind kind, string? worker, string? visitor, DateTimeOffset expires, bool revoked) => new(
        Guid.NewGuid(), kind, worker, visitor, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds()), "keeper:li",
        revoked ? DateTimeOffset.UtcNow.AddMinutes(-5) : null, revoked ? "keeper:wang" : null);

    /// <summary>A store as schema 3 left it: made new, then the step-4 tables dropped and the version set back.</summary>
    private async Task StoreOfSchema3Async()
    {
        string database;
        await using (var store = await StationStore.OpenAsync(new StoreOptions { DataPath = _data.Path }))
        {
            database = store.DatabasePath;
        }

        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        await connection.OpenAsync();
        using var back = connection.CreateCommand();
        // Back to schema 3: the steps after it undone (4, the passes; 5, the workers' consent scope).
        back.CommandText = """
            DROP TABLE pass_uses; DROP TABLE passes; DELETE FROM meta WHERE key = 'pass_hmac_key';
            ALTER TABLE workers DROP COLUMN consent_scope; ALTER TABLE workers DROP COLUMN consent_scope_at;
            ALTER TABLE workers DROP COLUMN consent_scope_by;
            PRAGMA user_version = 3;
            """;
        await back.ExecuteNonQueryAsync();
    }

    /// <summary>passes.db in the layout the pass book kept before schema step 4 (its tables, its key in meta).</summary>
    private void WriteOldPassesDb(IEnumerable<PassRecord> passes, (Guid Visit, Guid Pass) use)
    {
        const string format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        static string T(DateTimeOffset t) => t.UtcDateTime.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, PassBook.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
            CREATE TABLE passes (id TEXT PRIMARY KEY, kind INTEGER NOT NULL, worker_id TEXT, visitor_name TEXT,
                issued_at TEXT NOT NULL, expires_at TEXT NOT NULL, issued_by TEXT NOT NULL, revoked_at TEXT, revoked_by TEXT) STRICT;
            CREATE TABLE pass_uses (visit_id TEXT PRIMARY KEY, pass_id TEXT NOT NULL REFERENCES passes (id) ON DELETE CASCADE, time TEXT NOT NULL) STRICT;
            INSERT INTO meta (key, value) VALUES ('hmac_key', $key);
            """;
        command.Parameters.AddWithValue("$key", _key);
        command.ExecuteNonQuery();
        foreach (var p in passes)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO passes VALUES ($id, $kind, $worker, $visitor, $issued, $expires, $by, $rat, $rby)";
            insert.Parameters.AddWithValue("$id", p.Id.ToString());
            insert.Parameters.AddWithValue("$kind", (long)p.Kind);
            insert.Parameters.AddWithValue("$worker", (object?)p.WorkerId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$visitor", (object?)p.VisitorName ?? DBNull.Value);
            insert.Parameters.AddWithValue("$issued", T(p.IssuedAt));
            insert.Parameters.AddWithValue("$expires", T(p.ExpiresAt));
            insert.Parameters.AddWithValue("$by", p.IssuedBy);
            insert.Parameters.AddWithValue("$rat", p.RevokedAt is { } r ? T(r) : DBNull.Value);
            insert.Parameters.AddWithValue("$rby", (object?)p.RevokedBy ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }

        using var used = connection.CreateCommand();
        used.CommandText = "INSERT INTO pass_uses VALUES ($v, $p, $t)";
        used.Parameters.AddWithValue("$v", use.Visit.ToString());
        used.Parameters.AddWithValue("$p", use.Pass.ToString());
        used.Parameters.AddWithValue("$t", T(DateTimeOffset.UtcNow));
        used.ExecuteNonQuery();
    }
}
