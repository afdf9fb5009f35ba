using System.Globalization;
using System.Security.Cryptography;
using StationEdge.Store;

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
/// The station's passes, kept in the station's store (schema step 4: <c>passes</c>, <c>pass_uses</c>, the HMAC key in
/// <c>meta</c>), so <c>store check</c>, <c>store recover</c>, the store's lock and its backup cover them. A code is valid
/// only when its signature holds and the store holds it unrevoked and unexpired, so losing the passes invalidates
/// every pass (fail-secure) rather than reviving revoked ones. Issue and revoke are audited in the transaction that
/// makes them. Every lookup reads the store, so a pass revoked by <c>station-edge passes revoke</c> (another process)
/// is refused at the door at once. Passes that expired more than <see cref="KeepExpiredDays"/> days ago are dropped at open.
/// </summary>
public sealed class PassBook : IDisposable
{
    /// <summary>The pass book's own file before it joined the store; moved in (and renamed <c>passes.db.migrated</c>) when the store opens.</summary>
    public const string FileName = "passes.db";
    public const int KeepExpiredDays = 90;
    public const int MaxNameLength = 40;

    private readonly StationStore _store;
    private readonly byte[] _key;
    private readonly TimeProvider _time;

    private PassBook(StationStore store, byte[] key, TimeProvider time)
    {
        _store = store;
        _key = key;
        _time = time;
    }

    /// <summary>Opens the pass book on the opened <paramref name="store"/>, making its key the first time.</summary>
    /// <exception cref="PassBookException">The store cannot be read or written; the message says why.</exception>
    public static async Task<PassBook> OpenAsync(StationStore store, TimeProvider? time = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        time ??= TimeProvider.System;
        try
        {
            var key = await store.PassKeyAsync(PassToken.KeySize, ct);
            await store.DropPassesExpiredBeforeAsync(time.GetUtcNow().AddDays(-KeepExpiredDays), ct);
            return new PassBook(store, key, time);
        }
        catch (StoreException e)
        {
            throw new PassBookException($"the pass book in {store.DatabasePath} cannot be opened: {e.Message}", e);
        }
    }

    /// <summary><see cref="OpenAsync"/> for a service factory, which cannot await.</summary>
    public static PassBook Open(StationStore store, TimeProvider? time = null) =>
        OpenAsync(store, time).GetAwaiter().GetResult();

    /// <summary>A pass for an enrolled worker, valid for <paramref name="validFor"/> from now; audited (<c>pass.issue</c>) with it.</summary>
    public Task<PassRecord> IssueWorkerPassAsync(string workerId, TimeSpan validFor, KeeperContext by, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(workerId);
        return IssueAsync(PassKind.Worker, workerId, null, validFor, by, $"worker {workerId}, {Hours(validFor)} h", ct);
    }

    public Task<PassRecord> IssueWorkerPassAsync(string workerId, TimeSpan validFor, string issuedBy, CancellationToken ct = default) =>
        IssueWorkerPassAsync(workerId, validFor, new KeeperContext(issuedBy), ct);

    /// <summary>A guest's pass in their name (1–40 characters, kept with the pass only, not in the audit), valid for <paramref name="validFor"/>.</summary>
    public Task<PassRecord> IssueVisitorPassAsync(string visitorName, TimeSpan validFor, KeeperContext by, CancellationToken ct = default)
    {
        var name = visitorName?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength || name.Any(char.IsControl))
        {
            throw new ArgumentException($"a visitor's name must be 1-{MaxNameLength} characters without control characters", nameof(visitorName));
        }

