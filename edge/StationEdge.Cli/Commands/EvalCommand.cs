using System.Globalization;
using System.Numerics.Tensors;
using StationEdge.Vision.Evaluation;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `eval --pairs CSV [--images DIR]`: 1:1 verification over a pairs file. This is how a county calibrates the
/// match threshold on its own camera's photos, so it explains what it skipped and what the figures mean.
/// </summary>
internal static class EvalCommand
{
    public sealed record Skipped(int Line, string Left, string Right, string Reason);

    public sealed record Distribution(int Count, double Min, double Median, double Max);

    /// <summary>Bona-fide presentation classification error: genuine faces the liveness model calls fake.</summary>
    public sealed record LivenessReport(int Faces, int CalledFake, double Bpcer, double Threshold, IReadOnlyList<string> CalledFakePhotos);

    public sealed record Report(
        string PairsFile,
        int Pairs,
        int SamePairs,
        int DifferentPairs,
        int SkippedCount,
        IReadOnlyList<Skipped> Skipped,
        double Auc,
        double Eer,
        double EerThreshold,
        IReadOnlyDictionary<string, double> TarAtFar,
        IReadOnlyDictionary<string, double> ThresholdAtFar,
        IReadOnlyDictionary<string, bool> CoarseAtFar,
        Distribution Same,
        Distribution Different,
        LivenessReport? Liveness,
        string EmbedderSha256);

    private const string NotFound = "unreadable: file not found";

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var args = CliArgs.Parse("eval", argv, [.. VisionCli.Flags, "--pairs", "--images"], ["--liveness"]);
        var csv = args.Require("--pairs");
        var withLiveness = args.Has("--liveness");
        var (modelsPath, options) = VisionCli.Settings(
            args, FaceModelParts.Detector | FaceModelParts.Embedder | (withLiveness ? FaceModelParts.Liveness : 0));
        var images = args.Value("--images");
        if (images is not null && !Directory.Exists(images))
        {
            throw CliError.BadInput($"eval: --images {images}: folder not found");
        }

        IReadOnlyList<PhotoPair> pairs;
        try
        {
            pairs = PairsFile.Load(csv, images is null ? null : Path.GetFullPath(images));
        }
        catch (PairsFileException e)
        {
            throw CliError.BadInput(e.Message);
        }

        using var pipeline = FacePipeline.Load(modelsPath, options);
        var photos = pairs.SelectMany(p => new[] { p.Left, p.Right }).Distinct(StringComparer.Ordinal).ToList();
        var embeddings = await EmbedPhotosAsync(pipeline, photos, withLiveness, stderr, ct);

        var genuine = new List<double>();
        var impostor = new List<double>();
        var skipped = new List<Skipped>();
        foreach (var pair in pairs)
        {
            var (left, leftProblem, _) = embeddings[pair.Left];
            var (right, rightProblem, _) = embeddings[pair.Right];
            if (left is null || right is null)
            {
                var reason = left is null ? $"{Path.GetFileName(pair.Left)}: {leftProblem}" : $"{Path.GetFileName(pair.Right)}: {rightProblem}";
                skipped.Add(new Skipped(pair.Line, pair.Left, pair.Right, reason));
                continue;
            }

            (pair.Same ? genuine : impostor).Add(TensorPrimitives.Dot(left, right));
        }

        if (embeddings.Count > 0 && embeddings.Values.All(e => e.Problem == NotFound))
        {
            throw CliError.BadInput(
                $"eval: {csv}: none of the {embeddings.Count} photos it names exists (first: {photos[0]}); paths are read relative to the pairs file's folder unless --images DIR is given");
        }

        if (genuine.Count == 0 || impostor.Count == 0)
        {
            throw CliError.BadInput(
                $"eval: {csv}: after skipping {skipped.Count} pair(s) there are {genuine.Count} same-person and {impostor.Count} different-person pairs; both are needed");
        }

