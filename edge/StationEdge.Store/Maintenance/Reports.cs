namespace StationEdge.Store;

/// <summary>How many rows each table holds.</summary>
public sealed record StoreCounts(long Workers, long Templates, long Crops, long Visits, long DoorEvents, long AuditEntries, long Outbox, long Passes = 0);

/// <summary>
/// What <c>store check</c> found. <see cref="Healthy"/>: no problem at all. <see cref="Problems"/>: one line each
/// (integrity, schema, key, templates or crops that fail authentication).
/// </summary>
public sealed record StoreCheckReport(string DatabasePath, bool Healthy, int? SchemaVersion, StoreCounts? Counts, int UnreadableTemplates, int UnreadableCrops, IReadOnlyList<string> Problems)
{
    /// <summary>The file itself is damaged (integrity, rows pointing at missing rows, or SQLite cannot read it): <c>store recover</c> rebuilds it.</summary>
    public bool DatabaseDamaged { get; init; }
}

/// <summary>One table of a rebuild: rows copied, and stretches of rows SQLite could not read (skipped).</summary>
public sealed record TableRecovery(string Table, long Recovered, int UnreadableStretches);

/// <summary>
/// What <c>store recover</c> did: the damaged files are kept, untouched, in <see cref="DamagedCopyFolder"/>; the new
/// database holds <see cref="Tables"/>; the next visit gets sequence number <see cref="NextVisitSeq"/> or higher.
/// </summary>
public sealed record StoreRecoveryReport(string DatabasePath, string DamagedCopyFolder, bool HeaderRepaired, IReadOnlyList<TableRecovery> Tables, long NextVisitSeq);
