using System.Text.Json;
using Microsoft.Extensions.Logging;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>
/// The county keys this station trusts: the current one and, during a rotation, the next one the county announced in
/// a <c>rotate_keys</c> command signed by the current one. The first message verified with the next key shows the hub
/// signs with it now: from then on only that key is trusted. <c>Sync:CountyPublicKey</c> is the root of trust until
/// the first rotation; after it the station's own <see cref="FileName"/> (in the store's data folder, written
/// atomically) holds the keys, so a restart keeps them and the operator's configuration is never rewritten. Used from
/// the one inbound loop only, so it needs no lock.
/// </summary>
internal sealed partial class CountyKeyRing : IDisposable
{
    public const string FileName = "county-keys.json";
    private const string Schema = "stationedge.county_keys/1";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private readonly string _path;
    private readonly string _rootKeyId;
    private readonly StationStore _store;
    private readonly ILogger _logger;
    private (CountyVerifier Key, string Pem) _current;
    private (CountyVerifier Key, string Pem)? _next;

    private CountyKeyRing(string path, string rootKeyId, (CountyVerifier, string) current, (CountyVerifier, string)? next, StationStore store, ILogger logger)
    {
        _path = path;
        _rootKeyId = rootKeyId;
        _current = current;
        _next = next;
        _store = store;
        _logger = logger;
    }

    private string? _refusal;

    public string CurrentKeyId => _current.Key.KeyId;

    public string? NextKeyId => _next?.Key.KeyId;

    /// <summary>
    /// The configured root, or what a rotation left in the data folder when it was made from this same root. A file
    /// made from another root means the operator installed a new county key on purpose: the configuration wins.
    /// </summary>
    /// <exception cref="InvalidOperationException">The keys file exists but cannot be read: refusing beats trusting a retired key again.</exception>
    public static CountyKeyRing Load(string rootPem, StationStore store, ILogger logger)
    {
        var root = CountyVerifier.FromPem(rootPem);
        var path = Path.Combine(store.DataPath, FileName);
        if (!File.Exists(path))
        {
            return new CountyKeyRing(path, root.KeyId, (root, rootPem), null, store, logger);
        }

        StoredKeys stored;
        try
        {
            stored = JsonSerializer.Deserialize<StoredKeys>(File.ReadAllBytes(path), Json) ?? throw new JsonException("empty");
            if (stored.Schema != Schema || string.IsNullOrEmpty(stored.RootKeyId) || string.IsNullOrEmpty(stored.CurrentKey))
            {
                throw new JsonException($"not a {Schema} document");
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return Refusing(path, root, rootPem, $"{path} (the county keys after a rotation) cannot be read: {e.Message.ReplaceLineEndings(" ")}; restore it, or remove it to trust Sync:CountyPublicKey again", store, logger);
        }

        if (stored.RootKeyId != root.KeyId)
        {
            LogNewRoot(logger, path, stored.RootKeyId, root.KeyId);
            return new CountyKeyRing(path, root.KeyId, (root, rootPem), null, store, logger);
        }

        try
        {
            var current = CountyVerifier.FromPem(stored.CurrentKey);
            var next = stored.NextKey is null ? ((CountyVerifier, string)?)null : (CountyVerifier.FromPem(stored.NextKey), stored.NextKey);
            root.Dispose();
            return new CountyKeyRing(path, stored.RootKeyId, (current, stored.CurrentKey), next, store, logger);
        }
        catch (ArgumentException e)
        {
            return Refusing(path, root, rootPem, $"{path}: {e.Message}", store, logger);
        }
    }

    /// <summary>
    /// A keys file that cannot be read: everything the county sends is refused with the reason (the county sees it in
    /// the refusals), rather than trusting a key a rotation retired, and the door and the visits going up carry on.
    /// </summary>
    private static CountyKeyRing Refusing(string path, CountyVerifier root, string rootPem, string reason, StationStore store, ILogger logger)
    {
        LogUnreadable(logger, reason);
        return new CountyKeyRing(path, root.KeyId, (root, rootPem), null, store, logger) { _refusal = reason };
    }

    /// <summary>Verifies with whichever trusted key signed it; verified by the next key, the rotation completes first.</summary>
    public async Task<ReadResult<T>> OpenAsync<T>(byte[] envelopeJson, string schemaName, CancellationToken ct) where T : class
    {
        if (_refusal is not null)
        {
            return new(null, _refusal);
        }

        var envelope = SyncJson.Read<SignedEnvelope>(envelopeJson, Schemas.Envelope);
        if (!envelope.Ok)
        {
            return new(null, envelope.Error);
        }

        var keyId = envelope.Message!.KeyId;
        if (_next is { } next && keyId == next.Key.KeyId)
        {
            var read = next.Key.Open<T>(envelopeJson, schemaName);
            if (read.Ok)
            {
                await PromoteAsync(ct);
            }

            return read;
        }

        if (keyId != _current.Key.KeyId)
        {
            return new(null, $"signed by key {keyId}, not the county's key {_current.Key.KeyId}{(_next is { } n ? $" or its next key {n.Key.KeyId}" : "")}");
        }

        return _current.Key.Open<T>(envelopeJson, schemaName);
    }

    /// <summary>
    /// The county's next key, from a verified <c>rotate_keys</c>: null and nothing changed when it is accepted, else
    /// one line saying why not. A second announcement before the first completes replaces the first's key.
    /// </summary>
    public async Task<string?> AcceptNextAsync(string? pem, string by, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(pem) || pem.Length > 4096)
        {
            return "no next_public_key (a P-256 public key in PEM)";
        }

        CountyVerifier key;
        try
        {
            key = CountyVerifier.FromPem(pem);
        }
        catch (ArgumentException e)
        {
            return $"next_public_key is not usable: {e.Message.ReplaceLineEndings(" ")}";
        }

        if (key.KeyId == _current.Key.KeyId)
        {
            key.Dispose();
            return $"next_public_key is the key in use ({key.KeyId}), not a new one";
        }

        var previous = _next;
        try
        {
            Save(_current.Pem, pem);
        }
        catch
        {
            key.Dispose();
            throw;
        }

        _next = (key, pem);
        previous?.Key.Dispose();
        await _store.RecordKeeperActionAsync(new KeeperContext(StationStore.CountyKeeper, "county"), "county_key.next", key.KeyId,
            $"the county announced its next signing key {key.KeyId} ({by}); key {CurrentKeyId} is trusted until it signs", ct);
        LogNext(_logger, key.KeyId, CurrentKeyId);
        return null;
    }

