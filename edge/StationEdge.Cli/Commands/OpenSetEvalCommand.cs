using System.Globalization;
using StationEdge.Access;
using StationEdge.Vision.Evaluation;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `eval --open-set`: the door simulation. For each person the first K usable photos are enrolled and the rest walk up;
/// every person is once the stranger (leave-one-person-out), walking up with all their photos against the gallery of
/// the others; or a gallery file and a probes file say who is enrolled. Walk-ups are searched in the FaceGallery a
/// station runs, with the rule it runs (or the one given by flags), so a county checks its own cameras with it.
/// </summary>
internal static partial class OpenSetEvalCommand
{
    public const double DefaultFar = 0.001;

    public const int MinTailPairs = 30;

    /// <summary>The figures are also extrapolated to this many workers: one station's gallery, as the defaults are set for.</summary>
    public const int StationWorkers = GalleryOptions.DefaultReferenceWorkers;

    public sealed record Skipped(string Photo, string Person, string Reason);

    /// <summary>The rule: a fixed <paramref name="Threshold"/>, or null when it is calibrated from the gallery for <paramref name="StrangerRate"/>.</summary>
    public sealed record Rule(float? Threshold, double StrangerRate, int ReferenceWorkers, float StricterPerDecade, float MinMargin, string Templates);

    public sealed record Door(int Enroll, int Frames, string Protocol, int GalleryWorkers, int StrangerGalleryWorkers, int Templates, string Embedder, bool MirrorAverage);

    public sealed record Side(int WalkUps, int LetIn, int Refused, int LowQuality, int WrongWorker, double Rate);

    /// <summary>The threshold for the target stranger rate, measured on these walk-ups (coarse when they are too few to show it).</summary>
    public sealed record Measured(double Threshold, int StrangersLetIn, double EnrolledRefused, bool Coarse);

    /// <summary>The normal model of the stranger–worker scores, and what it says at this gallery's size and at one station's.</summary>
    public sealed record Tail(
        double Mean, double Spread, int Pairs, double ThresholdHere, double ThresholdAtStation, double EnrolledRefusedAtStation, double StrangerRateAtStationNow);

    public sealed record LivenessReport(int Faces, int CalledFake, double Bpcer, double Threshold);

    public sealed record Report(
        string Input,
        int People,
        int Photos,
        Door Door,
        Rule Rule,
        double TargetFar,
        Side Strangers,
        Side Enrolled,
        Measured AtTargetFar,
        Tail? StrangerTail,
        LivenessReport? Liveness,
        int SkippedCount,
        IReadOnlyList<Skipped> Skipped,
        string EmbedderSha256,
        AlignmentReport? Alignment = null,
        IReadOnlyList<CalibrationCheck.Level>? Levels = null,
        IReadOnlyList<CalibrationCheck.TailFit>? TailFits = null);

    private sealed record PhotoResult(LabelledPhoto Photo, float[]? Embedding, string? Refusal, string? Skip, LivenessResult? Liveness);

