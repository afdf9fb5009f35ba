using System.Security.Cryptography;
using StationEdge.Store.Crypto;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

/// <summary>A pass as the store keeps it (schema step 4): <see cref="Kind"/> is <c>worker</c> or <c>visitor</c>; the visitor's name only for a visitor.</summary>
public sealed record StoredPass(
    Guid Id,
    string Kind,
    string? WorkerId,
    string? VisitorName,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string IssuedBy,
    DateTimeOffset? RevokedAt = null,
    string? RevokedBy = null);

public sealed partial class StationStore
{
    /// <summary>The meta row holding the passes' HMAC key, sealed under the device key; moved from passes.db by schema step 4.</summary>
    internal const string PassKeyName = "pass_hmac_key";

    /// <summary>The sealed form's prefix; a value without it is a key kept in the clear before sealing (base64).</summary>
    internal const string SealedPassKeyPrefix = "sealed1:";

    private const string PassColumns = "id, kind, worker_id, visitor_name, issued_at, expires_at, issued_by, revoked_at, revoked_by";

    /// <summary>
    /// The key passes are signed with, made the first time (<paramref name="size"/> random bytes). It rests sealed
    /// under the device key like the templates: whoever copies the database alone cannot mint passes. A key found in
    /// the clear (a store from before sealing, or one passes.db just moved in) is sealed in place.
    /// </summary>
    public Task<byte[]> PassKeyAsync(int size, CancellationToken ct = default) =>
        _db.WriteAsync("the pass key", async (c, t) =>
        {
            byte[] key;
            using (var select = c.Command($"SELECT value FROM meta WHERE key = '{PassKeyName}'", t))
            {
                var stored = await select.ExecuteScalarAsync(ct) as string;
                if (stored is not null && stored.StartsWith(SealedPassKeyPrefix, StringComparison.Ordinal))
                {
                    key = OpenPassKey(stored[SealedPassKeyPrefix.Length..]);
                    return key.Length == size ? key
                        : throw new StoreException(StoreFault.Key, $"the pass key in {DatabasePath} is {key.Length} bytes, not {size}");
                }

                key = stored is null ? RandomNumberGenerator.GetBytes(size) : Convert.FromBase64String(stored);
                if (key.Length != size)
                {
                    throw new StoreException(StoreFault.Key, $"the pass key in {DatabasePath} is {key.Length} bytes, not {size}");
                }
            }

            using var upsert = c.Command($"INSERT INTO meta (key, value) VALUES ('{PassKeyName}', $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", t)
                .With("$v", SealedPassKeyPrefix + SealPassKey(key));
            await upsert.ExecuteNonQueryAsync(ct);
            return key;
        }, ct);

    private string SealPassKey(byte[] key)
    {
        using var aes = _cipher.Create();
        return RowCipher.Pack(RowCipher.Seal(aes, key, RowCipher.PassKeyData));
    }

    private byte[] OpenPassKey(string sealedText)
    {
        using var aes = _cipher.Create();
        var value = RowCipher.Unpack(sealedText);
        var key = new byte[value?.Ciphertext.Length ?? 0];
        return value is not null && RowCipher.TryOpen(aes, value, key, RowCipher.PassKeyData) ? key
            : throw new StoreException(StoreFault.Key, $"the pass key in {DatabasePath} does not open with the device key (another station's key file, or an altered row)");
    }

    /// <summary>Stores a new pass and its <c>pass.issue</c> audit entry in one transaction.</summary>
    public Task AddPassAsync(StoredPass pass, KeeperContext by, string? details, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(pass);
        Keeper(by);
        Input.OptionalText(details, "audit details");
        if (pass.Kind is not ("worker" or "visitor") || (pass.Kind == "worker") != (pass.WorkerId is not null))
        {
            throw Input.Invalid($"a pass is a worker's (with a worker id) or a visitor's (without): {pass.Kind}");
        }

        return _db.WriteAsync($"the pass {pass.Id}", async (c, t) =>
        {
            using (var insert = c.Command($"INSERT INTO passes ({PassColumns}) VALUES ($id, $kind, $worker, $visitor, $issued, $expires, $by, NULL, NULL)", t)
                .With("$id", pass.Id.ToString()).With("$kind", pass.Kind).With("$worker", pass.WorkerId).With("$visitor", pass.VisitorName)
                .With("$issued", Column.Time(pass.IssuedAt)).With("$expires", Column.Time(pass.ExpiresAt)).With("$by", pass.IssuedBy))
            {
                await insert.ExecuteNonQueryAsync(ct);
            }

            await AuditAsync(c, t, by, "pass.issue", pass.Id.ToString(), details, Now(), ct);
            return 0;
        }, ct);
    }

