using System.Globalization;
using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Access;
using StationEdge.Store;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Quality;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>enroll --id ID --name NAME --photo P [--photo P2 …] [--consent-version V] [--consent station|county] [--valid-until DATE] [--allow-duplicate]</c>: each photo must
/// show one face that passes the quality gate; the photos must show one person; the face must not already be enrolled as
/// another worker (unless --allow-duplicate); then the worker and one template per photo are stored (with the aligned
/// crop when Store:KeepCrops). Any refused photo stops the enrolment (exit 2) with one line naming it and why.
/// </summary>
internal static class EnrollCommand
{
    private const string Name = "enroll";

    public const string DefaultConsentVersion = "1";

    public sealed record TemplateReport(Guid Id, string Photo, float InterEyePx, float YawDeg, float Sharpness, float Brightness);

    public sealed record Report(Worker Worker, IReadOnlyList<TemplateReport> Templates, bool CropsKept);

    private sealed record Photo(string Path, float[] Embedding, QualityFigures Figures, byte[] Crop);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse(Name, argv, [.. StationCli.Flags, "--id", "--name", "--consent-version", Records.StoreCli.ConsentFlag, Records.StoreCli.ValidUntilFlag], ["--allow-duplicate"], ["--photo"]);
        var id = args.Require("--id");
        var name = args.Require("--name").Trim();
        var paths = args.List("--photo");
        var (_, validUntil) = Records.StoreCli.ValidUntil(args, allowNone: false);
        var scope = Records.StoreCli.Consent(args) ?? ConsentScope.Station;
        if (paths.Count == 0)
        {
            throw CliError.BadInput("--photo is required (one or more photos of the worker alone)");
        }

        try
        {
            Input.WorkerId(id);
        }
        catch (StoreException failure)
        {
            throw CliError.BadInput($"--id {failure.Message}");
        }

        if (paths.Distinct(StringComparer.Ordinal).Count() != paths.Count)
        {
            throw CliError.BadInput("--photo names the same file twice");
        }

        foreach (var path in paths)
        {
            VisionCli.RequireRegularFile(path);
        }

        var settings = StationCli.Settings(args);
        var policy = settings.Access.ToPolicy();
        using var vision = StationVision.Load(settings.Vision);
        var photos = new List<Photo>();
        var decoder = new PhotoDecoder();
        foreach (var path in paths)
        {
            photos.Add(await LookAsync(vision, decoder, path, ct));
        }

        await using var store = await StationCli.OpenStoreAsync(settings.Store, ct);
        try
        {
            if (await store.GetWorkerAsync(id, ct) is { } existing)
            {
                throw CliError.BadInput($"worker {id} is already enrolled ({existing.Name}, since {existing.CreatedAt:yyyy-MM-dd})");
            }

            // The station's threshold as it stands (calibrated for its workers unless fixed), for both checks below.
            using var gallery = await vision.LoadGalleryAsync(store, policy, NullLogger<StationGallery>.Instance, ct);
            var threshold = gallery.Threshold;

            // Several photos must be of one person: a photo of someone else would let them in as this worker.
            foreach (var other in photos.Skip(1))
            {
                var score = TensorPrimitives.Dot(photos[0].Embedding, other.Embedding);
                if (score < threshold)
                {
                    throw CliError.BadInput(F($"{other.Path}: not the same person as {photos[0].Path} (score {score:0.00}, a match needs {threshold:0.00})"));
                }
            }

            if (!args.Has("--allow-duplicate"))
            {
                foreach (var photo in photos)
                {
                    // The threshold alone, not the margin: two enrolled look-alikes must not hide a duplicate from the check.
                    var match = gallery.Match(photo.Embedding).Match;
                    if (match.WorkerId is { } other && match.Score >= match.Threshold)
                    {
                        throw CliError.BadInput(F($"{photo.Path}: this face is already enrolled as {other} (score {match.Score:0.00}); if it is another person, enrol with --allow-duplicate"));
                    }
                }
            }

            var templates = photos.Select(p => new NewTemplate(vision.EmbedderSha256, p.Embedding,
                new TemplateQuality(p.Figures.InterEyePx, p.Figures.YawDegrees, p.Figures.Sharpness, p.Figures.Brightness, p.Figures.DetectorScore))
            { Crop = p.Crop }).ToList();
            var worker = new NewWorker { Id = id, Name = name, ConsentVersion = args.Value("--consent-version") ?? DefaultConsentVersion, ConsentScope = scope, ValidUntil = validUntil };
            var enrolled = await store.EnrollAsync(worker, templates, StationCli.Keeper, ct);
            var report = new Report(
                enrolled.Worker,
                [.. photos.Select((p, i) => new TemplateReport(enrolled.TemplateIds[i], p.Path, p.Figures.InterEyePx, p.Figures.YawDegrees, p.Figures.Sharpness, p.Figures.Brightness))],
                settings.Store.KeepCrops);
            Print(stdout, args.Json, report);
            return 0;
        }
        catch (StoreException failure)
        {
            throw StationCli.Error(failure);
        }
    }

    /// <summary>Decodes, detects and gates one photo; embeds its face and keeps its aligned crop.</summary>
    private static async Task<Photo> LookAsync(StationVision vision, PhotoDecoder decoder, string path, CancellationToken ct)
    {
        var decoded = await VisionCli.DecodeArgumentAsync(decoder, path, ct);
        using var image = decoded.Image;
        var verdict = vision.Gate.CheckPhoto(image, vision.Pipeline.Detect(image));
        if (!verdict.Passed)
        {
            throw CliError.BadInput($"{path}: {verdict.Message}");
        }

        var face = verdict.Face!;
        var analysis = vision.Pipeline.Analyze(image, [face]);
        if (analysis.Length == 0)
        {
            throw CliError.BadInput($"{path}: the face's keypoints cannot be aligned; use another photo");
        }

        // Aligned as the embedding was, so a later reembed from the crop gives the template its tag says.
        using var crop = vision.Pipeline.Models.Alignment.AlignToImage(image, face);
        return new Photo(path, analysis[0].Embedding, verdict.Figures!, crop.Pixels.ToArray());
    }

    private static void Print(TextWriter stdout, bool json, Report report)
    {
        if (json)
        {
            JsonOutput.Write(stdout, report);
            return;
        }

        var w = report.Worker;
        stdout.WriteLine($"enrolled {w.Id} {w.Name}: {DetectCommand.Plural(report.Templates.Count, "template")}{(report.CropsKept ? " with their face crops" : "")}, consent version {w.ConsentVersion}, recognised at {Records.StoreCli.Scope(w.ConsentScope)}");
        foreach (var t in report.Templates)
        {
            stdout.WriteLine(F($"  {t.Photo}: {t.InterEyePx:0} px between the eyes, yaw {t.YawDeg:0}°, sharpness {t.Sharpness:0}, brightness {t.Brightness:0}"));
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
