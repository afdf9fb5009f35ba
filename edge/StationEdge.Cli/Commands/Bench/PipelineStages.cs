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

/// <summary>The two model files timed alone (under ONNX Runtime and OpenCV DNN), read and checked once.</summary>
internal sealed record BareModels(VerifiedModel Detector, VerifiedModel Embedder);

/// <summary>
/// One thread setting's figures. Align is pure .NET, so it is measured once (null for the second setting).
/// <see cref="PerFace"/> is on door-camera frames (one face close up); <see cref="PerFaceGroupPhoto"/> on the
/// whole photos, where small faces make the detector run the back model as well.
/// </summary>
internal sealed record StageFigures(
    Figure Detect, Figure? Align, Figure Liveness, Figure Embed, Figure PerFace, Figure PerFaceGroupPhoto, Figure OrtDetectModel, Figure OrtEmbedModel);

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
        FaceModels models, BareModels bare, IReadOnlyList<BenchFrame> frames, IReadOnlyList<BenchFrame> doorFrames, int runs, bool measureAlign, CancellationToken ct)
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

        var (ortDetect, ortEmbed) = MeasureBareModels(bare, models.Options, frames, runs, ct);
        return new StageFigures(detect, align, live, embed, perFace, perFaceGroup, ortDetect, ortEmbed);
    }

    /// <summary>
    /// The two model files alone — one session run on a prepared input, no letterbox, decoding or alignment — as
    /// OpenCV DNN runs them too: blazeface-front on each photo letterboxed to 128, mobilefacenet on each photo
    /// letterboxed into 112×112 (network time does not depend on what the pixels show).
    /// </summary>
    public static (Figure Detect, Figure Embed) MeasureBareModels(BareModels bare, VisionOptions visionOptions, IReadOnlyList<BenchFrame> frames, int runs, CancellationToken ct)
    {
        using var options = FaceModels.CreateSessionOptions(visionOptions);
        using var front = ModelDirectory.CreateSession(bare.Detector, options);
        using var mobileFaceNet = ModelDirectory.CreateSession(bare.Embedder, options);
        var detect = BareModel(front, BlazeFaceModel.Front.InputSize, PixelNormalization.BlazeFaceScale, PixelNormalization.BlazeFaceOffset, frames, runs, ct);
        var embed = BareModel(mobileFaceNet, FaceAligner.Size, PixelNormalization.MobileFaceNetScale, PixelNormalization.MobileFaceNetOffset, frames, runs, ct);
        return (detect, embed);
    }

    /// <summary>
    /// Times <paramref name="run"/> <paramref name="runs"/> times per frame, with <paramref name="input"/> (the model's
    /// [1, size, size, 3] input) holding that frame letterboxed: the bare-model figure for any runtime.
    /// </summary>
    public static Figure TimeModel(
        float[] input, int size, float scale, float offset, Action run, IReadOnlyList<BenchFrame> frames, int runs, CancellationToken ct)
    {
        Letterbox.ToSquare(frames[0].Image, size, input, scale, offset);
        return Time(frames.Count * runs, run, samples =>
        {
            foreach (var frame in frames)
            {
                ct.ThrowIfCancellationRequested();
                Letterbox.ToSquare(frame.Image, size, input, scale, offset);
                for (var r = 0; r < runs; r++)
                {
                    var start = Stopwatch.GetTimestamp();
                    run();
                    samples.Stop(start);
                }
            }
        });
    }

    private static Figure BareModel(InferenceSession session, int size, float scale, float offset, IReadOnlyList<BenchFrame> frames, int runs, CancellationToken ct)
    {
        var input = new float[size * size * 3];
        using var value = OrtValue.CreateTensorValueFromMemory(input, [1, size, size, 3]);
        using var runOptions = new RunOptions();
        string[] inputNames = [session.InputNames[0]];
        var outputNames = session.OutputNames.ToArray();
        OrtValue[] inputs = [value];
        void Run()
        {
            using var outputs = session.Run(runOptions, inputNames, inputs, outputNames);
        }

        return TimeModel(input, size, scale, offset, Run, frames, runs, ct);
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
