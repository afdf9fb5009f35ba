using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Access;
using StationEdge.Vision.Imaging;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>identify --photo P [--photo P2 …]</c>: each photo against the enrolled workers, by the rule the door uses, on one
/// frame (<see cref="FaceRecognizer.IdentifyPhoto"/>: main face, quality gate, match, liveness, status, validity, hours).
/// A refusal is an answer, not an error: exit 0. <c>--json</c> prints one object per photo, an array when several.
/// </summary>
internal static class IdentifyCommand
{
    private const string Name = "identify";

    public sealed record Result(
        [property: JsonPropertyName("photo")] string Photo,
        [property: JsonPropertyName("decision")] AccessDecision Decision,
        [property: JsonPropertyName("worker_id")] string? WorkerId,
        [property: JsonPropertyName("worker_name")] string? WorkerName,
        [property: JsonPropertyName("score")] float? Score,
        [property: JsonPropertyName("margin")] float? Margin,
        [property: JsonPropertyName("liveness")] float? Liveness,
        [property: JsonPropertyName("reason")] string Reason,
        [property: JsonPropertyName("detail")] string Detail);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse(Name, argv, StationCli.Flags, listFlags: ["--photo"]);
        var paths = args.List("--photo");
        if (paths.Count == 0)
        {
            throw CliError.BadInput("--photo is required (one or more photos)");
        }

        foreach (var path in paths)
        {
            VisionCli.RequireRegularFile(path);
        }

        var settings = StationCli.Settings(args);
        var data = StationEdge.Store.DataFolder.Resolve(settings.Store.DataPath);
        if (!File.Exists(Path.Combine(data, StationEdge.Store.DataFolder.DatabaseFileName)))
        {
            // Not made here: identify only reads, and an empty station would answer "unknown" to everyone.
            throw CliError.BadInput($"{data}: no station database (station.db) there; enrol a worker first (station-edge enroll --data {data} …)");
        }

        using var vision = StationVision.Load(settings.Vision);
        await using var store = await StationCli.OpenStoreAsync(settings.Store, ct);
        var policy = settings.Access.ToPolicy();
        using var gallery = await vision.LoadGalleryAsync(store, policy, NullLogger<StationGallery>.Instance, ct);
        var recognizer = new FaceRecognizer(vision, gallery, policy, settings.Access.RequireLiveness);
        var decoder = new PhotoDecoder();
        var results = new List<Result>();
        foreach (var path in paths)
        {
            var decoded = await VisionCli.DecodeArgumentAsync(decoder, path, ct);
            using var image = decoded.Image;
            var d = recognizer.IdentifyPhoto(image, DateTimeOffset.UtcNow);
            results.Add(new Result(path, d.Decision, d.WorkerId, d.WorkerName, d.Score, d.Margin, d.Liveness, d.Reason, d.Detail));
        }

        if (args.Json)
        {
            if (results.Count == 1)
            {
                JsonOutput.Write(stdout, results[0]);
            }
            else
            {
                JsonOutput.Write(stdout, results);
            }

            return 0;
        }

        foreach (var r in results)
        {
            stdout.WriteLine(r.Decision == AccessDecision.Granted
                ? F($"{r.Photo}: granted {r.WorkerId} {r.WorkerName} (score {r.Score:0.00}, margin {r.Margin:0.00})")
                : $"{r.Photo}: refused ({r.Reason}): {r.Detail}");
        }

        return 0;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