    public static async Task<int> RunAsync(CliArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        // Every flag is checked before the photo set is read, so a typo is reported before slow work.
        var enroll = args.Int("--enroll", 1, 1, 50);
        var frames = args.Int("--frames", 1, 1, 30);
        var far = args.Double("--far", DefaultFar, 1e-9, 0.5);
        var withLiveness = args.Has("--liveness");
        var rule = RuleFromFlags(args);
        var (learning, workerHalf) = LearningFromFlags(args);
        var embedder = args.Value("--embedder") switch
        {
            null or "faceplugin" => EmbedderModel.Faceplugin,
            "mobilefacenet" => EmbedderModel.MobileFaceNet,
            var other => throw CliError.BadInput($"eval: --embedder must be faceplugin or mobilefacenet (was '{other}')"),
        };
        var (modelsPath, baseOptions) = VisionCli.Settings(
            args, FaceModelParts.Detector | FaceModelParts.Embedder | (withLiveness ? FaceModelParts.Liveness : 0));
        var options = baseOptions with { Embedder = embedder, MirrorAverage = !args.Has("--no-mirror") };
        var (input, photos, protocol, galleryPhotos) = LoadPhotos(args);
        foreach (var photo in photos)
        {
            VisionCli.RequireRegularFile(photo.Path, $"{input}: ");
        }

        using var pipeline = FacePipeline.Load(modelsPath, options);
        var results = await AnalyseAsync(pipeline, photos, frames, withLiveness, stderr, ct);
        var skipped = results.Where(r => r.Skip is not null).Select(r => new Skipped(r.Photo.Path, r.Photo.Person, r.Skip!)).ToList();
        if (results.Count > 0 && skipped.Count == results.Count)
        {
            throw CliError.BadInput($"eval: {input}: none of the {results.Count} photos gave a face (first: {skipped[0].Photo}: {skipped[0].Reason})");
        }

        if (args.Has("--learn"))
        {
            if (protocol != StrangerProtocol.LeaveOnePersonOut)
            {
                throw CliError.BadInput("eval: --learn needs --photos DIR or --pairs CSV (people and their photos in order), not --gallery/--probes");
            }

            var people = results.GroupBy(r => r.Photo.Person, StringComparer.Ordinal)
                .Select(g => new OpenSetLearnEval.Person(g.Key, [.. g.Where(r => r.Skip is null).Select(r => r.Embedding)])).ToList();
            var learnReport = OpenSetLearnEval.Evaluate(input, people, enroll, rule, pipeline.EmbedderSha256, pipeline.Models.Embedder!.Dimensions, learning, workerHalf);
            if (args.Json)
            {
                JsonOutput.Write(stdout, learnReport);
            }
            else
            {
                OpenSetLearnEval.PrintText(stdout, learnReport);
            }

            return 0;
        }

        // Enrolment takes a person's first K photos that gave a usable face, as a keeper retakes a photo that failed.
        var gallery = new List<OpenSetPerson>();
        var walkUps = new List<OpenSetWalkUp>();
        foreach (var person in results.Where(r => r.Skip is null).GroupBy(r => r.Photo.Person, StringComparer.Ordinal))
        {
            var list = person.ToList();
            var enrolling = protocol == StrangerProtocol.NotInGallery
                ? list.Where(r => r.Embedding is not null && galleryPhotos!.Contains(r.Photo.Path)).ToList()
                : list.Where(r => r.Embedding is not null).Take(enroll).ToList();
            gallery.Add(new OpenSetPerson(person.Key, enrolling.Select(r => r.Embedding!).ToList()));
            var walking = list.Where(r => protocol == StrangerProtocol.LeaveOnePersonOut ? !enrolling.Contains(r) : !galleryPhotos!.Contains(r.Photo.Path)).ToList();
            walkUps.AddRange(walking.Select(r => new OpenSetWalkUp(person.Key, Relative(input, r.Photo.Path), r.Embedding, r.Refusal)));
            if (protocol == StrangerProtocol.LeaveOnePersonOut)
            {
                // As a stranger the person walks up with every photo, the enrolled ones too.
                walkUps.AddRange(enrolling.Select(r => new OpenSetWalkUp(person.Key, Relative(input, r.Photo.Path), r.Embedding, r.Refusal, Enrolled: true)));
            }
        }

        if (gallery.Count(p => p.Templates.Count > 0) < 2)
        {
            throw CliError.BadInput($"eval: {input}: after skipping {skipped.Count} photo(s) fewer than 2 people have a usable photo to enrol; a door simulation needs at least 2");
        }

        var result = OpenSetEvaluation.Run(gallery, walkUps, protocol, rule, pipeline.EmbedderSha256);
        var liveness = withLiveness ? LivenessOf(results, pipeline.Models.Liveness!.Threshold) : null;
        var report = Summarize(input, photos, protocol, enroll, frames, options, rule, far, result, liveness, skipped, pipeline.EmbedderSha256) with { Alignment = VisionCli.AlignmentOf(pipeline.Models) };
        var (levels, tailFits) = CheckCalibration(gallery, walkUps, protocol, rule, result, pipeline.EmbedderSha256);
        report = report with { Levels = levels, TailFits = tailFits };
        if (report.Enrolled.WalkUps == 0 || report.Strangers.WalkUps == 0)
        {
            throw CliError.BadInput(
                $"eval: {input}: {report.Enrolled.WalkUps} enrolled and {report.Strangers.WalkUps} stranger walk-ups; both are needed (with --enroll {enroll}, a person needs more than {enroll} usable photo(s) to walk up as enrolled)");
        }

        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
        }
        else
        {
            PrintText(stdout, report, result);
        }

