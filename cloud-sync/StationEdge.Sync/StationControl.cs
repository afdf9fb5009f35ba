namespace StationEdge.Sync;

/// <summary>
/// What the county's roster and commands need of the station, supplied by the composition (the daemon's door, vision and
/// gallery), so the link needs no reference to them. Without one, roaming templates are not stored and a remote unlock
/// is refused.
/// </summary>
public interface IStationControl
{
    /// <summary>The sha256 of the embedder the door matches with: a roaming template of another embedder is never compared.</summary>
    string EmbedderSha256 { get; }

    /// <summary>The roster changed in the store: the door's gallery loads the change now rather than at its next poll.</summary>
    Task RosterChangedAsync(CancellationToken ct);

    /// <summary>
    /// Opens the door for one pulse for a county command (as the keeper's remote opening does), <paramref name="by"/>
    /// naming who asked; false when the door refused (lock-out, fault, not running).
    /// </summary>
    bool Unlock(string by);

    /// <summary>
    /// Records the visit of a door the county opened (<c>method = keeper</c>) as every other visit is recorded: by the
    /// station's one recorder, which gives it its sync message and keeps it in memory while the data folder is full.
    /// </summary>
    Task RecordOpeningAsync(StationEdge.Store.VisitDraft draft, CancellationToken ct);
}
