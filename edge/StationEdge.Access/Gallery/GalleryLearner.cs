using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Access.Gallery;
using StationEdge.Store;

namespace StationEdge.Access;

/// <summary>
/// A face walk-up the access loop decided, handed to the <see cref="GalleryLearner"/>: the decision (score, margin, time,
/// worker), the walk-up's fused embedding, the threshold it was judged at, and whether liveness passed on it.
/// </summary>
public sealed record LearnCandidate(FrameDecision Decision, float[] Embedding, float Threshold, bool LivenessPassed, TemplateQuality Quality);

/// <summary>What the learner has done since it started.</summary>
public sealed record LearnStatistics(long Offered, long Dropped, long Learned, long NotLearned);

/// <summary>
/// The gallery that learns at the door (issue 19 §2). The access loop offers its face decisions (<see cref="Offer"/>:
/// never blocks, a full queue drops the walk-up and counts it); the learner pairs each with the visit the recorder stored
/// for it (<see cref="VisitRecorded"/>), and keeps as a learned template of the worker: a grant that cleared the threshold
/// and the margin by <c>Access:LearnClearBy</c> with liveness passed, and a face refusal that the same worker's pass opened
/// within <c>Access:LearnPassWindowSeconds</c> when its face is plausibly theirs (<c>Access:LearnPassFloor</c>; a refusal
/// to learn is audited with why). Neither may move the worker's centroid further than <c>Access:LearnMaxCentroidMove</c>.
/// The store bounds them (<c>Access:LearnMaxTemplates</c>, one a day, the same embedder and alignment only) and the
/// gallery is reloaded here, off the loop, so its calibrated threshold follows what was learned.
/// </summary>
public sealed partial class GalleryLearner : BackgroundService
{
    /// <summary>Walk-ups waiting for the learner: a burst of refusals fits, and a slow disk never reaches the door.</summary>
    public const int QueueCapacity = 64;

    private static readonly TimeSpan Spacing = TimeSpan.FromDays(1);

    private readonly Func<StationStore> _store;
    private readonly Func<StationGallery> _gallery;
    private readonly StationEvents _events;
    private readonly AccessOptions _options;
    private readonly LearningLimits _limits;
    private readonly ILogger<GalleryLearner> _logger;
    private readonly Channel<object> _work = Channel.CreateBounded<object>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly List<LearnCandidate> _awaitingVisit = [];
    private readonly List<Visit> _visitsWithoutCandidate = [];
    private readonly List<(LearnCandidate Candidate, Guid VisitId)> _refusals = [];
    private StationEventSubscription? _subscription;
    private long _offered;
    private long _dropped;
    private long _learned;
    private long _notLearned;

    public GalleryLearner(StationRecords records, StationEvents events, IOptions<AccessOptions> options, ILogger<GalleryLearner> logger)
        : this(() => records.Store, () => records.Gallery, events, options, logger)
    {
    }

    /// <summary>For a composition that holds its own store and gallery (tests, tools).</summary>
    public GalleryLearner(Func<StationStore> store, Func<StationGallery> gallery, StationEvents events, IOptions<AccessOptions> options, ILogger<GalleryLearner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _gallery = gallery;
        _events = events;
        _options = options.Value;
        _limits = _options.ToLearningLimits();
        _logger = logger;
    }

    public LearnStatistics Statistics => new(Interlocked.Read(ref _offered), Interlocked.Read(ref _dropped), Interlocked.Read(ref _learned), Interlocked.Read(ref _notLearned));

    /// <summary>Raised after each walk-up the learner has settled (learned or not), for tests and the keeper site.</summary>
    public event Action<LearnResult>? Settled;

