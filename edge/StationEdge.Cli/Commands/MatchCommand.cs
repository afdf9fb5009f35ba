using StationEdge.Configuration;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `match --photos P...`: who appears in more than one photo. Each face is looked up in a gallery of the people
/// seen so far, with the same open-set rule the door uses (threshold and margin); a stranger becomes a new person.
/// </summary>
internal static class MatchCommand
{
    /// <summary>One face of a person; <paramref name="Score"/> is its similarity to the person as seen before, null at the first sighting.</summary>
    public sealed record Appearance(string Photo, int Face, DetectCommand.Box Box, float? Score);

    public sealed record Person(string Id, IReadOnlyList<Appearance> Appearances);

    public sealed record Report(int Photos, int Faces, float Threshold, float MinMargin, IReadOnlyList<Person> People);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse("match", argv, [.. VisionCli.Flags, "--threshold", "--margin"], listFlags: ["--photos"]);
        var photos = args.List("--photos");
        if (photos.Count == 0)
        {
            throw CliError.BadInput("match: --photos needs at least one photo");
        }

        // A fixed threshold: the few people in a handful of photos say nothing about a population to calibrate from.
        var threshold = (float)args.Double("--threshold", GalleryOptions.DefaultThreshold, 0, 1);
        var options = new GalleryOptions(threshold, (float)args.Double("--margin", GalleryOptions.DefaultMinMargin, 0, 1));
        RequireDistinctFiles(photos);
        using var pipeline = VisionCli.LoadPipeline(args);
        using var gallery = pipeline.CreateGallery(options);
        var decoder = new PhotoDecoder();
        var people = new List<(string Id, List<Appearance> Seen)>();
        var faceCount = 0;
        foreach (var path in photos)
        {
            var decoded = await VisionCli.DecodeArgumentAsync(decoder, path, ct);
            using var image = decoded.Image;
            var faces = pipeline.Analyze(image);
            faceCount += faces.Length;

            // Look every face of this photo up before enrolling any, so two people in one photo never merge.
            var matches = faces.Select(f => gallery.Search(f.Embedding)).ToList();
            for (var i = 0; i < faces.Length; i++)
            {
                var face = faces[i];
                var r = DetectCommand.Describe(i + 1, face.Face, face.Quality, decoded, null, null);
                var match = matches[i];
                var sameWorkerEarlierInPhoto = match.IsKnown && matches.Take(i).Any(m => m.IsKnown && m.WorkerId == match.WorkerId);
                var known = match.IsKnown && !sameWorkerEarlierInPhoto;
                var id = known ? match.WorkerId! : $"person-{people.Count + 1}";
                if (id.StartsWith("person-", StringComparison.Ordinal) && people.All(p => p.Id != id))
                {
                    people.Add((id, []));
                }

                people.First(p => p.Id == id).Seen.Add(new Appearance(path, i + 1, r.Box, known ? match.Score : null));
                gallery.Add(new FaceTemplate(Guid.NewGuid(), id, face.Embedding, pipeline.EmbedderSha256));
            }
        }

        var report = new Report(photos.Count, faceCount, threshold, options.MinMargin,
            people.Select(p => new Person(p.Id, p.Seen)).ToList());
        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
            return 0;
        }

        var repeated = report.People.Where(p => p.Appearances.Select(a => a.Photo).Distinct().Count() > 1).ToList();
        var different = report.People.Count == 1 ? "1 different person" : $"{report.People.Count} different people";
        stdout.WriteLine(
            $"{DetectCommand.Plural(faceCount, "face")} in {DetectCommand.Plural(photos.Count, "photo")}: {different}"
            + $", {repeated.Count} seen in more than one photo (match threshold {threshold:0.00}, margin {options.MinMargin:0.00})");
        foreach (var person in repeated)
        {
            var seen = person.Appearances.Select(a =>
                $"{Path.GetFileName(a.Photo)} face {a.Face} at {Figures.Fixed(a.Box.X, 0)},{Figures.Fixed(a.Box.Y, 0)} ({(a.Score is { } score ? Figures.Fixed(score, 2) : "—")})");
            stdout.WriteLine($"  {person.Id}: {string.Join(" · ", seen)}");
        }

        return 0;
    }

    /// <summary>
    /// Each photo a regular file, named once: the same file twice would only show every face in it "seen in two
    /// photos", so a repeat (by path, or by a link to the same file) is refused before the models load.
    /// </summary>
    private static void RequireDistinctFiles(IReadOnlyList<string> photos)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var files = new Dictionary<FileIdentity, string>();
        foreach (var photo in photos)
        {
            if (!paths.Add(VisionCli.IsStdin(photo) ? "-" : Path.GetFullPath(photo)))
            {
                throw CliError.BadInput($"--photos names {photo} twice");
            }

            if (VisionCli.IsStdin(photo))
            {
                continue;
            }

            var (kind, identity) = FileInspector.Inspect(photo);
            if (FileInspector.NotRegularReason(kind) is { } reason)
            {
                throw CliError.BadInput($"{photo}: {reason}");
            }

            if (identity is { } id && !files.TryAdd(id, photo))
            {
                throw CliError.BadInput($"--photos names one file twice: {files[id]} and {photo}");
            }
        }
    }
}
