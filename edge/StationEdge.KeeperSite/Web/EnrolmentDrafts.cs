using StationEdge.KeeperSite.Station;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// An enrolment between two steps (a photo with several faces to choose from, a duplicate to confirm): the worker's
/// details, the faces chosen so far and those still to choose. Kept in memory only — never on disk — for
/// <see cref="EnrolmentDrafts.Lifetime"/>, and only for the keeper who started it.
/// </summary>
public sealed record EnrolDraft(Guid Id, string Keeper, NewWorker Worker, IReadOnlyList<EnrolFace> Chosen, IReadOnlyList<IReadOnlyList<EnrolFace>> ToChoose)
{
    public DuplicateMatch? Duplicate { get; init; }
}

public sealed class EnrolmentDrafts(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private const int MaxDrafts = 50;
    private readonly Dictionary<Guid, (EnrolDraft Draft, DateTimeOffset At)> _drafts = [];

    public EnrolDraft Keep(EnrolDraft draft)
    {
        lock (_drafts)
        {
            Expire();
            if (_drafts.Count >= MaxDrafts)
            {
                _drafts.Remove(_drafts.MinBy(d => d.Value.At).Key);
            }

            _drafts[draft.Id] = (draft, time.GetUtcNow());
            return draft;
        }
    }

    public EnrolDraft? Find(Guid id, string keeper)
    {
        lock (_drafts)
        {
            Expire();
            return _drafts.TryGetValue(id, out var entry) && entry.Draft.Keeper == keeper ? entry.Draft : null;
        }
    }

    public void Remove(Guid id)
    {
        lock (_drafts)
        {
            _drafts.Remove(id);
        }
    }

    private void Expire()
    {
        var cutoff = time.GetUtcNow() - Lifetime;
        foreach (var id in _drafts.Where(d => d.Value.At < cutoff).Select(d => d.Key).ToList())
        {
            _drafts.Remove(id);
        }
    }
}
