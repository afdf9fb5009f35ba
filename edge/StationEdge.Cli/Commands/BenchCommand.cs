using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `bench [--runs N] [--photos P...]`: what each stage of recognition costs on this machine, on 1 and 2 ORT
/// threads, gallery search at three sizes (and with each SIMD width the CPU has), resident memory. The OpenCV DNN
/// peer is a developer's tool (tools/StationEdge.OpenCvPeer), not part of the station's executable. Figures to read
/// next to the issue's targets, not a test: they move with whatever else runs.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Repetitions per photo (per face for per-face stages): 40–60 s on 2 cores with the six demo photos.</summary>
    public const int DefaultRuns = 10;

    public const double PerFaceTargetMs = 12;
    public const double GalleryTargetMs = 5;
    public const int GalleryTargetSize = 100_000;
    public const double RssTargetMb = 250;

    private static readonly int[] GallerySizes = [1_000, 10_000, GalleryTargetSize];
    private static readonly int[] ThreadCounts = [1, 2];

    public sealed record Machine(int Cores, string Os, string Arch, string OrtVersion, string Dotnet, string? Cpu, double? LoadAverage);

    public sealed record Target(string Name, double Limit, double Value, bool Pass);

    public sealed record Report(
        IReadOnlyList<string> Photos,
        int Faces,
        int BackModelFrames,
        int Runs,
        Figure PerFaceMs,
        [property: JsonPropertyName("per_face_ms_2_threads")] Figure PerFaceMs2Threads,
        Figure PerFaceGroupPhotoMs,
        [property: JsonPropertyName("per_face_group_photo_ms_2_threads")] Figure PerFaceGroupPhotoMs2Threads,
        IReadOnlyDictionary<string, Figure> Stages,
        [property: JsonPropertyName("stages_2_threads")] IReadOnlyDictionary<string, Figure> Stages2Threads,
        IReadOnlyDictionary<string, double> GallerySearchMs,
        IReadOnlyDictionary<string, double> GallerySearchP95Ms,
        string GalleryDotProduct,
        IReadOnlyDictionary<string, Figure> GallerySearchByDotProductMs,
        double RssMb,
        double PeakRssMb,
        WalkUpReport WalkUp,
        Figure? FrameToRelayMs,
        Figure? FrameToRelayMsPreviewOpen,
        Figure? WalkupToGrantMs,
        double? SustainedFps,
        double? CpuShare,
        double? RssMbAtFirstGrant,
        double? RssMbAfterSoak,
        StationBench.Conditions? Station,
        IReadOnlyList<Target> Targets,
        Machine Machine,
        AlignmentReport? Alignment = null);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var args = CliArgs.Parse("bench", argv, ["--models", "--runs", "--soak", VisionCli.AlignmentFlag], listFlags: ["--photos"]);
        var alignment = VisionCli.Alignment(args);
        var runs = args.Int("--runs", DefaultRuns, 1, 1000);
        // 0: no daemon run (its figures are null), for a quick look at the rest and for the unit suite's short run.
        var soak = args.Int("--soak", StationBench.DefaultSoakSeconds, 0, 86_400);
        foreach (var photo in args.List("--photos"))
        {
            if (!File.Exists(photo))
            {
                throw CliError.BadInput($"bench: --photos {photo}: file not found");
            }
        }

        var modelsDir = VisionCli.ModelsPath(args);
        var loadAverage = LoadAverage();
        var frames = new List<BenchFrame>();
        var doorFrames = new List<BenchFrame>();
        FaceModels? models = null;
        try
        {
            stderr.WriteLine("bench: loading the models");
            models = FaceModels.Load(modelsDir, Options(threads: 1, alignment));
            var photos = args.List("--photos") is { Count: > 0 } given ? given.Select(Path.GetFullPath).ToList() : DemoPhotos(modelsDir);
            var decoder = new PhotoDecoder();

            // Resident memory as a station stands: every model loaded and run once, one frame in hand.
            var first = await VisionCli.DecodeArgumentAsync(decoder, photos[0], ct);
            frames.Add(FindFaces(models, photos[0], first.Image));
            WarmUp(models, frames[0]);
            Samples.SettleGarbage();
            var rssMb = ProcessMemory.ResidentMb();

            stderr.WriteLine($"bench: decode, {DetectCommand.Plural(photos.Count, "photo")} × {runs}");
            var decode = await MeasureDecodeAsync(decoder, photos, runs, models, frames, ct);
            var faces = frames.Sum(f => f.Faces.Count);
            if (faces == 0)
            {
                throw CliError.BadInput($"bench: no face found in {string.Join(", ", photos)}: the per-face figures need photos with faces");
            }

            doorFrames.AddRange(DoorFrames(models, frames));

            // Each face of the photos and of the door frames aligned once so far: how many landmark fits fell back.
            var aligned = VisionCli.AlignmentOf(models);
            var figures = new Dictionary<int, StageFigures>();
            foreach (var threads in ThreadCounts)
            {
                if (models.Options.IntraOpThreads != threads)
                {
                    models.Dispose();
                    models = null;
                    models = FaceModels.Load(modelsDir, Options(threads, alignment));
                }

                stderr.WriteLine($"bench: pipeline stages on {DetectCommand.Plural(threads, "thread")}, {DetectCommand.Plural(faces, "face")}");
                figures[threads] = PipelineStages.Measure(models, frames, doorFrames, runs, measureAlign: threads == 1, ct);
            }

            var dimensions = models.Embedder!.Dimensions;
            models.Dispose();
            models = null;

            stderr.WriteLine("bench: gallery search");
            var queries = Math.Max(10, runs * 5);
            var gallery = GallerySearch.Measure(GallerySizes, dimensions, queries, ct);
            using var defaultGallery = new FaceGallery("bench", dimensions);
            var byWidth = new Dictionary<string, Figure>();
            foreach (var (path, accelerated) in new[] { (DotProductPath.Vector256, Vector256.IsHardwareAccelerated), (DotProductPath.Vector128, Vector128.IsHardwareAccelerated) })
            {
                if (accelerated)
                {
                    byWidth[path.ToString()] = GallerySearch.Measure([GalleryTargetSize], dimensions, queries, ct, path)[GalleryTargetSize];
                }
            }

            stderr.WriteLine($"bench: one walk-up, {WalkUpCost.FramesPerWalkUp} frames, each embedder");
            var walkUp = WalkUpCost.Measure(modelsDir, doorFrames, runs, alignment, ct);
            var station = soak == 0 ? null : await StationBench.RunAsync(modelsDir, soak, alignment, stderr, ct);

            // The back model runs when the front one sees only small faces, as in group photos; it sets the detect figure.
            var backFrames = frames.Count(f => f.Faces.Any(face => face.Model == BlazeFaceModel.Back.Name));
            var report = BuildReport(
                photos, faces, backFrames, runs, decode, figures, new GalleryFigures(gallery, defaultGallery.DotProduct, byWidth), rssMb, ProcessMemory.PeakResidentMb(), walkUp, station, loadAverage);
            report = report with { Alignment = aligned };
            if (args.Json)
            {
                JsonOutput.Write(stdout, report);
            }
            else
            {
                PrintText(stdout, report);
            }

            return 0;
        }
        finally
        {
            models?.Dispose();
            foreach (var frame in frames.Concat(doorFrames))
            {
                frame.Image.Dispose();
            }
        }
    }

    /// <summary>Search figures per gallery size (default path), which path that is, and each accelerated width forced.</summary>
    private sealed record GalleryFigures(IReadOnlyDictionary<int, Figure> BySize, DotProductPath Path, IReadOnlyDictionary<string, Figure> ByDotProduct);

    private static VisionOptions Options(int threads, AlignmentMethod alignment) => new() { IntraOpThreads = threads, Parts = FaceModelParts.All, Alignment = alignment };

    private static List<string> DemoPhotos(string modelsDir)
    {
        var demo = Path.Combine(modelsDir, "demo");
        var photos = Directory.Exists(demo) ? Directory.GetFiles(demo, "sample*.jpg").Order(StringComparer.Ordinal).ToList() : [];
        return photos.Count > 0 ? photos
            : throw CliError.BadInput($"bench: no photos given and none at {demo}/sample*.jpg: pass --photos P... or run ./deploy.sh setup");
    }

    /// <summary>
    /// A door camera sees one person close up: the face about a third of the frame. Each face of the photos is cut
    /// out with that much surrounding (head, shoulders, background) to make such a frame.
    /// </summary>
    private static List<BenchFrame> DoorFrames(FaceModels models, List<BenchFrame> photos)
    {
        var doorFrames = new List<BenchFrame>();
        foreach (var photo in photos)
        {
            foreach (var face in photo.Faces)
            {
                var side = (int)(3 * Math.Max(face.Box.Width, face.Box.Height));
                var cx = (int)(face.Box.X + (face.Box.Width / 2));
                var cy = (int)(face.Box.Y + (face.Box.Height / 2));
                var crop = ImageOps.Crop(photo.Image, new System.Drawing.Rectangle(cx - (side / 2), cy - (side / 2), side, side));
                var frame = FindFaces(models, photo.Path, crop);
                if (frame.Faces.Count > 0)
                {
                    doorFrames.Add(frame);
                }
                else
                {
                    crop.Dispose();
                }
            }
        }

        return doorFrames.Count > 0 ? doorFrames : throw CliError.BadInput("bench: no face was found again in the close-up frames cut from the photos");
    }

    /// <summary>The faces of a frame that the aligner accepts (degenerate keypoints give no crop to embed).</summary>
    private static BenchFrame FindFaces(FaceModels models, string path, RgbImage image)
    {
        var scratch = new float[FaceAligner.TensorLength];
        var usable = new List<DetectedFace>();
        foreach (var face in models.Detector!.Detect(image))
        {
            try
            {
                PipelineStages.Align(models, image, face, scratch);
                usable.Add(face);
            }
            catch (ArgumentException)
            {
                // Not measurable as a face: the pipeline leaves it out as well.
            }
        }

        return new BenchFrame(path, image, usable);
    }

    private static void WarmUp(FaceModels models, BenchFrame frame)
    {
        models.Detector!.Detect(frame.Image);
        if (frame.Faces.Count > 0)
        {
            var aligned = new float[FaceAligner.TensorLength];
            PipelineStages.Align(models, frame.Image, frame.Faces[0], aligned);
            models.Embedder!.Embed(aligned, 1);
            models.Liveness!.Score(frame.Image, frame.Faces[0]);
        }
    }

    /// <summary>ffmpeg's decode of each photo, <paramref name="runs"/> times; the first decode of each is kept as its frame.</summary>
    private static async Task<Figure> MeasureDecodeAsync(
        PhotoDecoder decoder, List<string> photos, int runs, FaceModels models, List<BenchFrame> frames, CancellationToken ct)
    {
        var samples = new Samples(photos.Count * runs);
        for (var i = 0; i < photos.Count; i++)
        {
            for (var r = 0; r < runs; r++)
            {
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                var decoded = await VisionCli.DecodeArgumentAsync(decoder, photos[i], ct);
                samples.Stop(start);
                if (i == frames.Count)
                {
                    frames.Add(FindFaces(models, photos[i], decoded.Image));
                }
                else
                {
                    decoded.Image.Dispose();
                }
            }
        }

        return samples.ToFigure();
    }

    private static Report BuildReport(
        List<string> photos,
        int faces,
        int frames,
        int runs,
        Figure decode,
        Dictionary<int, StageFigures> figures,
        GalleryFigures galleryFigures,
        double rssMb,
        double peakRssMb,
        WalkUpReport walkUp,
        StationBench.Result? station,
        double? loadAverage)
    {
        Dictionary<string, Figure> Stages(StageFigures f, Figure? decodeFigure)
        {
            var stages = new Dictionary<string, Figure>();
            if (decodeFigure is not null)
            {
                stages["decode"] = decodeFigure;
            }

            stages["detect"] = f.Detect;
            if (f.Align is not null)
            {
                stages["align"] = f.Align;
            }

            stages["liveness"] = f.Liveness;
            stages["embed"] = f.Embed;
            return stages;
        }

        var one = figures[1];
        var gallery = galleryFigures.BySize;
        var galleryTarget = gallery[GalleryTargetSize].Median;
        var key = (int size) => size.ToString(CultureInfo.InvariantCulture);
        return new Report(
            photos,
            faces,
            frames,
            runs,
            one.PerFace,
            figures[2].PerFace,
            one.PerFaceGroupPhoto,
            figures[2].PerFaceGroupPhoto,
            Stages(one, decode),
            Stages(figures[2], null),
            gallery.ToDictionary(g => key(g.Key), g => g.Value.Median),
            gallery.ToDictionary(g => key(g.Key), g => g.Value.P95),
            galleryFigures.Path.ToString(),
            galleryFigures.ByDotProduct,
            rssMb,
            peakRssMb,
            walkUp,
            station?.FrameToRelayMs,
            station?.FrameToRelayMsPreviewOpen,
            station?.WalkupToGrantMs,
            station?.SustainedFps,
            station?.CpuShare,
            station?.RssMbAtFirstGrant,
            station?.RssMbAfterSoak,
            station?.Conditions,
            [
                new Target("per_face_ms_median_1_thread", PerFaceTargetMs, one.PerFace.Median, one.PerFace.Median <= PerFaceTargetMs),
                new Target($"gallery_search_ms_{key(GalleryTargetSize)}", GalleryTargetMs, galleryTarget, galleryTarget <= GalleryTargetMs),
                new Target("rss_mb", RssTargetMb, rssMb, rssMb <= RssTargetMb),
                .. station?.FrameToRelayMs is { } relay
                    ? [new Target("frame_to_relay_ms_median", StationBench.FrameToRelayTargetMs, relay.Median, relay.Median <= StationBench.FrameToRelayTargetMs)]
                    : Array.Empty<Target>(),
            ],
            new Machine(
                Environment.ProcessorCount,
                RuntimeInformation.OSDescription,
                RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
                OrtEnv.Instance().GetVersionString(),
                RuntimeInformation.FrameworkDescription,
                CpuModel(),
                loadAverage));
    }

    private static void PrintText(TextWriter o, Report r)
    {
        var m = r.Machine;
        o.WriteLine($"station-edge bench: {DetectCommand.Plural(r.Photos.Count, "photo")}, {DetectCommand.Plural(r.Faces, "face")}, {r.Runs} runs each");
        o.WriteLine($"machine: {m.Cpu ?? "unknown CPU"}, {m.Cores} cores, {m.Arch}, {m.Os}; ONNX Runtime {m.OrtVersion}; {m.Dotnet}");
        if (m.LoadAverage is { } load)
        {
            o.WriteLine($"load average at start {N(load)}: other work on the machine inflates these figures");
        }

        if (r.Alignment is { } alignment)
        {
            o.WriteLine($"alignment: {VisionCli.Describe(alignment)} (each face of the photos and door frames once)");
        }

        o.WriteLine();
        o.WriteLine($"{"stage, ms",-34}{"1 thread",17}{"2 threads",18}");
        o.WriteLine($"{"",-34}{"median",9}{"p95",8}{"median",10}{"p95",8}");
        (string Key, string Label)[] rows =
        [
            ("decode", "decode (per photo, ffmpeg)"),
            ("detect", "detect (per frame)"),
            ("align", "align (per face)"),
            ("liveness", "liveness (per face)"),
            ("embed", "embed (per face, batch 1)"),
        ];
        foreach (var (key, label) in rows)
        {
            var two = r.Stages2Threads.TryGetValue(key, out var f2) ? $"{N(f2.Median),10}{N(f2.P95),8}" : $"{"(no ORT)",18}";
            o.WriteLine($"{label,-34}{N(r.Stages[key].Median),9}{N(r.Stages[key].P95),8}{two}");
        }

        var perFace = r.Targets[0];
        o.WriteLine(
            $"{"per face: detect + align + embed",-34}{N(r.PerFaceMs.Median),9}{N(r.PerFaceMs.P95),8}{N(r.PerFaceMs2Threads.Median),10}{N(r.PerFaceMs2Threads.P95),8}"
            + $"   target ≤ {N(perFace.Limit)} ms median on 1 thread: {Verdict(perFace)}");
        o.WriteLine($"  (door-camera frames: each face cut from the photos with its surroundings, the face a third of the frame)");
        o.WriteLine(
            $"{"  in the whole group photos",-34}{N(r.PerFaceGroupPhotoMs.Median),9}{N(r.PerFaceGroupPhotoMs.P95),8}"
            + $"{N(r.PerFaceGroupPhotoMs2Threads.Median),10}{N(r.PerFaceGroupPhotoMs2Threads.P95),8}");
        if (r.BackModelFrames > 0)
        {
            o.WriteLine(
                $"  (detect ran the back 256×256 model as well on {r.BackModelFrames} of {DetectCommand.Plural(r.Photos.Count, "photo")}: their faces are small in the frame)");
        }

        o.WriteLine();
        o.WriteLine($"{"gallery search, one query, ms",-34}{"median",9}{"p95",8}");
        foreach (var (size, median) in r.GallerySearchMs)
        {
            var target = r.Targets[1];
            var note = size == GalleryTargetSize.ToString(CultureInfo.InvariantCulture) ? $"   target ≤ {N(target.Limit)} ms median: {Verdict(target)}" : "";
            var label = $"{int.Parse(size, CultureInfo.InvariantCulture):N0} templates";
            o.WriteLine($"{label,-34}{N(median),9}{N(r.GallerySearchP95Ms[size]),8}{note}");
        }

        o.WriteLine($"  (searches use {r.GalleryDotProduct}; each width this CPU accelerates, forced, at {GalleryTargetSize:N0} templates:)");
        foreach (var (path, figure) in r.GallerySearchByDotProductMs)
        {
            var bits = path == nameof(DotProductPath.Vector256) ? "256" : "128";
            var note = bits == "128" ? "   (NEON's width: the path a Pi takes)" : "";
            o.WriteLine($"{$"  {bits}-bit dot products",-34}{N(figure.Median),9}{N(figure.P95),8}{note}");
        }

        o.WriteLine();
        var rss = r.Targets[2];
        o.WriteLine($"{"RSS after loading models, warm-up",-34}{N(r.RssMb),9} MB   target ≤ {N(rss.Limit)} MB: {Verdict(rss)}");
        o.WriteLine($"{"peak RSS (VmHWM) at the end",-34}{N(r.PeakRssMb),9} MB   (with every photo decoded and the {GalleryTargetSize:N0}-template gallery)");

        o.WriteLine();
        if (r.Station is { } conditions)
        {
            StationBench.Print(o, r.FrameToRelayMs, r.FrameToRelayMsPreviewOpen, r.WalkupToGrantMs, r.SustainedFps, r.CpuShare, r.RssMbAtFirstGrant, r.RssMbAfterSoak, conditions);
        }
        else
        {
            o.WriteLine("the station daemon: not run (--soak 0)");
        }

        var w = r.WalkUp;
        o.WriteLine();
        o.WriteLine($"one walk-up on {DetectCommand.Plural(w.Threads, "thread")}: {w.Frames} door frames detected, aligned, embedded; fused; one search of {w.GalleryWorkers} workers ({w.FuseAndSearchMs.Median.ToString("0.000", CultureInfo.InvariantCulture)} ms)");
        o.WriteLine($"{"embedding",-34}{"per frame",10}{"p95",8}{"walk-up",10}");
        foreach (var v in w.Variants)
        {
            o.WriteLine($"{v.Name,-34}{N(v.PerFrameMs.Median),10}{N(v.PerFrameMs.P95),8}{N(v.PerWalkUpMs),10}");
        }
    }

    private static string N(double x) => x.ToString(x >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture);

    private static string Verdict(Target t) => t.Pass ? "PASS" : "over";

    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"Model" names the board on a Raspberry Pi; "model name" the CPU on a PC.</summary>
    private static string? CpuModel()
    {
        try
        {
            var lines = File.ReadAllLines("/proc/cpuinfo");
            string? Field(string name) => lines
                .Where(l => l.StartsWith(name, StringComparison.Ordinal) && l.IndexOf(':', StringComparison.Ordinal) is var c && c > 0 && l[..c].Trim() == name)
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
                .FirstOrDefault();
            return Field("Model") ?? Field("model name");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
