using System.Globalization;
using System.Numerics.Tensors;
using StationEdge.Vision.Evaluation;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Recognition;

using static StationEdge.Evaluation.PairsEvaluation;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `eval --pairs CSV [--images DIR]`: 1:1 verification over a pairs file. This is how a county calibrates the
/// match threshold on its own camera's photos, so it explains what it skipped and what the figures mean.
/// </summary>
internal static class EvalCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (argv.Contains("--open-set"))
        {
            var openSet = CliArgs.Parse(
                "eval",
                argv,
                [.. VisionCli.Flags, "--photos", "--pairs", "--gallery", "--probes", "--enroll", "--frames", "--far", "--threshold", "--margin", "--templates", "--embedder", VisionCli.AlignmentFlag,
                    "--workers", "--learn-max", "--learn-clear-by", "--learn-pass-floor", "--learn-move"],
                ["--open-set", "--liveness", "--no-mirror", "--learn"]);
            return await OpenSetEvalCommand.RunAsync(openSet, stdout, stderr, ct);
        }

        var args = CliArgs.Parse("eval", argv, [.. VisionCli.Flags, "--pairs", "--images", VisionCli.AlignmentFlag], ["--liveness"]);
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

        // A FIFO or device among the photos would block ffmpeg until its timeout: refused, by line, before slow work.
        foreach (var pair in pairs)
        {
            VisionCli.RequireRegularFile(pair.Left, $"{csv}:{pair.Line}: ");
            VisionCli.RequireRegularFile(pair.Right, $"{csv}:{pair.Line}: ");
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

        if (embeddings.Count > 0 && embeddings.Values.All(e => e.Problem == PhotoAnalysis.NotFound))
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
        var (report, metrics) = Summarize(csv, genuine, impostor, skipped, liveness, pipeline.EmbedderSha256, VisionCli.AlignmentOf(pipeline.Models));

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

    /// <summary>The best face of each photo (highest detector score), embedded once however many pairs use it.</summary>
    private static async Task<Dictionary<string, (float[]? Embedding, string? Problem, LivenessResult? Liveness)>> EmbedPhotosAsync(
        FacePipeline pipeline, List<string> photos, bool withLiveness, TextWriter stderr, CancellationToken ct)
    {
        (string Path, (float[]? Embedding, string? Problem, LivenessResult? Liveness) Result) Analyse(string path, RgbImage image)
        {
            var faces = pipeline.Analyze(image, maxFaces: 1);
            return (path, faces.Length == 0
                ? (null, "no face found", null)
                : (faces[0].Embedding, null, withLiveness ? pipeline.CheckLiveness(image, faces[0].Face) : null));
        }

        var analysed = await PhotoAnalysis.AnalyseInOrderAsync(
            new PhotoDecoder(),
            photos,
            path => path,
            Analyse,
            (path, reason) => (path, (null, reason, null)),
            (done, total) => stderr.WriteLine($"eval: analysed {done}/{total} photos"),
            ct);
        var results = new Dictionary<string, (float[]? Embedding, string? Problem, LivenessResult? Liveness)>(StringComparer.Ordinal);
        foreach (var (path, result) in analysed)
        {
            results[path] = result;
        }

        return results;
    }

    private static LivenessReport Liveness(
        Dictionary<string, (float[]? Embedding, string? Problem, LivenessResult? Liveness)> photos, float threshold)
    {
        var tally = LivenessTally.Of(photos.Select(p => (p.Key, p.Value.Liveness)));
        return new LivenessReport(tally.Faces, tally.CalledFake, tally.Bpcer, threshold, tally.CalledFakePhotos);
    }

}
