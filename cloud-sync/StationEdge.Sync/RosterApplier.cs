using System.Text;
using Microsoft.Extensions.Logging;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>
/// The county's roster at this station: every delta verified with the county's key, applied strictly in version order
/// (the version lives in the store, moved in the delta's own transaction). A delta ahead of the next version is held and
/// a resync is asked for from the version the station has; the answer fills the gap and the held deltas follow. A delta
/// that fails its signature changes nothing and is reported (<see cref="EventTypes.RosterRejected"/>). Called from one
/// loop only, so it needs no lock.
/// </summary>
internal sealed partial class RosterApplier(
    StationStore store,
    SyncOptions options,
    CountyKeyRing keys,
    byte[]? templateKey,
    IStationControl? control,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Deltas held beyond a gap; more than this and the rest wait for the resync's answer.</summary>
    private const int MaxHeld = 10_000;

    /// <summary>An unanswered resync is asked for again after this long.</summary>
    private static readonly TimeSpan AskAgain = TimeSpan.FromSeconds(30);

    private static readonly TemplateQuality CountyQuality = new(0, 0, 0, 0, 0);

    private readonly SortedDictionary<long, RosterDelta> _held = [];
    private long? _askedFrom;
    private DateTimeOffset _askedAt;
    private long _version;

    /// <summary>The roster version applied here.</summary>
    public long Version => Volatile.Read(ref _version);

    public async Task LoadAsync(CancellationToken ct) => Volatile.Write(ref _version, await store.GetRosterVersionAsync(ct));

    /// <summary>A new session: a resync asked on the last one may have been lost with it.</summary>
    public void Reconnected() => _askedFrom = null;

    public async Task OnDeltaAsync(byte[] payload, Func<long, CancellationToken, Task> askResync, CancellationToken ct)
    {
        var read = await keys.OpenAsync<RosterDelta>(payload, Schemas.RosterDelta, ct);
        if (!read.Ok || read.Message!.County != options.County)
        {
            await RejectAsync(read.Error ?? $"a delta for county {read.Message!.County}, not {options.County}", null, ct);
            return;
        }

        var delta = read.Message;
        if (delta.Version <= Version)
        {
            // Already applied: a resync's answer overlapping the live deltas.
            return;
        }

        if (delta.Version > Version + 1)
        {
            if (_held.Count < MaxHeld)
            {
                _held[delta.Version] = delta;
            }

            LogGap(logger, delta.Version, Version);
            await AskAsync(askResync, ct);
            return;
        }

        var changed = await ApplyAsync(delta, ct);
        while (_held.Remove(Version + 1, out var next))
        {
            changed |= await ApplyAsync(next, ct);
        }

        foreach (var stale in _held.Keys.Where(v => v <= Version).ToList())
        {
            _held.Remove(stale);
        }

        if (_held.Count > 0)
        {
            await AskAsync(askResync, ct);
        }
        else
        {
            _askedFrom = null;
        }

        if (changed && control is not null)
        {
            await control.RosterChangedAsync(ct);
        }
    }

    /// <summary>The retained head: a station that was away sees at once that it is behind.</summary>
    public async Task OnHeadAsync(byte[] payload, Func<long, CancellationToken, Task> askResync, CancellationToken ct)
    {
        var read = await keys.OpenAsync<RosterHead>(payload, Schemas.RosterHead, ct);
        if (!read.Ok || read.Message!.County != options.County)
        {
            await RejectAsync(read.Error ?? $"a roster head for county {read.Message!.County}, not {options.County}", null, ct);
            return;
        }

        if (read.Message.Version > Version)
        {
            LogBehind(logger, read.Message.Version, Version);
            await AskAsync(askResync, ct);
        }
    }

    /// <summary>For a county's resync command: the whole roster again from version 0, applied over the workers here.</summary>
    public async Task RestartFromZeroAsync(Func<long, CancellationToken, Task> askResync, CancellationToken ct)
    {
        await store.ResetRosterVersionAsync(0, ct);
        Volatile.Write(ref _version, 0);
        _held.Clear();
        _askedFrom = null;
        await AskAsync(askResync, ct);
    }

    private async Task AskAsync(Func<long, CancellationToken, Task> askResync, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_askedFrom == Version && now - _askedAt < AskAgain)
        {
            return;
        }

        _askedFrom = Version;
        _askedAt = now;
        LogAskResync(logger, Version);
        await askResync(Version, ct);
    }

    /// <summary>Applies the next delta; true when it changed the store.</summary>
    private async Task<bool> ApplyAsync(RosterDelta delta, CancellationToken ct)
    {
        var (change, problem) = ToChange(delta);
        if (change is null)
        {
            // Signed by the county, yet not something this build can apply: the roster stops here until the county fixes it.
            await RejectAsync($"version {delta.Version}: {problem}", delta.WorkerId, ct);
            return false;
        }

        bool applied;
        try
        {
            applied = await store.ApplyRosterChangeAsync(change, ct);
        }
        catch (StoreException e) when (e.Fault == StoreFault.InvalidInput)
        {
            await RejectAsync($"version {delta.Version}: {e.Message}", delta.WorkerId, ct);
            return false;
        }

        if (!applied)
        {
            // Another writer moved the version (a second daemon is refused by the store's lock; a restored backup is not).
            await LoadAsync(ct);
            return false;
        }

        Volatile.Write(ref _version, delta.Version);
        LogApplied(logger, delta.Version, delta.Op, delta.WorkerId);
        await ReportTemplatesAsync(delta, ct);
        return true;
    }

    private (RosterChange? Change, string? Problem) ToChange(RosterDelta delta)
    {
        if (!Ids.IsValid(delta.WorkerId))
        {
            return (null, $"worker id '{delta.WorkerId}' is not an id");
        }

        switch (delta.Op)
        {
            case RosterDelta.Delete:
                return (new RosterChange(delta.Version, RosterOp.Delete, delta.WorkerId), null);
            case RosterDelta.Suspend or RosterDelta.Resume when delta.Worker is null:
                return (new RosterChange(delta.Version, delta.Op == RosterDelta.Suspend ? RosterOp.Suspend : RosterOp.Resume, delta.WorkerId), null);
            case RosterDelta.Add or RosterDelta.Update or RosterDelta.Suspend or RosterDelta.Resume:
                break;
            default:
                return (null, $"unknown op '{delta.Op}'");
        }

        var w = delta.Worker;
        if (w is null || w.Id != delta.WorkerId)
        {
            return (null, $"an {delta.Op} of {delta.WorkerId} without that worker's record");
        }

        WorkerStatus status = delta.Op switch
        {
            RosterDelta.Suspend => WorkerStatus.Suspended,
            RosterDelta.Resume => WorkerStatus.Active,
            _ when w.Status == "suspended" => WorkerStatus.Suspended,
            _ when w.Status == "active" => WorkerStatus.Active,
            _ => (WorkerStatus)(-1),
        };
        if (!Enum.IsDefined(status))
        {
            return (null, $"worker {w.Id} has status '{w.Status}', not active or suspended");
        }

        var worker = new CountyWorker
        {
            Id = w.Id,
            Name = w.Name,
            Status = status,
            Phone = w.Phone,
            Employer = w.Employer,
            MemberNumber = w.MemberNumber,
            ValidUntil = w.ValidUntil,
            ConsentAt = w.ConsentAt ?? delta.IssuedAt,
            ConsentVersion = w.ConsentVersion ?? "county",
            ConsentScope = w.ConsentScope == WorkerNotices.CountyScope ? ConsentScope.County : ConsentScope.Station,
            HomeStation = w.HomeStation,
        };
        return (new RosterChange(delta.Version, RosterOp.Upsert, delta.WorkerId) { Worker = worker, Templates = Usable(w) }, null);
    }

    /// <summary>The templates the door can match: of its embedder and opened under the county's template key.</summary>
    private List<NewTemplate>? Usable(WorkerRecord w)
    {
        if (w.Templates is null)
        {
            return null;
        }

        var usable = new List<NewTemplate>();
        if (control is null || templateKey is null)
        {
            return usable;
        }

        foreach (var sealedTemplate in w.Templates.Where(t => t.Embedder == control.EmbedderSha256))
        {
            if (TemplateSeal.Open(templateKey, w.Id, sealedTemplate) is { } vector)
            {
                usable.Add(new NewTemplate(sealedTemplate.Embedder, vector, CountyQuality));
            }
        }

        return usable;
    }

    /// <summary>Says which of a roaming worker's templates the door cannot use, and why.</summary>
    private async Task ReportTemplatesAsync(RosterDelta delta, CancellationToken ct)
    {
        if (delta.Worker?.Templates is not { Count: > 0 } templates)
        {
            return;
        }

        var station = control?.EmbedderSha256;
        var foreign = templates.Where(t => t.Embedder != station).ToList();
        if (station is not null && foreign.Count > 0)
        {
            var embedders = string.Join(", ", foreign.Select(t => Short(t.Embedder)).Distinct());
            LogForeign(logger, delta.WorkerId, foreign.Count, embedders, Short(station));
            await QueueAsync(EventTypes.ForeignEmbedder, delta.WorkerId,
                $"{foreign.Count} templates of embedder {embedders} kept out of the gallery (this station's is {Short(station)})", ct);
        }

        var own = templates.Count - foreign.Count;
        var reason = station is null ? "this station has no door to match with"
            : templateKey is null ? "no Sync:TemplateKeyFile is configured"
            : null;
        var unopened = reason is null
            ? templates.Count(t => t.Embedder == station && TemplateSeal.Open(templateKey, delta.WorkerId, t) is null)
            : own;
        reason ??= "the seal does not open under the county's template key (another key, or altered)";
        if (unopened > 0)
        {
            LogNotMatchable(logger, delta.WorkerId, unopened, reason);
            await QueueAsync(EventTypes.TemplatesNotOpened, delta.WorkerId, $"{unopened} templates not usable: {reason}", ct);
        }
    }

    private async Task RejectAsync(string reason, string? workerId, CancellationToken ct)
    {
        LogRejected(logger, reason);
        await QueueAsync(EventTypes.RosterRejected, workerId, reason, ct);
    }

    private async Task QueueAsync(string type, string? workerId, string details, CancellationToken ct) =>
        await store.EnqueueAsync(Event(options.StationId!, time.GetUtcNow(), type, details, workerId), ct);

    /// <summary>An event item on the station's events topic, in the link's contract (seq given by the outbox).</summary>
    internal static OutboxDraft Event(string station, DateTimeOffset at, string type, string details, string? workerId = null, Guid? commandId = null) =>
        new(Topics.Events(station), Encoding.UTF8.GetString(SyncJson.Write(new StationEvent(0, Guid.CreateVersion7(at), at, type)
        {
            Details = details,
            WorkerId = workerId,
            CommandId = commandId?.ToString(),
        })));

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "…" : sha;

    [LoggerMessage(Level = LogLevel.Information, Message = "roster: version {Version} applied ({Op} {WorkerId})")]
    private static partial void LogApplied(ILogger logger, long version, string op, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "roster: version {Version} arrived while this station is at {Current}; held until the gap is filled")]
    private static partial void LogGap(ILogger logger, long version, long current);

    [LoggerMessage(Level = LogLevel.Information, Message = "roster: the county is at version {Head}, this station at {Current}")]
    private static partial void LogBehind(ILogger logger, long head, long current);

    [LoggerMessage(Level = LogLevel.Information, Message = "roster: asking the county for every delta after version {Version}")]
    private static partial void LogAskResync(ILogger logger, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "roster: a delta was refused and nothing applied: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "roster: worker {WorkerId}: {Count} templates of embedder {Embedders} kept out of the gallery and never compared (this station's is {Station})")]
    private static partial void LogForeign(ILogger logger, string workerId, int count, string embedders, string station);

    [LoggerMessage(Level = LogLevel.Warning, Message = "roster: worker {WorkerId} is kept but {Count} of their templates cannot be matched: {Reason}")]
    private static partial void LogNotMatchable(ILogger logger, string workerId, int count, string reason);
}
