using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

/// <summary>
/// A cheap fingerprint of the roster (workers and templates). Two stamps that differ mean a worker or template changed
/// since the first was read, by this process or another (a command beside the daemon); equal stamps mean nothing did.
/// </summary>
public sealed record RosterStamp(long LastAuditId, long TemplateCount, long LastTemplateRow);

public sealed partial class StationStore
{
    /// <summary>
    /// The roster's current <see cref="RosterStamp"/>: for the daemon's gallery, to reload when a worker was enrolled,
    /// suspended, resumed or deleted, or templates were added or pruned. Every such change writes an audit row in its
    /// transaction (the newest audit id moves); a re-embedded template writes none, but changes the template rows.
    /// Three index lookups, no table scan beyond the template count.
    /// </summary>
    public Task<RosterStamp> GetRosterStampAsync(CancellationToken ct = default) =>
        _db.ReadAsync(async c =>
        {
            using var command = c.Command("SELECT (SELECT coalesce(max(id), 0) FROM audit), (SELECT count(*) FROM templates), (SELECT coalesce(max(rowid), 0) FROM templates)");
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return new RosterStamp(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }, ct);
}