    /// <summary>Offers a face decision; returns at once. False when learning is off or the queue is full (counted, logged).</summary>
    public bool Offer(LearnCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        if (!_options.LearnEnabled)
        {
            return false;
        }

        Interlocked.Increment(ref _offered);
        if (_work.Writer.TryWrite(candidate))
        {
            return true;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        if (IsPowerOfTen(dropped))
        {
            LogDropped(_logger, dropped, QueueCapacity);
        }

        return false;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the host goes on: ExecuteAsync may start later on another thread, and a visit stored in
        // between would be missed.
        if (_options.LearnEnabled)
        {
            _subscription ??= _events.Subscribe(QueueCapacity * 4);
        }

        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_subscription is not { } subscription)
        {
            LogOff(_logger);
            return;
        }

        var pump = PumpAsync(subscription, stoppingToken);
        try
        {
            await foreach (var item in _work.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await HandleAsync(item, stoppingToken);
                }
                catch (StoreException failure)
                {
                    // The door goes on; this walk-up is simply not learned.
                    Interlocked.Increment(ref _notLearned);
                    LogFailed(_logger, failure.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }

        await pump;
    }

    /// <summary>The recorder's stored visits and the passes at the door, into the learner's own queue (waits there: it is not the door).</summary>
    private async Task PumpAsync(StationEventSubscription subscription, CancellationToken ct)
    {
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(ct))
            {
                if (e is VisitRecorded { Visit.Method: VisitMethod.Face } or PassDecided)
                {
                    await _work.Writer.WriteAsync(e, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Host stop.
        }
    }

    private async Task HandleAsync(object item, CancellationToken ct)
    {
        switch (item)
        {
            case LearnCandidate candidate:
                var visit = _visitsWithoutCandidate.FindIndex(v => Same(v, candidate));
                if (visit >= 0)
                {
                    var id = _visitsWithoutCandidate[visit].Id;
                    _visitsWithoutCandidate.RemoveAt(visit);
                    await ResolvedAsync(candidate, id, ct);
                }
                else
                {
                    Keep(_awaitingVisit, candidate);
                }

                break;
            case VisitRecorded recorded:
                var waiting = _awaitingVisit.FindIndex(c => Same(recorded.Visit, c));
                if (waiting >= 0)
                {
                    var candidate = _awaitingVisit[waiting];
                    _awaitingVisit.RemoveAt(waiting);
                    await ResolvedAsync(candidate, recorded.Visit.Id, ct);
                }
                else
                {
                    Keep(_visitsWithoutCandidate, recorded.Visit);
                }

                break;
            case PassDecided { Visit: { Decision: VisitDecision.Granted, WorkerId: { } workerId } pass }:
                await PassAsync(workerId, pass, ct);
                break;
        }
    }

    private Task ResolvedAsync(LearnCandidate candidate, Guid visitId, CancellationToken ct)
    {
        if (candidate.Decision.IsGranted)
        {
            return GrantAsync(candidate, visitId, ct);
        }

        // A refusal waits for a pass: the rider's own, within the window, makes it the strongest evidence there is.
        Keep(_refusals, (candidate, visitId));
        return Task.CompletedTask;
    }

    private async Task GrantAsync(LearnCandidate candidate, Guid visitId, CancellationToken ct)
    {
        var d = candidate.Decision;
        var workerId = d.WorkerId!;
        var own = await OwnTemplatesAsync(workerId, ct);
        var why = GalleryLearning.RefuseGrant(d.Score ?? 0, d.Margin ?? 0, candidate.LivenessPassed, candidate.Threshold, _options.Margin, _limits)
            ?? GalleryLearning.RefuseMove(candidate.Embedding, own, _limits);
        await LearnAsync(candidate, workerId, visitId, LearnReason.ClearGrant, why, audit: false, ct);
    }

    private async Task PassAsync(string workerId, Visit pass, CancellationToken ct)
    {
        var window = TimeSpan.FromSeconds(_options.LearnPassWindowSeconds);
        _refusals.RemoveAll(r => pass.Time - r.Candidate.Decision.Time > window);
        var index = _refusals.FindLastIndex(r => r.Candidate.Decision.Time <= pass.Time);
        if (index < 0)
        {
            return;
        }

        var (candidate, visitId) = _refusals[index];
        _refusals.RemoveAt(index);
        var own = await OwnTemplatesAsync(workerId, ct);
        var why = GalleryLearning.RefusePassConfirmed(candidate.Embedding, own, _limits) ?? GalleryLearning.RefuseMove(candidate.Embedding, own, _limits);
        await LearnAsync(candidate, workerId, visitId, LearnReason.PassConfirmed, why, audit: true, ct);
    }

    private async Task LearnAsync(LearnCandidate candidate, string workerId, Guid visitId, LearnReason reason, string? why, bool audit, CancellationToken ct)
    {
        var store = _store();
        if (why is null)
        {
            var gallery = _gallery();
            var outcome = await store.AddLearnedTemplateAsync(workerId, new NewTemplate(gallery.EmbedderSha256, candidate.Embedding, candidate.Quality), visitId, reason, _options.LearnMaxTemplates, Spacing, ct);
            if (outcome.Id is { } id)
            {
                Interlocked.Increment(ref _learned);
                var before = gallery.Threshold;
                await gallery.ReloadAsync(ct);
                LogLearned(_logger, workerId, visitId, reason.ToString(), outcome.Replaced?.ToString() ?? "none", before, gallery.Threshold);
                Settled?.Invoke(new LearnResult(workerId, visitId, reason, id, null));
                return;
            }

            why = outcome.Skipped;
        }
        else if (audit)
        {
            await store.RecordLearnRefusalAsync(workerId, visitId, reason, why, ct);
        }

        Interlocked.Increment(ref _notLearned);
        LogNotLearned(_logger, workerId, visitId, reason.ToString(), why ?? "");
        Settled?.Invoke(new LearnResult(workerId, visitId, reason, null, why));
    }

    /// <summary>The worker's templates of the current embedder (enrolment and learned): what a new one must sit beside.</summary>
    private async Task<IReadOnlyList<float[]>> OwnTemplatesAsync(string workerId, CancellationToken ct)
    {
        var load = await _store().LoadTemplatesAsync(_gallery().EmbedderSha256, ct);
        return [.. load.Templates.Where(t => t.WorkerId == workerId).Select(t => t.Embedding)];
    }

    /// <summary>The visit stored for a face decision: the same time (the store keeps the decision's, to the millisecond), decision and reason.</summary>
    private static bool Same(Visit visit, LearnCandidate candidate) =>
        visit.Time.ToUnixTimeMilliseconds() == candidate.Decision.Time.ToUnixTimeMilliseconds()
        && (visit.Decision == VisitDecision.Granted) == candidate.Decision.IsGranted
        && visit.Reason == candidate.Decision.Reason;

    /// <summary>Bounded: a candidate whose visit never comes (a grant in cooldown is not recorded) does not stay forever.</summary>
    private static void Keep<T>(List<T> list, T item)
    {
        list.Add(item);
        if (list.Count > QueueCapacity)
        {
            list.RemoveAt(0);
        }
    }

    private static bool IsPowerOfTen(long n)
    {
        while (n % 10 == 0)
        {
            n /= 10;
        }

        return n == 1;
    }

    [LoggerMessage(1, LogLevel.Warning, "Gallery learning: {Count} walk-ups dropped so far (the learner's queue of {Capacity} was full); the door is not affected")]
    private static partial void LogDropped(ILogger logger, long count, int capacity);

    [LoggerMessage(2, LogLevel.Information, "Gallery learning is off (Access:LearnEnabled false)")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(3, LogLevel.Information, "Gallery learned a template of {WorkerId} from visit {VisitId} ({Reason}; replaced {Replaced}); threshold {Before:0.000} → {After:0.000}")]
    private static partial void LogLearned(ILogger logger, string workerId, Guid visitId, string reason, string replaced, float before, float after);

    [LoggerMessage(4, LogLevel.Information, "Gallery did not learn visit {VisitId} of {WorkerId} ({Reason}): {Why}")]
    private static partial void LogNotLearned(ILogger logger, string workerId, Guid visitId, string reason, string why);

    [LoggerMessage(5, LogLevel.Warning, "Gallery learning: a walk-up could not be learned ({Problem}); the door is not affected")]
    private static partial void LogFailed(ILogger logger, string problem);
}

/// <summary>One settled walk-up: the template learned (<see cref="TemplateId"/>), or why not (<see cref="Why"/>).</summary>
public sealed record LearnResult(string WorkerId, Guid VisitId, LearnReason Reason, Guid? TemplateId, string? Why);
