using Microsoft.Extensions.Logging;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store.Crypto;

/// <summary>
/// Ties the device key file to the database: the key's fingerprint is kept in <c>meta</c>. A missing or different key
/// is replaced by a new one only while nothing is sealed under the old one; otherwise it is an error, never a silent
/// re-keying that would leave every template unreadable.
/// </summary>
internal static partial class StoreKey
{
    public const string FingerprintKey = "key_fingerprint";

    public static async Task<byte[]> LoadAsync(StoreDatabase db, StorePaths paths, ILogger logger, CancellationToken ct)
    {
        var key = DeviceKey.Load(paths.KeyPath);
        var (stored, sealedRows) = await db.ReadAsync(async c =>
        {
            using var command = c.Command($"SELECT (SELECT value FROM meta WHERE key = '{FingerprintKey}'), (SELECT count(*) FROM templates) + (SELECT count(*) FROM crops)");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return (reader.NullableString(0), reader.GetInt64(1));
        }, ct);

        if (key is null)
        {
            if (sealedRows > 0)
            {
                throw new StoreException(StoreFault.Key,
                    $"device key {paths.KeyPath} is missing, but {paths.DatabasePath} holds {sealedRows} templates and crops sealed with it: restore the key file (mode 0600) from the station's backup; no new key is made, as it could not read them");
            }

            key = DeviceKey.Create(paths.KeyPath);
            LogKeyCreated(logger, paths.KeyPath);
        }

        var fingerprint = DeviceKey.Fingerprint(key);
        if (stored == fingerprint)
        {
            return key;
        }

        if (stored is not null && sealedRows > 0)
        {
            throw new StoreException(StoreFault.Key,
                $"device key {paths.KeyPath} is not the key {paths.DatabasePath} was sealed with (fingerprint {fingerprint}, expected {stored}): restore the station's own key file");
        }

        await db.WriteAsync("the key fingerprint", async (c, t) =>
        {
            using var command = c.Command("INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", t)
                .With("$key", FingerprintKey).With("$value", fingerprint);
            return await command.ExecuteNonQueryAsync(ct);
        }, ct);
        return key;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the device key {KeyPath} (mode 0600); back it up: templates cannot be read without it")]
    private static partial void LogKeyCreated(ILogger logger, string keyPath);
}
