using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>A decoded photo and the faces found in it (those that align), measured again and again.</summary>
internal sealed record BenchFrame(string Path, RgbImage Image, IReadOnlyList<DetectedFace> Faces);

/// <summary>
/// One thread setting's figures. Align is pure .NET, so it is measured once (null for the second setting).
/// <see cref="PerFace"/> is on door-camera frames (one face close up); <see cref="PerFaceGroupPhoto"/> on the
/// whole photos, where small faces make the detector run the back model as well.
/// </summary>
internal sealed record StageFigures(
    Figure Detect, Figure? Align, Figure Liveness, Figure Embed, Figure PerFace, Figure PerFaceGroupPhoto);

/// <summary>
/// Times each stage of the face pipeline on real frames: every frame (detect, per face end to end) or every face
/// (align, liveness, embed) <c>runs</c> times, after untimed warm-up calls. Buffers are made before the clock starts.
/// </summary>
internal static class PipelineStages
{
    /// <summary>Aligns as the station does (<see cref="FaceModels.Alignment"/>: the landmark model's cost is in the align figure).</summary>
    public static void Align(FaceModels models, RgbImage image, DetectedFace face, Span<float> destination)
    {
        if (!models.Alignment.TryAlign(image, face, destination, out _))
        {
            throw new ArgumentException("the face's keypoints are degenerate: it cannot be aligned", nameof(face));
        }
    }

    public static StageFigures Measure(
        FaceModels models, IReadOnlyList<BenchFrame> frames, IReadOnlyList<BenchFrame> doorFrames, int runs, bool measureAlign, CancellationToken ct)
    {
        var detector = models.Detector ?? throw new InvalidOperationException("bench loads the detector");
        var embedder = models.Embedder ?? throw new InvalidOperationException("bench loads the embedder");
        var liveness = models.Liveness ?? throw new InvalidOperationException("bench loads the liveness model");
        var faces = frames.SelectMany(f => f.Faces.Select(face => (f.Image, Face: face))).ToList();
        var first = faces[0];

        var aligned = new float[faces.Count * FaceAligner.TensorLength];
        for (var i = 0; i < faces.Count; i++)
        {
            Align(models, faces[i].Image, faces[i].Face, aligned.AsSpan(i * FaceAligner.TensorLength, FaceAligner.TensorLength));
        }

        var detect = Time(frames.Count * runs, () => detector.Detect(frames[0].Image), samples =>
        {
            foreach (var frame in frames)
            {
                ct.ThrowIfCancellationRequested();
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    detector.Detect(frame.Image);
                    samples.Stop(start);
                }
            }
        });

        var scratch = new float[FaceAligner.TensorLength];
        var align = !measureAlign ? null : Time(faces.Count * runs, () => Align(models, first.Image, first.Face, scratch), samples =>
        {
            foreach (var (image, face) in faces)
            {
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    Align(models, image, face, scratch);
                    samples.Stop(start);
                }
            }
        });

        var embed = Time(faces.Count * runs, () => embedder.Embed(aligned.AsSpan(0, FaceAligner.TensorLength), 1), samples =>
        {
            for (var i = 0; i < faces.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    embedder.Embed(aligned.AsSpan(i * FaceAligner.TensorLength, FaceAligner.TensorLength), 1);
                    samples.Stop(start);
                }
            }
        });

        var live = Time(faces.Count * runs, () => liveness.Score(first.Image, first.Face), samples =>
        {
            foreach (var (image, face) in faces)
            {
                ct.ThrowIfCancellationRequested();
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    liveness.Score(image, face);
                    samples.Stop(start);
                }
            }
        });

        // What a frame costs: find the faces, then align and embed the best one.
        bool EndToEnd(RgbImage image)
        {
            var found = detector.Detect(image);
            if (found.Count == 0)
            {
                return false;
            }

            Align(models, image, found[0], scratch);
            embedder.Embed(scratch, 1);
            return true;
        }

        Figure PerFace(IReadOnlyList<BenchFrame> measured)
        {
            var withFaces = measured.Where(f => f.Faces.Count > 0).ToList();
            Samples.WarmUp(() => EndToEnd(withFaces[0].Image));
            var samples = new Samples(withFaces.Count * runs);
            Samples.SettleGarbage();
            foreach (var frame in withFaces)
            {
                ct.ThrowIfCancellationRequested();
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    if (EndToEnd(frame.Image))
                    {
                        samples.Stop(start);
                    }
                }
            }

            return samples.Count > 0 ? samples.ToFigure() : throw new InvalidOperationException("the detector found no face in frames it found faces in before");
        }

        var perFace = PerFace(doorFrames);
        var perFaceGroup = PerFace(frames);
        return new StageFigures(detect, align, live, embed, perFace, perFaceGroup);
    }

    /// <summary>Warms up, then records <paramref name="count"/> samples with <paramref name="measure"/>: the loop every bench stage runs.</summary>
    internal static Figure Time(int count, Action warmUp, Action<Samples> measure)
    {
        Samples.WarmUp(warmUp);
        var samples = new Samples(count);
        Samples.SettleGarbage();
        measure(samples);
        return samples.ToFigure();
    }
}