    public void Dispose()
    {
        _current.Key.Dispose();
        _next?.Key.Dispose();
    }

    private async Task PromoteAsync(CancellationToken ct)
    {
        var next = _next!.Value;
        // Saved before the old key is dropped in memory: a crash in between keeps trusting both, never neither.
        Save(next.Pem, null);
        var retired = _current.Key.KeyId;
        _current.Key.Dispose();
        _current = next;
        _next = null;
        await _store.RecordKeeperActionAsync(new KeeperContext(StationStore.CountyKeeper, "county"), "county_key.rotated", CurrentKeyId,
            $"the county signs with key {CurrentKeyId} now; key {retired} is refused from here on", ct);
        LogRotated(_logger, CurrentKeyId, retired);
    }

    /// <summary>Written beside, flushed to disk, then renamed over: the file is the old state or the new, never half of one.</summary>
    private void Save(string currentPem, string? nextPem)
    {
        var temporary = _path + ".tmp";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new StoredKeys(Schema, _rootKeyId, currentPem, nextPem), Json);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            if (!OperatingSystem.IsWindows())
            {
                // Public keys, yet what this station trusts: only its own user may change them.
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, _path, overwrite: true);
    }

    private sealed record StoredKeys(string Schema, string RootKeyId, string CurrentKey, string? NextKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "county keys: {Reason}; the county's roster and commands are refused until then")]
    private static partial void LogUnreadable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "county keys: {Path} was made from county key {Old}, but Sync:CountyPublicKey is key {New} now: trusting the configured key and ignoring the file")]
    private static partial void LogNewRoot(ILogger logger, string path, string old, string @new);

    [LoggerMessage(Level = LogLevel.Information, Message = "county keys: next key {Next} trusted beside {Current} until the county signs with it")]
    private static partial void LogNext(ILogger logger, string next, string current);

    [LoggerMessage(Level = LogLevel.Warning, Message = "county keys: the county signs with key {Current} now; key {Retired} is refused from here on")]
    private static partial void LogRotated(ILogger logger, string current, string retired);
}