    /// <summary>Revokes a pass with its <c>pass.revoke</c> audit entry in one transaction; null when there is no such pass or it was revoked already.</summary>
    public Task<StoredPass?> RevokePassAsync(Guid id, KeeperContext by, CancellationToken ct = default)
    {
        Keeper(by);
        return _db.WriteAsync($"the revocation of pass {id}", async (c, t) =>
        {
            var now = Now();
            using (var update = c.Command("UPDATE passes SET revoked_at = $at, revoked_by = $by WHERE id = $id AND revoked_at IS NULL", t)
                .With("$at", Column.Time(now)).With("$by", by.Keeper).With("$id", id.ToString()))
            {
                if (await update.ExecuteNonQueryAsync(ct) == 0)
                {
                    return null;
                }
            }

            await AuditAsync(c, t, by, "pass.revoke", id.ToString(), null, now, ct);
            var rows = await c.Command($"SELECT {PassColumns} FROM passes WHERE id = $id", t).With("$id", id.ToString()).RowsAsync(ReadPass, ct);
            return rows[0];
        }, ct);
    }

    public Task<StoredPass?> FindPassAsync(Guid id, CancellationToken ct = default) =>
        _db.ReadAsync(async c => (await c.Command($"SELECT {PassColumns} FROM passes WHERE id = $id").With("$id", id.ToString()).RowsAsync(ReadPass, ct)) is [var pass] ? pass : null, ct);

    /// <summary>Every pass, newest first.</summary>
    public Task<IReadOnlyList<StoredPass>> ListPassesAsync(CancellationToken ct = default) =>
        _db.ReadAsync(c => c.Command($"SELECT {PassColumns} FROM passes ORDER BY issued_at DESC, rowid DESC").RowsAsync(ReadPass, ct), ct);

    /// <summary>Drops passes that expired before <paramref name="cutoff"/> (and their uses); returns how many.</summary>
    public Task<int> DropPassesExpiredBeforeAsync(DateTimeOffset cutoff, CancellationToken ct = default) =>
        _db.WriteAsync("the expired passes", async (c, t) =>
        {
            using var delete = c.Command("DELETE FROM pass_uses WHERE pass_id IN (SELECT id FROM passes WHERE expires_at < $cutoff); DELETE FROM passes WHERE expires_at < $cutoff", t)
                .With("$cutoff", Column.Time(cutoff));
            return await delete.ExecuteNonQueryAsync(ct);
        }, ct);

    /// <summary>Notes that the stored visit <paramref name="visitId"/> came from <paramref name="passId"/>.</summary>
    public Task RecordPassUseAsync(Guid passId, Guid visitId, CancellationToken ct = default) =>
        _db.WriteAsync($"the use of pass {passId}", async (c, t) =>
        {
            using var insert = c.Command("INSERT OR REPLACE INTO pass_uses (visit_id, pass_id, time) VALUES ($visit, $pass, $time)", t)
                .With("$visit", visitId.ToString()).With("$pass", passId.ToString()).With("$time", Column.Time(Now()));
            return await insert.ExecuteNonQueryAsync(ct);
        }, ct);

    /// <summary>The pass behind each of <paramref name="visitIds"/> that came from one.</summary>
    public async Task<IReadOnlyDictionary<Guid, StoredPass>> FindPassUsesAsync(IReadOnlyCollection<Guid> visitIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitIds);
        if (visitIds.Count == 0)
        {
            return new Dictionary<Guid, StoredPass>();
        }

        var rows = await _db.ReadAsync(c => c.Command($"""
            SELECT u.visit_id, {string.Join(", ", PassColumns.Split(", ").Select(n => "p." + n))}
            FROM pass_uses u JOIN passes p ON p.id = u.pass_id
            WHERE u.visit_id IN (SELECT value FROM json_each($ids))
            """).With("$ids", System.Text.Json.JsonSerializer.Serialize(visitIds.Select(v => v.ToString())))
            .RowsAsync(r => (Visit: Guid.Parse(r.GetString(0)), Pass: ReadPass(r, 1)), ct), ct);
        return rows.ToDictionary(r => r.Visit, r => r.Pass);
    }

    private static StoredPass ReadPass(Microsoft.Data.Sqlite.SqliteDataReader r) => ReadPass(r, 0);

    private static StoredPass ReadPass(Microsoft.Data.Sqlite.SqliteDataReader r, int at) => new(
        Guid.Parse(r.GetString(at)), r.GetString(at + 1), r.NullableString(at + 2), r.NullableString(at + 3),
        Column.Time(r.GetString(at + 4)), Column.Time(r.GetString(at + 5)), r.GetString(at + 6),
        r.NullableString(at + 7) is { } revoked ? Column.Time(revoked) : null, r.NullableString(at + 8));
}