        return 0;
    }

    /// <summary>
    /// The learner's settings for --learn: the station's Access:Learn* defaults, or the flags that try others, each
    /// within the range the station's options accept; --workers picks which half of the people are the workers.
    /// </summary>
    private static (AccessOptions Learning, string WorkerHalf) LearningFromFlags(CliArgs args)
    {
        if (!args.Has("--learn") && new[] { "--workers", "--learn-max", "--learn-clear-by", "--learn-pass-floor", "--learn-move" }.FirstOrDefault(args.Has) is { } stray)
        {
            throw CliError.BadInput($"eval: {stray} is for --learn");
        }

        var defaults = new AccessOptions();
        var learning = new AccessOptions
        {
            LearnMaxTemplates = args.Int("--learn-max", defaults.LearnMaxTemplates, 1, 20),
            LearnClearBy = (float)args.Double("--learn-clear-by", defaults.LearnClearBy, 0, 0.5),
            LearnPassFloor = (float)args.Double("--learn-pass-floor", defaults.LearnPassFloor, 0, 1),
            LearnMaxCentroidMove = (float)args.Double("--learn-move", defaults.LearnMaxCentroidMove, 0.001, 0.5),
        };
        var half = args.Value("--workers") ?? "even";
        return half is "even" or "odd" ? (learning, half) : throw CliError.BadInput($"eval: --workers must be even or odd (was '{half}')");
    }

    private static GalleryOptions RuleFromFlags(CliArgs args)
    {
        var defaults = new GalleryOptions();
        var templates = args.Value("--templates") switch
        {
            null or "centroid" => TemplateCombination.Centroid,
            "best" => TemplateCombination.Best,
            var other => throw CliError.BadInput($"eval: --templates must be centroid or best (was '{other}')"),
        };
        float? threshold = args.Has("--threshold") ? (float)args.Double("--threshold", 0, -1, 1) : null;
        return new GalleryOptions(threshold, (float)args.Double("--margin", defaults.MinMargin, 0, 1))
        {
            Templates = templates,
        };
    }

    /// <summary>--photos DIR (person folders, or a pairs.csv inside), --pairs CSV, or --gallery CSV with --probes CSV.</summary>
    private static (string Input, IReadOnlyList<LabelledPhoto> Photos, StrangerProtocol Protocol, HashSet<string>? GalleryPhotos) LoadPhotos(CliArgs args)
    {
        var given = new[] { "--photos", "--pairs", "--gallery" }.Where(args.Has).ToList();
        if (given.Count != 1 || args.Has("--probes") != args.Has("--gallery"))
        {
            throw CliError.BadInput("eval: --open-set needs one of --photos DIR, --pairs CSV, or --gallery CSV with --probes CSV");
        }

        try
        {
            if (args.Value("--gallery") is { } galleryCsv)
            {
                var enrolled = PhotoSets.FromCsv(galleryCsv);
                var probes = PhotoSets.FromCsv(args.Require("--probes"));
                var inGallery = enrolled.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
                var all = enrolled.Concat(probes.Where(p => !inGallery.Contains(p.Path))).ToList();
                return (galleryCsv, all, StrangerProtocol.NotInGallery, inGallery);
            }

            var pairsCsv = args.Value("--pairs");
            if (args.Value("--photos") is { } folder)
            {
                if (!Directory.Exists(folder))
                {
                    throw CliError.BadInput($"eval: --photos {folder}: folder not found");
                }

                var inside = Path.Combine(folder, "pairs.csv");
                if (Directory.GetDirectories(folder).Length > 0 || !File.Exists(inside))
                {
                    return (folder, PhotoSets.FromFolder(folder), StrangerProtocol.LeaveOnePersonOut, null);
                }

                pairsCsv = inside;
            }

            return (pairsCsv!, PhotoSets.FromPairs(PairsFile.Load(pairsCsv!)), StrangerProtocol.LeaveOnePersonOut, null);
        }
        catch (PairsFileException e)
        {
            throw CliError.BadInput(e.Message);
        }
    }

    /// <summary>Each photo's best face, quality-gated and embedded; with --frames M, fused with M − 1 re-framed copies.</summary>
    private static async Task<List<PhotoResult>> AnalyseAsync(
        FacePipeline pipeline, IReadOnlyList<LabelledPhoto> photos, int frames, bool withLiveness, TextWriter stderr, CancellationToken ct)
    {
        var gate = new QualityGate(pipeline.Models.Options.ProbeQuality);
        var reframe = new WalkUpFrames();
        return await PhotoAnalysis.AnalyseInOrderAsync(
            new PhotoDecoder(),
            photos,
            photo => photo.Path,
            (photo, image) => Analyse(pipeline, photo, image, frames, gate, reframe, withLiveness),
            (photo, reason) => new PhotoResult(photo, null, null, reason, null),
            (done, total) => stderr.WriteLine($"eval: analysed {done}/{total} photos"),
            ct);
    }

    private static PhotoResult Analyse(
        FacePipeline pipeline, LabelledPhoto photo, RgbImage image, int frames, QualityGate gate, WalkUpFrames reframe, bool withLiveness)
    {
        var faces = pipeline.Analyze(image, maxFaces: 1);
        if (faces.Length == 0)
        {
            return new PhotoResult(photo, null, null, "no face found", null);
        }

        var face = faces[0];
        var liveness = withLiveness ? pipeline.CheckLiveness(image, face.Face) : null;
        var usable = new List<float[]>(frames);
        string? refusal = WalkUpFusion.LowQuality(gate, face);
        if (refusal is null)
        {
            usable.Add(face.Embedding);
        }

        for (var i = 1; i < frames; i++)
        {
            using var frame = reframe.Next(image, face.Face.Box);
            if (pipeline.Analyze(frame, maxFaces: 1) is [var seen] && WalkUpFusion.LowQuality(gate, seen) is var why)
            {
                if (why is null)
                {
                    usable.Add(seen.Embedding);
                }
                else
                {
                    refusal ??= why;
                }
            }
        }

        return usable.Count == 0
            ? new PhotoResult(photo, null, refusal, null, liveness)
            : new PhotoResult(photo, WalkUpFusion.Fuse(usable), null, null, liveness);
    }

    private static LivenessReport LivenessOf(List<PhotoResult> results, float threshold)
    {
        var tally = LivenessTally.Of(results.Select(r => (r.Photo.Path, r.Liveness)));
        return new LivenessReport(tally.Faces, tally.CalledFake, tally.Bpcer, threshold);
    }

    private static string Relative(string input, string path)
    {
        var root = Directory.Exists(input) ? input : Path.GetDirectoryName(Path.GetFullPath(input))!;
        var relative = Path.GetRelativePath(Path.GetFullPath(root), path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }

    internal static Report Summarize(
        string input,
        IReadOnlyList<LabelledPhoto> photos,
        StrangerProtocol protocol,
        int enroll,
        int frames,
        VisionOptions options,
        GalleryOptions rule,
        double far,
        OpenSetResult result,
        LivenessReport? liveness,
        List<Skipped> skipped,
        string embedderSha256)
    {
        var enrolled = result.Enrolled.ToList();
        var strangers = result.Strangers.ToList();
        var enrolledLetIn = enrolled.Count(o => o.LetIn && !o.WrongWorker);
        var enrolledSide = new Side(
            enrolled.Count,
            enrolledLetIn,
            enrolled.Count - enrolledLetIn,
            enrolled.Count(o => o.Refusal is not null),
            enrolled.Count(o => o.WrongWorker),
            enrolled.Count == 0 ? 0 : (enrolled.Count - enrolledLetIn) / (double)enrolled.Count);
        var strangersIn = strangers.Count(o => o.LetIn);
        var strangerSide = new Side(
            strangers.Count, strangersIn, strangers.Count - strangersIn, strangers.Count(o => o.Refusal is not null), 0, strangers.Count == 0 ? 0 : strangersIn / (double)strangers.Count);

        Tail? tail = null;
        // A normal fit to a handful of scores says nothing about a tail of 1 in 100,000.
        if (result.StrangerPairScores.Count >= MinTailPairs)
        {
            var model = StrangerTail.Fit(result.StrangerPairScores);
            var atStation = model.ThresholdFor(far, StationWorkers);
            tail = new Tail(
                model.Mean,
                model.Spread,
                model.Pairs,
                model.ThresholdFor(far, Math.Max(1, result.StrangerGalleryWorkers)),
                atStation,
                Refused(result, atStation),
                model.StrangerRateAt(rule.Threshold is null ? rule.ThresholdFor(StationWorkers, model.Mean, model.Spread, StationWorkers * (StationWorkers - 1) / 2) : rule.ThresholdFor(StationWorkers), StationWorkers));
        }

        return new Report(
            input,
            photos.Select(p => p.Person).Distinct(StringComparer.Ordinal).Count(),
            photos.Count,
            new Door(
                protocol == StrangerProtocol.NotInGallery ? 0 : enroll,
                frames,
                protocol == StrangerProtocol.LeaveOnePersonOut ? "leave-one-person-out" : "not-in-gallery",
                result.GalleryWorkers,
                result.StrangerGalleryWorkers,
                result.Templates,
                FaceModels.EmbedderArtifact(options.Embedder).File,
                options.MirrorAverage),
            new Rule(rule.Threshold, rule.StrangerRate, rule.ReferenceWorkers, rule.StricterPerDecade, rule.MinMargin, rule.Templates.ToString().ToLowerInvariant()),
            far,
            strangerSide,
            enrolledSide,
            MeasuredAt(result, far),
            tail,
            liveness,
            skipped.Count,
            skipped,
            embedderSha256);
    }

    private static double Refused(OpenSetResult result, double threshold)
    {
        var walkUps = result.Enrolled.Count();
        return walkUps == 0 ? 0 : 1 - (result.EnrolledLetInAt(threshold) / (double)walkUps);
    }

    /// <summary>The lowest threshold at which at most <paramref name="far"/> of these stranger walk-ups get in.</summary>
    private static Measured MeasuredAt(OpenSetResult result, double far)
    {
        var scores = result.Strangers.Where(o => o.Refusal is null).Select(o => (double)o.Score).OrderDescending().ToList();
        var total = result.Strangers.Count();
        var allowed = (int)Math.Floor(far * total);
        var threshold = allowed >= scores.Count ? -1 : Math.BitIncrement(scores[allowed]);
        return new Measured(threshold, result.StrangersLetInAt(threshold), Refused(result, threshold), Coarse: far * total < 1);
    }

    private static void PrintText(TextWriter o, Report r, OpenSetResult result)
    {
        static string Pct(double rate, bool up) => Figures.Percent(rate, 2, roundUp: up);
        var d = r.Door;
        var rule = r.Rule;
        o.WriteLine($"photo set     {r.Input} ({r.People} people, {r.Photos} photos)");
        o.WriteLine($"embedder      {d.Embedder}{(d.MirrorAverage ? ", mirror-averaged" : "")}");
        if (r.Alignment is { } alignment)
        {
            o.WriteLine($"alignment     {VisionCli.Describe(alignment)}");
        }
        o.WriteLine(
            (rule.Threshold is { } fixedThreshold
                ? $"rule          fixed threshold {Figures.Fixed(fixedThreshold, 3)} up to {rule.ReferenceWorkers} workers (+{Figures.Fixed(rule.StricterPerDecade, 3)} per tenfold more), "
                : $"rule          threshold calibrated from the gallery's own worker pairs for {rule.StrangerRate.ToString("0.###%", CultureInfo.InvariantCulture)} of strangers let in, ")
            + $"margin {Figures.Fixed(rule.MinMargin, 2)}, templates compared by {rule.Templates}");
        o.WriteLine(d.Protocol == "leave-one-person-out"
            ? $"door          K = {d.Enroll} photo(s) enrolled per person: {d.GalleryWorkers} workers, {d.Templates} templates; the rest walk up"
            : $"door          the gallery file enrols {d.GalleryWorkers} workers ({d.Templates} templates); the probes file walks up");
        o.WriteLine(d.Frames > 1
            ? $"walk-ups      {d.Frames} frames each, fused: the photo and {d.Frames - 1} re-framed copies (shift, size, roll, exposure), each detected afresh"
            : "walk-ups      one photo each (--frames M fuses M frames per walk-up)");
        o.WriteLine(d.Protocol == "leave-one-person-out"
            ? $"strangers     leave-one-person-out: each person once walks up with every photo against the other {d.StrangerGalleryWorkers} workers"
            : $"strangers     probes of people not in the gallery, against its {d.StrangerGalleryWorkers} workers");
        o.WriteLine($"skipped       {r.SkippedCount} photo(s)");
        foreach (var s in r.Skipped)
        {
            o.WriteLine($"  {Relative(r.Input, s.Photo)}: {s.Reason}");
        }

        foreach (var low in result.Outcomes.Where(x => x.Refusal is not null && !x.Stranger))
        {
            o.WriteLine($"  {low.Label} walks up refused: {low.Refusal}");
        }

        o.WriteLine();
        var thresholds = result.Strangers.Where(x => x.Refusal is null).Select(x => (double)x.Threshold).DefaultIfEmpty(double.NaN).ToList();
        var at = thresholds.Min() == thresholds.Max() ? Figures.Fixed(thresholds[0], 3) : $"{Figures.Fixed(thresholds.Min(), 3)}–{Figures.Fixed(thresholds.Max(), 3)}";
        o.WriteLine($"strangers let in    {r.Strangers.LetIn} of {r.Strangers.WalkUps} walk-ups ({Pct(r.Strangers.Rate, true)}) at threshold {at} with {d.StrangerGalleryWorkers} workers"
            + (r.Strangers.LowQuality > 0 ? $"; {r.Strangers.LowQuality} refused as low quality" : ""));
        var enrolledAt = result.Enrolled.Where(x => x.Refusal is null).Select(x => x.Threshold).DefaultIfEmpty(float.NaN).First();
        o.WriteLine($"enrolled refused    {r.Enrolled.Refused} of {r.Enrolled.WalkUps} walk-ups ({Pct(r.Enrolled.Rate, true)}) at threshold {Figures.Fixed(enrolledAt, 3)} with {d.GalleryWorkers} workers: {r.Enrolled.LowQuality} as low quality, "
            + $"{r.Enrolled.WrongWorker} let in as someone else (counted as refused)");
        foreach (var wrong in result.Enrolled.Where(x => x.WrongWorker))
        {
            o.WriteLine($"  {wrong.Label} ({wrong.Person}) let in as {wrong.TopWorker}, score {Figures.Fixed(wrong.Score, 3)}");
        }

        foreach (var stranger in result.Strangers.Where(x => x.LetIn).OrderByDescending(x => x.Score).Take(5))
        {
            o.WriteLine($"  stranger {stranger.Label} ({stranger.Person}) let in as {stranger.TopWorker}, score {Figures.Fixed(stranger.Score, 3)}");
        }

        o.WriteLine();
        var m = r.AtTargetFar;
        var target = r.TargetFar.ToString("0.###%", CultureInfo.InvariantCulture);
        o.WriteLine($"for at most {target} of strangers let in:");
        o.WriteLine(
            $"  measured here ({d.StrangerGalleryWorkers} workers): threshold {Figures.UpText(m.Threshold, 3)} lets in {m.StrangersLetIn} of {r.Strangers.WalkUps} strangers "
            + $"and refuses {Pct(m.EnrolledRefused, true)} of enrolled walk-ups"
            + (m.Coarse ? $" (coarse: {r.Strangers.WalkUps} stranger walk-ups cannot show {target}; this is the lowest threshold that let none in)" : ""));
        if (r.StrangerTail is { } t)
        {
            o.WriteLine(
                $"  tail model (normal fit of {t.Pairs} stranger–worker scores: mean {Figures.Fixed(t.Mean, 3)}, spread {Figures.Fixed(t.Spread, 3)}): "
                + $"threshold {Figures.UpText(t.ThresholdHere, 3)} at {d.StrangerGalleryWorkers} workers, {Figures.UpText(t.ThresholdAtStation, 3)} at {StationWorkers} workers, "
                + $"where {Pct(t.EnrolledRefusedAtStation, true)} of enrolled walk-ups here are refused");
            o.WriteLine(
                $"  the rule now lets in an estimated {Pct(t.StrangerRateAtStationNow, true)} of strangers at {StationWorkers} workers (the model: a floor, lookalikes make the tail heavier)");
        }
        else
        {
            o.WriteLine($"  tail model: fewer than {MinTailPairs} stranger–worker scores, too few to fit");
        }

        if (r.Liveness is { } l)
        {
            o.WriteLine();
            o.WriteLine($"liveness            {l.CalledFake} of {l.Faces} genuine faces called fake (BPCER {Figures.Percent(l.Bpcer, 1, roundUp: true)} at threshold {Figures.Fixed(l.Threshold, 2)})");
            o.WriteLine("                    (no attack samples were evaluated: this says nothing about spoof resistance)");
        }

        PrintLevels(o, r);
        o.WriteLine();
        o.WriteLine(Advice(r));
    }

    private static string Advice(Report r)
    {
        var target = r.TargetFar.ToString("0.###%", CultureInfo.InvariantCulture);
        var needed = (int)Math.Ceiling(1 / r.TargetFar);
        var station = r.StrangerTail is { } t
            ? $" For a station of {StationWorkers} workers like these the tail model asks for {Figures.UpText(t.ThresholdAtStation, 2)}"
                + (r.Rule.Threshold is { } fixedThreshold ? $" (the fixed rule uses {Figures.Fixed(fixedThreshold, 2)})." : "; the calibrated rule sets it from the station's own workers.")
            : "";
        if (r.Strangers.Rate > r.TargetFar)
        {
            return $"The rule lets in {Pct(r.Strangers.Rate)} of strangers here, more than {target}: raise the threshold to at least {Figures.UpText(r.AtTargetFar.Threshold, 2)} "
                + $"(it refuses {Pct(r.AtTargetFar.EnrolledRefused)} of enrolled walk-ups here).{station}";
        }

        var pin = r.AtTargetFar.Coarse
            ? $" {r.Strangers.WalkUps} stranger walk-ups cannot pin {target}: walk up at least {needed} strangers (more people, or more photos each) to measure it."
            : "";
        return $"The rule let in {r.Strangers.LetIn} of {r.Strangers.WalkUps} strangers here and refused {Pct(r.Enrolled.Rate)} of enrolled walk-ups.{pin}{station}";

        static string Pct(double rate) => Figures.Percent(rate, 2, roundUp: true);
    }
}
