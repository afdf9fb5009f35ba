using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `match --photos P...`: who appears in more than one photo. Each face is looked up in a gallery of the people
/// seen so far, with the same open-set rule the door uses (threshold and margin); a stranger becomes a new person.
/// </summary>
internal static class MatchCommand
{
    public sealed record Appearance(string Photo, int Face, DetectCommand.Box Box, float Score);

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

        var options = new GalleryOptions(
            (float)args.Double("--threshold", GalleryOptions.DefaultThreshold, -1, 1),
            (float)args.Double("--margin", GalleryOptions.DefaultMinMargin, 0, 2));
        using var pipeline = VisionCli.LoadPipeline(args);
        using var gallery = new FaceGallery(pipeline.EmbedderSha256, options: options);
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
                var id = match.IsKnown && !sameWorkerEarlierInPhoto ? match.WorkerId! : $"person-{people.Count + 1}";
                if (id.StartsWith("person-", StringComparison.Ordinal) && people.All(p => p.Id != id))
                {
                    people.Add((id, []));
                }

                people.First(p => p.Id == id).Seen.Add(new Appearance(path, i + 1, r.Box, match.IsKnown ? match.Score : 1f));
                gallery.Add(new FaceTemplate(Guid.NewGuid(), id, face.Embedding, pipeline.EmbedderSha256));
            }
        }

        var report = new Report(photos.Count, faceCount, options.Threshold, options.MinMargin,
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
            + $", {repeated.Count} seen in more than one photo (match threshold {options.Threshold:0.00}, margin {options.MinMargin:0.00})");
        foreach (var person in repeated)
        {
            var seen = person.Appearances.Select((a, k) =>
                $"{Path.GetFileName(a.Photo)} face {a.Face} at {a.Box.X:0},{a.Box.Y:0}" + (k == 0 ? "" : $" ({a.Score:0.00})"));
            stdout.WriteLine($"  {person.Id}: {string.Join(" · ", seen)}");
        }

        return 0;
    }
}
