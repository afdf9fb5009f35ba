using StationEdge.Access;
using StationEdge.Access.Gallery;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `eval --open-set --learn`: the gallery that learns at the door, as a sequence. Half the people (alternately, in name
/// order) are workers, enrolled from their first K usable photos; the others are strangers. Round by round, every worker
/// walks up with their next photo in file order, each followed by a stranger's next photo. A worker's grant is learned
/// when the station's learner would keep it (<see cref="GalleryLearning"/>, the <c>Access:Learn*</c> defaults); a worker's
/// refusal is taken as pass-confirmed (the rider opened with their pass) and learned when plausible; a granted stranger
/// is learned like any grant (the poisoning the checks must stop). Each walk-up is another day, so the one-a-day spacing
/// never binds; at most <c>Access:LearnMaxTemplates</c> learned a worker, the oldest replaced. The threshold follows the
/// gallery as it learns (calibrated, unless --threshold). The same sequence without learning is the baseline.
/// </summary>
internal static class OpenSetLearnEval
{
    public sealed record Run(
        IReadOnlyList<double> RefusedByPosition,
        IReadOnlyList<int> WalkUpsByPosition,
        int StrangerWalkUps,
        int StrangersLetIn,
        int WrongWorkerGrants,
        int LearnedClearGrants,
        int LearnedPassConfirmed,
        int RefusedToLearn,
        double ThresholdStart,
        double ThresholdEnd,
        double HighestStrangerScore,
        double LeastStrangerHeadroom);

    public sealed record Report(
        string Input,
        int Workers,
        int Strangers,
        int Enroll,
        int MaxLearned,
        LearningLimits Limits,
        string Rule,
        string WorkerHalf,
        IReadOnlyList<double> RefusedByPosition,
        int StrangersLetIn,
        Run Learning,
        Run WithoutLearning,
        string EmbedderSha256);

    /// <summary>One person's photos in file order: the embedding, or null when the photo gave no usable face.</summary>
    public sealed record Person(string Name, IReadOnlyList<float[]?> Photos);

    /// <summary>
    /// <paramref name="workerHalf"/> is <c>even</c> (the 1st, 3rd, … person in name order are the workers) or <c>odd</c>
    /// (the others): a set this small gives different answers for its two halves, and a choice should hold for both.
    /// <paramref name="learning"/> is the station's <c>Access:Learn*</c> settings (its defaults unless the flags say otherwise).
    /// </summary>
    public static Report Evaluate(string input, IReadOnlyList<Person> people, int enroll, GalleryOptions rule, string sha, int dimensions, AccessOptions learning, string workerHalf = "even")
    {
        var defaults = learning;
        var limits = defaults.ToLearningLimits();
        var ordered = people.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var first = workerHalf == "odd" ? 1 : 0;
        var workers = ordered.Where((_, i) => i % 2 == first).Select(p => (p.Name, Enrol: p.Photos.Where(e => e is not null).Take(enroll).ToList(), p.Photos)).Where(w => w.Enrol.Count > 0).ToList();
        var strangers = ordered.Where((_, i) => i % 2 != first).SelectMany(p => p.Photos.Where(e => e is not null)).ToList();
        if (workers.Count < 2 || strangers.Count == 0)
        {
            throw CliError.BadInput($"eval: --learn: {input}: needs at least 4 people with usable photos (half are workers, half strangers); found {workers.Count} workers and {strangers.Count} stranger photos");
        }

        var walks = workers.Select(w => w.Photos.SkipWhile(e => !w.Enrol.Contains(e)).Where(e => !w.Enrol.Contains(e)).ToList()).ToList();
        var learned = Simulate(workers.Select(w => (w.Name, (IReadOnlyList<float[]>)w.Enrol)).ToList(), walks, strangers, rule, sha, dimensions, limits, defaults.LearnMaxTemplates, learn: true);
        var baseline = Simulate(workers.Select(w => (w.Name, (IReadOnlyList<float[]>)w.Enrol)).ToList(), walks, strangers, rule, sha, dimensions, limits, defaults.LearnMaxTemplates, learn: false);
        var ruleText = rule.Threshold is { } t ? $"fixed threshold {t:0.000}" : "calibrated from the gallery";
        return new Report(input, workers.Count, ordered.Count - workers.Count, enroll, defaults.LearnMaxTemplates, limits, ruleText, workerHalf,
            learned.RefusedByPosition, learned.StrangersLetIn, learned, baseline, sha);
    }

    private static Run Simulate(
        List<(string Name, IReadOnlyList<float[]> Enrol)> workers, List<List<float[]?>> walks, List<float[]?> strangers,
        GalleryOptions rule, string sha, int dimensions, LearningLimits limits, int maxLearned, bool learn)
    {
        using var gallery = new FaceGallery(sha, dimensions, rule);
        var own = workers.ToDictionary(w => w.Name, w => w.Enrol.ToList(), StringComparer.Ordinal);
        var learned = workers.ToDictionary(w => w.Name, _ => new Queue<(Guid Id, float[] Embedding)>(), StringComparer.Ordinal);
        if (gallery.AddRange(workers.SelectMany(w => w.Enrol.Select(e => new FaceTemplate(Guid.NewGuid(), w.Name, e, sha)))) is [var notAdded, ..])
        {
            throw notAdded.Problem;
        }

        var start = gallery.CurrentThreshold;
        var positions = walks.Max(w => w.Count);
        var refused = new int[positions];
        var walked = new int[positions];
        int strangerWalks = 0, strangersIn = 0, wrong = 0, clear = 0, pass = 0, notLearned = 0, nextStranger = 0;
        // How close the strangers came: the best score any reached, and the least distance below the threshold of the
        // moment (negative when one got in). Two runs that both keep every stranger out differ here.
        double highestStranger = double.NegativeInfinity, leastHeadroom = double.PositiveInfinity;

        void Learn(string worker, float[] e, bool confirmedByPass, Match m)
        {
            var templates = own[worker];
            var why = confirmedByPass
                ? GalleryLearning.RefusePassConfirmed(e, templates, limits)
                : GalleryLearning.RefuseGrant(m.Score, m.Margin, livenessPassed: true, m.Threshold, rule.MinMargin, limits);
            why ??= GalleryLearning.RefuseMove(e, templates, limits);
            if (why is not null)
            {
                notLearned++;
                return;
            }

            var queue = learned[worker];
            if (queue.Count >= maxLearned)
            {
                var (oldest, embedding) = queue.Dequeue();
                gallery.Remove(oldest);
                templates.Remove(embedding);
            }

            var id = Guid.NewGuid();
            gallery.Add(new FaceTemplate(id, worker, e, sha));
            queue.Enqueue((id, e));
            templates.Add(e);
            _ = confirmedByPass ? pass++ : clear++;
        }

        for (var p = 0; p < positions; p++)
        {
            for (var w = 0; w < workers.Count; w++)
            {
                if (p >= walks[w].Count)
                {
                    continue;
                }

                walked[p]++;
                var worker = workers[w].Name;
                var e = walks[w][p];
                var m = e is null ? null : gallery.Search(e);
                var granted = m is { IsKnown: true } && m.WorkerId == worker;
                if (m is { IsKnown: true } && m.WorkerId != worker)
                {
                    wrong++;
                }

                if (!granted)
                {
                    refused[p]++;
                }

                if (learn && e is not null && m is not null)
                {
                    Learn(worker, e, confirmedByPass: !granted, m);
                }

                // A stranger after every worker's walk-up, their photos in turn.
                var s = strangers[nextStranger++ % strangers.Count]!;
                strangerWalks++;
                var sm = gallery.Search(s);
                highestStranger = Math.Max(highestStranger, sm.Score);
                leastHeadroom = Math.Min(leastHeadroom, sm.Threshold - sm.Score);
                if (sm.IsKnown)
                {
                    strangersIn++;
                    if (learn)
                    {
                        Learn(sm.WorkerId!, s, confirmedByPass: false, sm);
                    }
                }
            }
        }

        return new Run(
            [.. refused.Select((r, i) => walked[i] == 0 ? 0 : Math.Round((double)r / walked[i], 4))], walked, strangerWalks, strangersIn, wrong, clear, pass, notLearned,
            Math.Round(start, 4), Math.Round(gallery.CurrentThreshold, 4), Math.Round(highestStranger, 4), Math.Round(leastHeadroom, 4));
    }

    public static void PrintText(TextWriter o, Report r)
    {
        o.WriteLine($"Door sequence with learning: {r.Input}");
        o.WriteLine($"  {r.Workers} workers (first {r.Enroll} photo(s) enrolled; the {r.WorkerHalf} half in name order), {r.Strangers} strangers interleaved, rule {r.Rule}");
        o.WriteLine($"  learning: clear by {r.Limits.ClearBy:0.00}, pass floor {r.Limits.PassFloor:0.00}, centroid move ≤ {r.Limits.MaxCentroidMove:0.00}, up to {r.MaxLearned} learned a worker");
        o.WriteLine("  walk-up   workers   refused (learning)   refused (no learning)");
        for (var i = 0; i < r.Learning.RefusedByPosition.Count; i++)
        {
            o.WriteLine($"  {i + 1,7}   {r.Learning.WalkUpsByPosition[i],7}   {Figures.Percent(r.Learning.RefusedByPosition[i], 1, roundUp: true),18}   {Figures.Percent(r.WithoutLearning.RefusedByPosition[i], 1, roundUp: true),21}");
        }

        o.WriteLine($"  strangers let in: {r.Learning.StrangersLetIn} of {r.Learning.StrangerWalkUps} with learning, {r.WithoutLearning.StrangersLetIn} without");
        o.WriteLine($"  closest stranger: {r.Learning.HighestStrangerScore:0.000} with learning ({r.WithoutLearning.HighestStrangerScore:0.000} without); least headroom below the threshold {r.Learning.LeastStrangerHeadroom:0.000} ({r.WithoutLearning.LeastStrangerHeadroom:0.000} without)");
        o.WriteLine($"  wrong-worker grants: {r.Learning.WrongWorkerGrants} with learning, {r.WithoutLearning.WrongWorkerGrants} without");
        o.WriteLine($"  learned: {r.Learning.LearnedClearGrants} clear grants, {r.Learning.LearnedPassConfirmed} pass-confirmed; {r.Learning.RefusedToLearn} refused by the checks");
        o.WriteLine($"  threshold: {r.Learning.ThresholdStart:0.000} → {r.Learning.ThresholdEnd:0.000} with learning ({r.WithoutLearning.ThresholdEnd:0.000} without)");
    }
}