        return IssueAsync(PassKind.Visitor, null, name, validFor, by, $"visitor, {Hours(validFor)} h", ct);
    }

    public Task<PassRecord> IssueVisitorPassAsync(string visitorName, TimeSpan validFor, string issuedBy, CancellationToken ct = default) =>
        IssueVisitorPassAsync(visitorName, validFor, new KeeperContext(issuedBy), ct);

    /// <summary>Revokes a pass, audited (<c>pass.revoke</c>) with it; false when there is no such pass or it was revoked already.</summary>
    public async Task<bool> RevokeAsync(Guid id, KeeperContext by, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(by);
        return await Guarded(() => _store.RevokePassAsync(id, by, ct), "written") is not null;
    }

    public Task<bool> RevokeAsync(Guid id, string revokedBy, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(revokedBy);
        return RevokeAsync(id, new KeeperContext(revokedBy), ct);
    }

    public Task<PassRecord?> FindAsync(Guid id, CancellationToken ct = default) =>
        Guarded(async () => await _store.FindPassAsync(id, ct) is { } stored ? Record(stored) : null, "read");

    // The keeper site's pages and the door's check are synchronous; Microsoft.Data.Sqlite's async calls complete
    // synchronously, so these wait on no thread and cannot deadlock.
    public PassRecord? Find(Guid id) => FindAsync(id).GetAwaiter().GetResult();

    /// <summary>Every pass, newest first.</summary>
    public async Task<IReadOnlyList<PassRecord>> ListAsync(CancellationToken ct = default) =>
        [.. (await Guarded(() => _store.ListPassesAsync(ct), "read")).Select(Record)];

    public IReadOnlyList<PassRecord> List() => ListAsync().GetAwaiter().GetResult();

    /// <summary>The text the pass's QR code carries (made again from the record: the same every time).</summary>
    public string CodeOf(PassRecord pass)
    {
        ArgumentNullException.ThrowIfNull(pass);
        return PassToken.Sign(new PassClaims(pass.Kind, pass.Id, pass.WorkerId, pass.ExpiresAt), _key);
    }

    /// <summary>
    /// What a code read at the door comes to: an HMAC and one lookup in the store. Null when the text is no station
    /// pass at all (another QR code in view), which the door ignores.
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
    public Task RecordUseAsync(Guid passId, Guid visitId, CancellationToken ct = default) =>
        Guarded(async () =>
        {
            await _store.RecordPassUseAsync(passId, visitId, ct);
            return 0;
        }, "written");

    /// <summary>The pass behind each of <paramref name="visitIds"/> that came from one.</summary>
    public async Task<IReadOnlyDictionary<Guid, PassRecord>> FindUsesAsync(IReadOnlyCollection<Guid> visitIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(visitIds);
        var uses = await Guarded(() => _store.FindPassUsesAsync(visitIds, ct), "read");
        return uses.ToDictionary(u => u.Key, u => Record(u.Value));
    }

    public void Dispose()
    {
        // The store is the daemon's; the pass book holds nothing of its own.
    }

    private async Task<PassRecord> IssueAsync(PassKind kind, string? workerId, string? visitorName, TimeSpan validFor, KeeperContext by, string details, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(by);
        ArgumentException.ThrowIfNullOrEmpty(by.Keeper);
        if (validFor <= TimeSpan.Zero || validFor > TimeSpan.FromDays(366))
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, "a pass is valid for more than nothing and at most a year");
        }

        // Milliseconds, as the store keeps times; whole seconds for the expiry, which the code carries as Unix seconds.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + validFor).ToUnixTimeSeconds());
        var pass = new PassRecord(new Guid(RandomNumberGenerator.GetBytes(16)), kind, workerId, visitorName, now, expires, by.Keeper);
        await Guarded(async () =>
        {
            await _store.AddPassAsync(new StoredPass(pass.Id, kind == PassKind.Worker ? "worker" : "visitor", workerId, visitorName, now, expires, by.Keeper), by, details, ct);
            return 0;
        }, "written");
        return pass;
    }

    private async Task<T> Guarded<T>(Func<Task<T>> work, string what)
    {
        try
        {
            return await work();
        }
        catch (StoreException e)
        {
            throw new PassBookException($"the pass book in {_store.DatabasePath} cannot be {what}: {e.Message}", e);
        }
    }

    private static string Hours(TimeSpan validFor) => validFor.TotalHours.ToString("0.##", CultureInfo.InvariantCulture);

    private static PassRecord Record(StoredPass p) => new(
        p.Id, p.Kind == "worker" ? PassKind.Worker : PassKind.Visitor, p.WorkerId, p.VisitorName, p.IssuedAt, p.ExpiresAt, p.IssuedBy, p.RevokedAt, p.RevokedBy);
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
