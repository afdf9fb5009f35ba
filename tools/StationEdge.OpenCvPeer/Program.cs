using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.OpenCvPeer;

/// <summary>
/// `opencv-peer [--models DIR] [--photos P...] [--runs N] [--json]`: the models a station runs by default — faceplugin's
/// fr_feature embedder and its fr_landmark model — under OpenCV's DNN module (OpenCvSharp4, in-process) and under
/// ONNX Runtime, on the same input tensors, model run only, on 1 and 2 threads, with the ratio OpenCV / ORT. A
/// developer's comparison on x64: OpenCvSharp4 has no native runtime for linux-arm64, so it cannot be part of the
/// station's executable. Exit 0, 2 bad input, 3 when OpenCV (or a model) cannot run here.
/// </summary>
internal static class Program
{
    private const int DefaultRuns = 20;
    private static readonly int[] ThreadCounts = [1, 2];
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static async Task<int> Main(string[] argv)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        try
        {
            return await RunAsync(argv, Console.Out, Console.Error, cts.Token);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"opencv-peer: {e.Message}");
            return 2;
        }
        catch (OpenCVException e)
        {
            Console.Error.WriteLine($"opencv-peer: OpenCV DNN cannot run a model: {e.ErrMsg.ReplaceLineEndings(" ")} ({Path.GetFileName(e.FileName)}:{e.Line})");
            return 3;
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    /// <summary>One model under both runtimes at one thread count; ratio above 1: ORT is faster.</summary>
    internal sealed record Row(string Model, int Threads, Figure OpencvMs, Figure OrtMs, double Ratio, double OutputAgreement);

    internal sealed record Report(string OpencvVersion, string OrtVersion, int Photos, int Runs, double? LoadAverage, IReadOnlyList<Row> Rows);

    internal sealed record Figure(double Median, double P95, int Samples);

    private static async Task<int> RunAsync(string[] argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var (modelsDir, photos, runs, json) = Parse(argv);
        var unavailable = WhyOpenCvUnavailable();
        if (unavailable is not null)
        {
            stderr.WriteLine($"opencv-peer: {unavailable}");
            return 3;
        }

        var directory = ModelDirectory.Open(modelsDir);
        var embedder = directory.ReadVerified(FaceModels.EmbedderArtifact(EmbedderModel.Faceplugin).ArtifactId);
        var landmark = directory.ReadVerified(FaceModels.LandmarkArtifact);
        photos = photos.Count > 0 ? photos : DemoPhotos(modelsDir);

        // The exact tensors the station feeds, built once from each photo: the runtimes see the same floats.
        var embedInputs = new List<float[]>();
        var landmarkInputs = new List<float[]>();
        var decoder = new PhotoDecoder();
        foreach (var photo in photos)
        {
            var decoded = await decoder.DecodeAsync(photo, ct);
            using var image = decoded.Image;
            embedInputs.Add(EmbedderInput(image));
            landmarkInputs.Add(LandmarkInput(image));
        }

        var load = LoadAverage();
        var rows = new List<Row>();
        foreach (var threads in ThreadCounts)
        {
            stderr.WriteLine($"opencv-peer: {threads} thread(s), {photos.Count} photo(s) × {runs}");
            rows.Add(Compare(Path.GetFileName(embedder.Path), embedder, [1, 3, FaceAligner.Size, FaceAligner.Size], embedInputs, threads, runs, ct));
            rows.Add(Compare(Path.GetFileName(landmark.Path), landmark, [1, 1, FaceLandmarker.InputSize, FaceLandmarker.InputSize], landmarkInputs, threads, runs, ct));
        }

        var report = new Report(Cv2.GetVersionString() ?? "(unknown)", OrtEnv.Instance().GetVersionString(), photos.Count, runs, load, rows);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            return 0;
        }

        stdout.WriteLine($"OpenCV DNN {report.OpencvVersion} (OpenCvSharp4, in-process) vs ONNX Runtime {report.OrtVersion}: the station's default models, same input tensors, model run only");
        stdout.WriteLine($"{report.Photos} photo(s) × {runs} runs; load average at start {(load is { } l ? N(l) : "unknown")}");
        stdout.WriteLine($"{"model",-28}{"threads",8}{"OpenCV",10}{"ORT",10}{"OpenCV/ORT",12}{"outputs agree",15}");
        foreach (var r in rows)
        {
            stdout.WriteLine($"{r.Model,-28}{r.Threads,8}{N(r.OpencvMs.Median),10}{N(r.OrtMs.Median),10}{N(r.Ratio) + "×",12}{r.OutputAgreement.ToString("0.0000", CultureInfo.InvariantCulture),15}");
        }

        stdout.WriteLine("(median ms; outputs agree: the lowest cosine between the two runtimes' outputs over the photos)");
        return 0;
    }

    private static (string Models, List<string> Photos, int Runs, bool Json) Parse(string[] argv)
    {
        var models = ModelDirectory.DefaultPath();
        var photos = new List<string>();
        var runs = DefaultRuns;
        var json = false;
        for (var i = 0; i < argv.Length; i++)
        {
            string Value() => i + 1 < argv.Length ? argv[++i] : throw new ArgumentException($"{argv[i]} needs a value");
            switch (argv[i])
            {
                case "--models":
                    models = Value();
                    break;
                case "--runs":
                    var text = Value();
                    runs = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10_000
                        ? n : throw new ArgumentException($"--runs {text}: a whole number from 1 to 10000");
                    break;
                case "--photos":
                    while (i + 1 < argv.Length && !argv[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        var photo = argv[++i];
                        photos.Add(File.Exists(photo) ? Path.GetFullPath(photo) : throw new ArgumentException($"--photos {photo}: file not found"));
                    }

                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    throw new ArgumentException($"unknown flag {argv[i]} (flags: --models DIR, --photos P..., --runs N, --json)");
            }
        }

        return (models, photos, runs, json);
    }

    private static List<string> DemoPhotos(string modelsDir)
    {
        var demo = Path.Combine(modelsDir, "demo");
        var photos = Directory.Exists(demo) ? Directory.GetFiles(demo, "sample*.jpg").Order(StringComparer.Ordinal).ToList() : [];
        return photos.Count > 0 ? photos : throw new ArgumentException($"no photos given and none at {demo}/sample*.jpg: pass --photos P... or run ./deploy.sh setup");
    }

    /// <summary>fr_feature's input: the photo at 112×112, NCHW RGB, (x − 127)/128, as <c>FaceEmbedder</c> feeds it.</summary>
    private static float[] EmbedderInput(RgbImage image)
    {
        const int size = FaceAligner.Size;
        using var small = ImageOps.ResizeBilinear(image, size, size);
        var pixels = small.Pixels;
        var input = new float[3 * size * size];
        for (var i = 0; i < size * size; i++)
        {
            for (var c = 0; c < 3; c++)
            {
                input[(c * size * size) + i] = (pixels[(i * 3) + c] - 127f) / 128f;
            }
        }

        return input;
    }

    /// <summary>fr_landmark's input: the photo at 64×64, grey (OpenCV's weights), value/256, as <c>FaceLandmarker</c> feeds it.</summary>
    private static float[] LandmarkInput(RgbImage image)
    {
        const int size = FaceLandmarker.InputSize;
        using var small = ImageOps.ResizeBilinear(image, size, size);
        var pixels = small.Pixels;
        var input = new float[size * size];
        for (var i = 0; i < input.Length; i++)
        {
            var p = i * 3;
            input[i] = MathF.Round((0.299f * pixels[p]) + (0.587f * pixels[p + 1]) + (0.114f * pixels[p + 2])) / 256f;
        }

        return input;
    }

    private static Row Compare(string name, VerifiedModel model, int[] shape, List<float[]> inputs, int threads, int runs, CancellationToken ct)
    {
        var length = inputs[0].Length;
        var input = new float[length];
        var ortOutputs = new List<float[]>();
        var cvOutputs = new List<float[]>();

        Figure ort;
        using (var options = FaceModels.CreateSessionOptions(new VisionOptions { IntraOpThreads = threads }))
        using (var session = ModelDirectory.CreateSession(model, options))
        using (var value = OrtValue.CreateTensorValueFromMemory(input, [.. shape.Select(d => (long)d)]))
        using (var runOptions = new RunOptions())
        {
            string[] inputNames = [session.InputNames[0]];
            string[] outputNames = [session.OutputNames[0]];
            OrtValue[] values = [value];
            float[] Run()
            {
                using var outputs = session.Run(runOptions, inputNames, values, outputNames);
                return outputs[0].GetTensorDataAsSpan<float>().ToArray();
            }

            ort = Time(inputs, input, runs, () => Run(), ortOutputs, Run, ct);
        }

        Cv2.SetNumThreads(threads);
        using var net = CvDnn.ReadNetFromOnnx(model.Bytes) ?? throw new InvalidOperationException($"OpenCV DNN cannot read {name}");

        // The blob is a view of the input array (pinned for the Mat's life): refilling the array refills the blob.
        using var blob = Mat.FromPixelData(shape, MatType.CV_32FC1, input);
        var names = net.GetUnconnectedOutLayersNames().Select(n => n ?? "").ToArray();
        var mats = names.Select(_ => new Mat()).ToArray();
        try
        {
            void Forward()
            {
                net.SetInput(blob);
                net.Forward(mats, names);
            }

            float[] Read()
            {
                Forward();
                var output = new float[(int)mats[0].Total()];
                Marshal.Copy(mats[0].Data, output, 0, output.Length);
                return output;
            }

            var cv = Time(inputs, input, runs, Forward, cvOutputs, Read, ct);
            var agreement = ortOutputs.Zip(cvOutputs, Cosine).Min();
            return new Row(name, threads, cv, ort, Math.Round(cv.Median / ort.Median, 2), agreement);
        }
        finally
        {
            foreach (var mat in mats)
            {
                mat.Dispose();
            }
        }
    }

    /// <summary>
    /// Each input copied into <paramref name="input"/> (the bound tensor), its output kept once, then
    /// <paramref name="runs"/> timed runs after three untimed ones.
    /// </summary>
    private static Figure Time(List<float[]> inputs, float[] input, int runs, Action run, List<float[]> outputs, Func<float[]> read, CancellationToken ct)
    {
        var samples = new List<double>(inputs.Count * runs);
        foreach (var source in inputs)
        {
            ct.ThrowIfCancellationRequested();
            source.CopyTo(input, 0);
            outputs.Add(read());
            run();
            run();
            for (var r = 0; r < runs; r++)
            {
                var start = Stopwatch.GetTimestamp();
                run();
                samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        samples.Sort();
        double At(double q) => samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(q * samples.Count) - 1)];
        return new Figure(Math.Round(At(0.5), 3), Math.Round(At(0.95), 3), samples.Count);
    }

    private static double Cosine(float[] a, float[] b)
    {
        if (a.Length != b.Length)
        {
            return double.NaN;
        }

        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return Math.Round(dot / Math.Sqrt(na * nb), 6);
    }

    private static string? WhyOpenCvUnavailable()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return $"OpenCvSharp4 has no native runtime for linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}, only for linux-x64";
        }

        try
        {
            _ = Cv2.GetVersionString();
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            var why = e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message;
            return $"OpenCvSharp's native library does not load ({why.ReplaceLineEndings(" ")}); on Debian it needs libgtk-3-0";
        }
    }

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
    }

    private static string N(double x) => x.ToString(x >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
}
