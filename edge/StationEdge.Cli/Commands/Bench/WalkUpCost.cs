using System.Diagnostics;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>One way of embedding a frame: which embedder, mirror-averaged or not, or both embedders (score fusion).</summary>
internal sealed record WalkUpVariant(string Name, Figure PerFrameMs, double PerWalkUpMs, bool Default);

/// <summary>What one walk-up costs: <see cref="Frames"/> frames detected, aligned and embedded, fused, and one search.</summary>
internal sealed record WalkUpReport(int Frames, int Threads, int GalleryWorkers, Figure FuseAndSearchMs, IReadOnlyList<WalkUpVariant> Variants);

/// <summary>
/// The decision rule's price per walk-up on door-camera frames: the default (faceplugin, mirror-averaged) next to the
/// project's MobileFaceNet with and without mirror averaging (it runs the model twice a face) and both embedders
/// together (what score fusion of the two would cost; measured, and dropped, see models/README.md).
/// </summary>
internal static class WalkUpCost
{
    /// <summary>Frames fused per walk-up: the access loop's vote window at 15 fps is about a third of a second.</summary>
    public const int FramesPerWalkUp = 5;

    public const int Threads = 1;

    public static WalkUpReport Measure(string modelsDir, IReadOnlyList<BenchFrame> doorFrames, int runs, AlignmentMethod alignment, CancellationToken ct)
    {
        VisionOptions Options(FaceModelParts parts, EmbedderModel embedder, bool mirror) =>
            new() { IntraOpThreads = Threads, Parts = parts, Embedder = embedder, MirrorAverage = mirror, Alignment = alignment };

        var variants = new List<WalkUpVariant>();
        var search = FuseAndSearch(runs);
        (string Name, EmbedderModel Embedder, bool Mirror)[] singles =
        [
            ("mobilefacenet (before)", EmbedderModel.MobileFaceNet, false),
            ("mobilefacenet + mirror", EmbedderModel.MobileFaceNet, true),
            ("faceplugin", EmbedderModel.Faceplugin, false),
            ("faceplugin + mirror (default)", EmbedderModel.Faceplugin, true),
        ];
        foreach (var (name, embedder, mirror) in singles)
        {
            using var models = FaceModels.Load(modelsDir, Options(FaceModelParts.Detector | FaceModelParts.Embedder, embedder, mirror));
            var perFrame = PerFrame(models, null, doorFrames, runs, ct);
            variants.Add(new WalkUpVariant(name, perFrame, WalkUp(perFrame, search), Default: embedder == EmbedderModel.Faceplugin && mirror));
        }

        using (var first = FaceModels.Load(modelsDir, Options(FaceModelParts.Detector | FaceModelParts.Embedder, EmbedderModel.Faceplugin, true)))
        using (var second = FaceModels.Load(modelsDir, Options(FaceModelParts.Embedder, EmbedderModel.MobileFaceNet, true)))
        {
            var perFrame = PerFrame(first, second, doorFrames, runs, ct);
            variants.Add(new WalkUpVariant("both, mirrored (score fusion)", perFrame, WalkUp(perFrame, search), Default: false));
        }

        return new WalkUpReport(FramesPerWalkUp, Threads, GalleryOptions.DefaultReferenceWorkers, search, variants);
    }

    private static double WalkUp(Figure perFrame, Figure search) => Math.Round((FramesPerWalkUp * perFrame.Median) + search.Median, 2);


    /// <summary>Detect, align and embed the best face of each door frame (with a second embedder too, when given).</summary>
    private static Figure PerFrame(FaceModels models, FaceModels? second, IReadOnlyList<BenchFrame> frames, int runs, CancellationToken ct)
    {
        var scratch = new float[FaceAligner.TensorLength];
        void Frame(BenchFrame frame)
        {
            var found = models.Detector!.Detect(frame.Image);
            if (found.Count > 0)
            {
                PipelineStages.Align(models, frame.Image, found[0], scratch);
                models.Embedder!.Embed(scratch, 1);
                second?.Embedder!.Embed(scratch, 1);
            }
        }

        return PipelineStages.Time(frames.Count * runs, () => Frame(frames[0]), samples =>
        {
            foreach (var frame in frames)
            {
                ct.ThrowIfCancellationRequested();
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    Frame(frame);
                    samples.Stop(start);
                }
            }
        });
    }

    /// <summary>Fusing a walk-up's frames and one search of a station's gallery of 512-d centroids.</summary>
    private static Figure FuseAndSearch(int runs)
    {
        const int dims = 512;
        var rng = new Random(17);
        float[] Unit()
        {
            var v = new float[dims];
            for (var i = 0; i < dims; i++)
            {
                v[i] = (float)((rng.NextDouble() * 2) - 1);
            }

            return v;
        }

        using var gallery = new FaceGallery("bench", dims);
        gallery.AddRange(Enumerable.Range(0, GalleryOptions.DefaultReferenceWorkers * 2).Select(i => new FaceTemplate(Guid.NewGuid(), $"w{i / 2}", Unit(), "bench")).ToList());

        var frames = Enumerable.Range(0, FramesPerWalkUp).Select(_ => Unit()).ToList();
        return PipelineStages.Time(runs * 20, () => gallery.Search(WalkUpFusion.Fuse(frames)), samples =>
        {
            for (var i = 0; i < runs * 20; i++)
            {
                var start = Stopwatch.GetTimestamp();
                gallery.Search(WalkUpFusion.Fuse(frames));
                samples.Stop(start);
            }
        });
    }
}
