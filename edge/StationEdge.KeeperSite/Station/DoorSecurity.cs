using System.Globalization;
using Microsoft.Extensions.Configuration;
using StationEdge.Store;
using StationEdge.Vision.Recognition;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// The door's rule as the daemon reads it from its <c>Access</c> section: the security level
/// (<c>Access:StrangerRate</c>), a fixed threshold (<c>Access:Threshold</c>) when the county set one, the margin, and
/// the window in which a rider's pass confirms a face refusal (<c>Access:LearnPassWindowSeconds</c>). The daemon
/// validates the section before the site starts; the site only reads it.
/// </summary>
public sealed record DoorRule(StrangerRateLevel Level, float? FixedThreshold, float Margin, TimeSpan PassWindow)
{
    public static DoorRule Default { get; } = new(StrangerRateLevel.Standard, null, GalleryOptions.DefaultMinMargin, TimeSpan.FromSeconds(60));

    /// <summary>The rule from the <c>Access</c> section; a key that does not parse is named in the exception.</summary>
    public static DoorRule From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var access = configuration.GetSection("Access");
        if (!StrangerRateLevel.TryParse(access["StrangerRate"] ?? StrangerRateLevel.Standard.Key, out var level, out var error))
        {
            throw new InvalidOperationException($"Access:StrangerRate {error}");
        }

        return new DoorRule(
            level,
            access["Threshold"] is { Length: > 0 } t ? Number(t, "Threshold") : null,
            access["Margin"] is { Length: > 0 } m ? Number(m, "Margin") : GalleryOptions.DefaultMinMargin,
            TimeSpan.FromSeconds(access["LearnPassWindowSeconds"] is { Length: > 0 } w ? Number(w, "LearnPassWindowSeconds") : 60));

        static float Number(string text, string key) =>
            float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
                ? value
                : throw new InvalidOperationException($"Access:{key} must be a number (was '{text}')");
    }

    /// <summary>The gallery options the daemon's gallery decides with.</summary>
    public GalleryOptions Gallery => new(FixedThreshold, Margin) { StrangerRate = Level.Rate };
}

/// <summary>One security level on this station: the threshold it would set for the gallery, and what it would have refused.</summary>
public sealed record LevelCost(StrangerRateLevel Level, float Threshold, int Refused, bool IsStations);

/// <summary>
/// What the station's own evidence says of each security level. <see cref="WalkUps"/> are the walk-ups of riders known
/// to be who they said: the visits its learned templates came from, and the face refusals the same rider's pass opened
/// within the window; <see cref="Levels"/> count how many of them each level's threshold would have refused.
/// </summary>
public sealed record DoorSecurityReport(
    DoorRule Rule,
    int Workers,
    float CurrentThreshold,
    int WalkUps,
    int FromLearned,
    int FromPassConfirmed,
    IReadOnlyList<LevelCost> Levels)
{
    /// <summary>Fewer walk-ups than this say too little to set a level by.</summary>
    public const int MinWalkUps = 5;

    public bool Enough => WalkUps >= MinWalkUps;
}

/// <summary>
/// Works out the door page's 安全等级 section from the store (issue 19 §3): the threshold the door applies now at its
/// gallery's size (the daemon's gallery, rebuilt here from the same templates and options, so the same figure), the
/// threshold each named level would set for this gallery, and how many of the station's own confirmed walk-ups each
/// would have refused. A walk-up's score is the one its visit recorded: the door's fused score against the worker it
/// came closest to. For a refusal that is the best score against anyone, so if the closest worker was not the rider,
/// the rider's own score was lower still and the count is a floor.
/// </summary>
public sealed class DoorSecurity(StationStore store)
{
    /// <summary>Every visit is read (retention keeps 90 days by default, well under this).</summary>
    private const int VisitLimit = 100_000;

    public async Task<DoorSecurityReport> ReportAsync(string embedderTag, DoorRule rule, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var load = await store.LoadTemplatesAsync(embedderTag, ct);
        var workers = 0;
        float current;
        (double Mean, double Spread, long Pairs) pairs = (0, 0, 0);
        var options = rule.Gallery;
        if (load.Templates.Count == 0)
        {
            current = options.ThresholdFor(0);
        }
        else
        {
            using var gallery = new FaceGallery(embedderTag, load.Templates[0].Embedding.Length, options, load.Templates.Count);
            // One batch, calibrated once, as the door's own reload does: a template at a time would calibrate per template.
            if (gallery.AddRange(load.Templates.Select(t => new FaceTemplate(t.Id, t.WorkerId, t.Embedding, t.EmbedderSha256))) is [var first, ..])
            {
                throw first.Problem;
            }

            workers = gallery.WorkerCount;
            current = gallery.CurrentThreshold;
            pairs = gallery.WorkerPairScores;
        }

        var scores = await EvidenceAsync(embedderTag, rule.PassWindow, ct);
        var levels = StrangerRateLevel.Named.Select(level =>
        {
            var threshold = (options with { Threshold = null, StrangerRate = level.Rate }).ThresholdFor(workers, pairs.Mean, pairs.Spread, pairs.Pairs);
            return new LevelCost(level, threshold, scores.All.Count(s => s < threshold), rule.FixedThreshold is null && level.Key == rule.Level.Key);
        }).ToList();
        return new DoorSecurityReport(rule, workers, current, scores.All.Count, scores.Learned, scores.PassConfirmed, levels);
    }

    /// <summary>The scores of the confirmed walk-ups: learned templates' visits (this embedder's), then pass-confirmed refusals not already among them.</summary>
    private async Task<(IReadOnlyList<float> All, int Learned, int PassConfirmed)> EvidenceAsync(string embedderTag, TimeSpan window, CancellationToken ct)
    {
        var learned = (await store.ListAllLearnedTemplatesAsync(ct)).Where(t => t.EmbedderSha256 == embedderTag).Select(t => t.VisitId).ToHashSet();
        var visits = await store.ListVisitsAsync(null, VisitLimit, ct);
        var scores = new List<float>();
        var used = new HashSet<Guid>();
        foreach (var v in visits)
        {
            if (learned.Contains(v.Id) && v.Score is { } score && used.Add(v.Id))
            {
                scores.Add(score);
            }
        }

        var fromLearned = scores.Count;

        // As the learner pairs them: a worker's pass takes the latest face refusal before it within the window.
        var oldestFirst = visits.Reverse().ToList();
        var refusals = new List<Visit>();
        foreach (var v in oldestFirst)
        {
            if (v is { Method: VisitMethod.Face, Decision: VisitDecision.Refused, Score: not null } && v.Reason == "unknown")
            {
                refusals.Add(v);
            }
            else if (v is { Method: VisitMethod.Pass, Decision: VisitDecision.Granted, WorkerId: not null })
            {
                refusals.RemoveAll(r => v.Time - r.Time > window);
                if (refusals.Count > 0)
                {
                    var confirmed = refusals[^1];
                    refusals.RemoveAt(refusals.Count - 1);
                    if (used.Add(confirmed.Id))
                    {
                        scores.Add(confirmed.Score!.Value);
                    }
                }
            }
        }

        return (scores, fromLearned, scores.Count - fromLearned);
    }
}
