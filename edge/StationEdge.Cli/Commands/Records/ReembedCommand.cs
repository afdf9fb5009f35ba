using StationEdge.Store;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Embedding;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands.Records;

/// <summary>
/// <c>reembed [--models DIR]</c>: after an embedder change, every template made by another embedder is embedded again
/// from its kept aligned crop (<c>Store:KeepCrops</c>) by the installed one. Each new template is committed on its
/// own, so an interrupted run carries on where it stopped. The old templates are removed only when every worker who
/// had one has a new one; otherwise they stay, and the workers skipped are named with the reason (exit 3).
/// </summary>
internal static class ReembedCommand
{
    private const string Name = "reembed";
    private const int ProgressEvery = 25;

    public sealed record Skipped(string WorkerId, string Name, string Reason);

    /// <summary><c>reembed --json</c>; <see cref="OldTemplatesRemoved"/> is 0 when <see cref="Skipped"/> is not empty (the old ones are kept).</summary>
    public sealed record Report(string EmbedderSha256, int TemplatesReembedded, int ReembeddedEarlier, int OldTemplatesRemoved, IReadOnlyList<Skipped> Skipped);

    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var args = CliArgs.Parse(Name, argv, [StoreCli.Data, StoreCli.By, .. VisionCli.Flags, VisionCli.AlignmentFlag]);
        var (modelsPath, vision) = VisionCli.Settings(args, FaceModelParts.Embedder);
        var keeper = StoreCli.Keeper(args);
        return StoreCli.RunAsync(async () =>
        {
            await using var store = await StoreCli.OpenAsync(args, ct);
            using var models = FaceModels.Load(modelsPath, vision);
            var embedder = models.Embedder!;
            var sha = embedder.TemplateTag;
            bool Old(TemplateInfo t) => t.EmbedderSha256 != sha;

            var before = await SurveyAsync(store, ct);
            if (!before.Any(w => w.Templates.Any(Old)))
            {
                if (args.Json)
                {
                    JsonOutput.Write(stdout, new Report(sha, 0, 0, 0, []));
                }
                else
                {
                    stdout.WriteLine($"every template is made by the installed embedder {StoreCli.ShortSha(sha)}: nothing to do");
                }

                return 0;
            }

            var todo = await store.ListTemplatesToReembedAsync(sha, ct);
            var withCrop = before.Sum(w => w.Templates.Count(t => Old(t) && t.HasCrop));
            var earlier = withCrop - todo.Count;
            stderr.WriteLine($"{Name}: {DetectCommand.Plural(todo.Count, "template")} to re-embed from their kept crops with the installed embedder {StoreCli.ShortSha(sha)}"
                + (earlier > 0 ? $" ({earlier} done by an earlier run)" : ""));
            // A kept crop is aligned already: one made on the other alignment cannot become a template of this one.
            var directory = ModelDirectory.Open(modelsPath);
            var otherAlignment = before.SelectMany(w => w.Templates)
                .Where(t => todo.Contains(t.Id) && FaceModels.AlignmentOfTag(t.EmbedderSha256, directory) is { } made && made != models.Alignment.Method)
                .ToDictionary(t => t.Id, t => $"its kept crop is aligned on {Describe(FaceModels.AlignmentOfTag(t.EmbedderSha256, directory)!.Value)} and cannot be aligned again on {Describe(models.Alignment.Method)} "
                    + $"(enroll again, or keep Vision:Alignment={FaceModels.AlignmentOfTag(t.EmbedderSha256, directory)!.Value.ToString().ToLowerInvariant()})");
            var failures = await ReembedAsync(store, embedder, [.. todo.Where(id => !otherAlignment.ContainsKey(id))], sha, stderr, ct);
            foreach (var (id, reason) in otherAlignment)
            {
                failures[id] = reason;
            }


            // Who has templates, none of them of the installed embedder, and why.
            var skipped = (await SurveyAsync(store, ct))
                .Where(w => w.Templates.Count > 0 && w.Templates.All(Old))
                .Select(w => new Skipped(w.Worker.Id, w.Worker.Name, string.Join("; ", w.Templates
                    .Select(t => failures.GetValueOrDefault(t.Id) ?? (t.HasCrop ? "not re-embedded (added during this run?)" : "no crop kept (enrolled while Store:KeepCrops was off)"))
                    .Distinct())))
                .ToList();
            var removed = skipped.Count == 0 ? await store.DeleteTemplatesNotMadeByAsync(sha, keeper, ct) : 0;
            var done = todo.Count - failures.Count;
            await store.RecordKeeperActionAsync(keeper, "templates.reembed", null,
                $"{done} templates re-embedded with {sha}; {skipped.Count} workers skipped; {removed} old templates removed", ct);
            Finish(stdout, args, new Report(sha, done, earlier, removed, skipped));
            if (skipped.Count == 0)
            {
                return 0;
            }

            throw CliError.Fault(withCrop == 0
                ? $"no crops were kept (Store:KeepCrops was off), so the installed embedder cannot re-embed anyone: enroll {DetectCommand.Plural(skipped.Count, "worker")} again ({Ids(skipped)})"
                : $"{DetectCommand.Plural(skipped.Count, "worker")} skipped, so the old templates are kept: enroll {Ids(skipped)} again, then run reembed again");
        });
    }

    private static string Describe(AlignmentMethod alignment) => alignment == AlignmentMethod.Landmarks ? "landmarks" : "BlazeFace's keypoints";

    /// <summary>Every worker with their templates (metadata only).</summary>
    private static async Task<List<(Worker Worker, IReadOnlyList<TemplateInfo> Templates)>> SurveyAsync(StationStore store, CancellationToken ct)
    {
        var survey = new List<(Worker, IReadOnlyList<TemplateInfo>)>();
        foreach (var worker in await store.ListWorkersAsync(ct))
        {
            survey.Add((worker, await store.ListTemplatesAsync(worker.Id, ct)));
        }

        return survey;
    }

    /// <summary>Embeds each template's crop again and stores it; returns the templates that failed, with why.</summary>
    private static async Task<Dictionary<Guid, string>> ReembedAsync(StationStore store, FaceEmbedder embedder, IReadOnlyList<Guid> todo, string sha, TextWriter stderr, CancellationToken ct)
    {
        var failures = new Dictionary<Guid, string>();
        var tensor = new float[FaceAligner.TensorLength];
        for (var i = 0; i < todo.Count; i++)
        {
            try
            {
                ct.ThrowIfCancellationRequested();
                var crop = await store.ReadCropAsync(todo[i], ct);
                if (crop is null)
                {
                    failures[todo[i]] = "no crop kept";
                    continue;
                }

                using var image = new RgbImage(crop.Width, crop.Height, crop.Rgb);
                ImageOps.ToTensor(image, tensor, PixelNormalization.MobileFaceNetScale, PixelNormalization.MobileFaceNetOffset);
                await store.AddReembeddedTemplateAsync(todo[i], sha, embedder.Embed(tensor), ct);
            }
            catch (StoreException e) when (e.Fault is StoreFault.Corrupt or StoreFault.NotFound)
            {
                failures[todo[i]] = e.Message;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // A write cancelled before its commit stored nothing, so the count is exact.
                throw new CliError(CliError.InterruptedCode,
                    $"interrupted after {i - failures.Count} of {todo.Count} templates; each one re-embedded is stored: run reembed again to carry on");
            }

            if ((i + 1) % ProgressEvery == 0 || i + 1 == todo.Count)
            {
                stderr.WriteLine($"{Name}: {i + 1}/{todo.Count} templates");
            }
        }

        return failures;
    }

    private static void Finish(TextWriter stdout, CliArgs args, Report report)
    {
        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
            return;
        }

        stdout.WriteLine(report.TemplatesReembedded + report.ReembeddedEarlier == 0
            ? $"no template could be re-embedded with the installed embedder {StoreCli.ShortSha(report.EmbedderSha256)}"
            : $"re-embedded {DetectCommand.Plural(report.TemplatesReembedded, "template")} with the installed embedder {StoreCli.ShortSha(report.EmbedderSha256)}"
                + (report.ReembeddedEarlier > 0 ? $" ({report.ReembeddedEarlier} more by an earlier run)" : ""));
        foreach (var s in report.Skipped)
        {
            stdout.WriteLine($"  skipped {s.WorkerId} {s.Name}: {s.Reason}");
        }

        stdout.WriteLine(report.Skipped.Count == 0
            ? $"removed {DetectCommand.Plural(report.OldTemplatesRemoved, "old template")}; restart the daemon (systemctl restart station-edge) so it loads the new ones"
            : "the old templates are kept until every worker has a new one");
    }

    private static string Ids(List<Skipped> skipped) =>
        string.Join(", ", skipped.Take(10).Select(s => s.WorkerId)) + (skipped.Count > 10 ? $" and {skipped.Count - 10} more" : "");
}