        var liveness = withLiveness ? Liveness(embeddings, pipeline.Models.Liveness!.Threshold) : null;
        var (report, metrics) = Summarize(csv, genuine, impostor, skipped, liveness, pipeline.EmbedderSha256);

        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
        }
        else
        {
            PrintText(stdout, report, metrics, genuine, impostor);
        }

        return 0;
    }

    /// <summary>The figures over the scores of the pairs used.</summary>
    internal static (Report Report, VerificationReport Metrics) Summarize(
        string csv, List<double> genuine, List<double> impostor, List<Skipped> skipped, LivenessReport? liveness, string embedderSha256)
    {
        var metrics = VerificationMetrics.Compute(genuine, impostor);
        string Key(double far) => far.ToString(CultureInfo.InvariantCulture);
        var report = new Report(
            csv,
            genuine.Count + impostor.Count,
            genuine.Count,
            impostor.Count,
            skipped.Count,
            skipped,
            metrics.Auc,
            metrics.Eer,
            metrics.EerThreshold,
            metrics.Points.ToDictionary(p => Key(p.TargetFar), p => p.Tar),
            metrics.Points.ToDictionary(p => Key(p.TargetFar), p => p.Threshold),
            metrics.Points.ToDictionary(p => Key(p.TargetFar), p => p.Coarse),
            new Distribution(metrics.Same.Count, metrics.Same.Min, metrics.Same.Median, metrics.Same.Max),
            new Distribution(metrics.Different.Count, metrics.Different.Min, metrics.Different.Median, metrics.Different.Max),
            liveness,
            embedderSha256);
        return (report, metrics);
    }

    /// <summary>The best face of each photo (highest detector score), embedded once however many pairs use it.</summary>
    private static async Task<Dictionary<string, (float[]? Embedding, string? Problem, LivenessResult? Liveness)>> EmbedPhotosAsync(
        FacePipeline pipeline, List<string> photos, bool withLiveness, TextWriter stderr, CancellationToken ct)
    {
        var results = new Dictionary<string, (float[]?, string?, LivenessResult?)>(StringComparer.Ordinal);
        var decoder = new PhotoDecoder();
        var done = 0;

        // ffmpeg decodes the next photos while ONNX Runtime works on the current one.
        var pending = new Queue<(string Path, Task<DecodedPhoto> Decode)>();
        var next = 0;
        void Fill()
        {
            while (pending.Count < 2 && next < photos.Count)
            {
                var path = photos[next++];
                pending.Enqueue((path, decoder.DecodeAsync(path, ct)));
            }
        }

        Fill();
        while (pending.Count > 0)
        {
            var (path, decode) = pending.Dequeue();
            Fill();
            try
            {
                using var image = (await decode).Image;
                var faces = pipeline.Analyze(image, maxFaces: 1);
                results[path] = faces.Length == 0
                    ? (null, "no face found", null)
                    : (faces[0].Embedding, null, withLiveness ? pipeline.CheckLiveness(image, faces[0].Face) : null);
            }
            catch (PhotoDecodeException e) when (e.InnerException is FileNotFoundException or DirectoryNotFoundException)
            {
                results[path] = (null, NotFound, null);
            }
            catch (PhotoDecodeException e)
            {
                results[path] = (null, $"unreadable: {e.Reason}", null);
            }

            if (++done % 25 == 0 || done == photos.Count)
            {
                stderr.WriteLine($"eval: analysed {done}/{photos.Count} photos");
            }
        }

        return results;
    }

    private static LivenessReport Liveness(
        Dictionary<string, (float[]? Embedding, string? Problem, LivenessResult? Liveness)> photos, float threshold)
    {
        var scored = photos.Where(p => p.Value.Liveness is not null).ToList();
        var fake = scored.Where(p => !p.Value.Liveness!.IsLive).Select(p => Path.GetFileName(p.Key)).Order(StringComparer.Ordinal).ToList();
        return new LivenessReport(scored.Count, fake.Count, scored.Count == 0 ? 0 : fake.Count / (double)scored.Count, threshold, fake);
    }

    internal static void PrintText(TextWriter o, Report r, VerificationReport m, List<double> genuine, List<double> impostor)
    {
        o.WriteLine($"pairs file   {r.PairsFile}");
        o.WriteLine($"pairs used   {r.Pairs} ({r.SamePairs} same person, {r.DifferentPairs} different people)");
        o.WriteLine($"skipped      {r.SkippedCount}");
        foreach (var s in r.Skipped)
        {
            o.WriteLine($"  line {s.Line}: {s.Reason}");
        }

        o.WriteLine();
        o.WriteLine($"AUC          {r.Auc:0.0000}");
        o.WriteLine($"EER          {r.Eer:0.00%}  (at threshold {r.EerThreshold:0.000})");
        foreach (var p in m.Points)
        {
            var note = p.Coarse ? $"  (coarse: {r.DifferentPairs} different-person pairs are too few to measure FAR {p.TargetFar:0.0%}; this is the lowest threshold with no impostor accepted)" : "";
            o.WriteLine($"TAR @ FAR {p.TargetFar,-6:0.0%} {p.Tar:0.00%}  threshold {p.Threshold:0.000}{note}");
        }

        o.WriteLine();
        o.WriteLine($"same person       min {r.Same.Min:0.000}  median {r.Same.Median:0.000}  max {r.Same.Max:0.000}");
        o.WriteLine($"different people  min {r.Different.Min:0.000}  median {r.Different.Median:0.000}  max {r.Different.Max:0.000}");
        if (r.Liveness is { } l)
        {
            o.WriteLine(
                $"liveness          {l.CalledFake} of {l.Faces} genuine faces called fake (BPCER {l.Bpcer:0.0%} at threshold {l.Threshold:0.00})"
                + (l.CalledFake > 0 ? $": {string.Join(", ", l.CalledFakePhotos)}" : ""));
            o.WriteLine("                  (no attack samples were evaluated: this says nothing about spoof resistance)");
        }

        o.WriteLine();
        PrintHistogram(o, genuine, impostor);
        o.WriteLine();
        var strict = m.Points[^1];
        o.WriteLine(strict.Coarse
            ? $"These photos hold too few different-person pairs to pin FAR {strict.TargetFar:0.0%}: no stranger here scored above {r.Different.Max:0.00}. "
              + $"Keep the match threshold well above that (default {GalleryOptions.DefaultThreshold:0.00}) or evaluate more pairs."
            : $"To accept at most {strict.TargetFar:0.0%} of strangers on photos like these, set the match threshold to {strict.Threshold:0.00}.");
    }

    /// <summary>Cosine scores in bins of 0.1, same-person pairs as '#', different-person as '.', scaled per row.</summary>
    private static void PrintHistogram(TextWriter o, List<double> genuine, List<double> impostor)
    {
        const int width = 40;
        int Bin(double s) => Math.Clamp((int)Math.Floor((s + 0.2) * 10), 0, 11);
        var g = new int[12];
        var i = new int[12];
        genuine.ForEach(s => g[Bin(s)]++);
        impostor.ForEach(s => i[Bin(s)]++);
        var max = Math.Max(1, Math.Max(g.Max(), i.Max()));
        o.WriteLine("score       same person (#)  /  different people (.)");
        for (var b = 0; b < 12; b++)
        {
            var lo = (b / 10.0) - 0.2;
            var label = b == 0 ? "   < -0.1" : b == 11 ? "   ≥  0.9" : $"{lo,5:0.0}–{lo + 0.1,3:0.0}";
            var bar = new string('#', (int)Math.Ceiling(g[b] * (double)width / max)) + new string('.', (int)Math.Ceiling(i[b] * (double)width / max));
            o.WriteLine($"{label}  {bar} {(g[b] + i[b] > 0 ? $"{g[b]}/{i[b]}" : "")}");
        }
    }
}
