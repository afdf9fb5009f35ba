#:project ../../edge/StationEdge.Vision/StationEdge.Vision.csproj
#:property Nullable=enable
#:property PublishAot=false
// The features behind models/README.md's "Choosing the decision rule": for every photo of a set (person/photo.jpg
// folders, or a flat folder with pairs.csv), its quality, both embedders' embeddings of the face and of its mirror
// image, both liveness models' scores, and the same for five re-framed copies (door-camera frames).
//   tar xzf ~/.cache/stationedge/npm/faceplugin-face-recognition-js-0.0.1.tgz -C /tmp package/model/fr_liveness.onnx
//   dotnet run -c Release tests/bench/openset-features.cs out/models /tmp/package/model/fr_liveness.onnx PHOTOS OUT.jsonl [frames]
// then: dotnet run -c Release tests/bench/openset-levers.cs OUT.jsonl
using System.Numerics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Recognition;

var modelsDir = args[0];
var fpLivenessPath = args[1];
var photosDir = args[2];
var outPath = args[3];
var framesPerWalkUp = args.Length > 4 ? int.Parse(args[4]) : 5;

// MobileFaceNet through the pipeline, unmirrored (mirroring is done here, to keep both); faceplugin as installed.
using var pipeline = FacePipeline.Load(modelsDir, new VisionOptions { IntraOpThreads = 2, Embedder = EmbedderModel.MobileFaceNet, MirrorAverage = false });
using var so = new SessionOptions { IntraOpNumThreads = 2, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
so.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
using var fp = new InferenceSession(Path.Combine(modelsDir, FaceModels.FacepluginEmbedderFile), so);
using var fpLive = new InferenceSession(fpLivenessPath, so);
Console.Error.WriteLine($"fp in {string.Join(",", fp.InputMetadata.Select(kv => kv.Key + "[" + string.Join(",", kv.Value.Dimensions) + "]"))} out {string.Join(",", fp.OutputMetadata.Select(kv => kv.Key + "[" + string.Join(",", kv.Value.Dimensions) + "]"))}");
Console.Error.WriteLine($"live in {string.Join(",", fpLive.InputMetadata.Select(kv => kv.Key + "[" + string.Join(",", kv.Value.Dimensions) + "]"))} out {string.Join(",", fpLive.OutputMetadata.Select(kv => kv.Key + "[" + string.Join(",", kv.Value.Dimensions) + "]"))}");

List<(string Person, string Path)> photos = [];
if (File.Exists(Path.Combine(photosDir, "pairs.csv")) && !Directory.EnumerateDirectories(photosDir).Any())
{
    // flat folder: persons = connected components of same-person pairs
    var parent = new Dictionary<string, string>();
    string Find(string x) { while (parent[x] != x) x = parent[x] = parent[parent[x]]; return x; }
    foreach (var line in File.ReadLines(Path.Combine(photosDir, "pairs.csv")).Skip(1))
    {
        var c = line.Split(',');
        if (c.Length < 3) continue;
        parent.TryAdd(c[0], c[0]); parent.TryAdd(c[1], c[1]);
        if (c[2].Trim() == "1") parent[Find(c[0])] = Find(c[1]);
    }
    foreach (var p in parent.Keys.Order()) photos.Add((Find(p), Path.Combine(photosDir, p)));
}
else
{
    foreach (var d in Directory.GetDirectories(photosDir).Order())
        foreach (var f in Directory.GetFiles(d).Where(f => f.EndsWith(".jpg") || f.EndsWith(".png") || f.EndsWith(".jpeg")).Order())
            photos.Add((Path.GetFileName(d), f));
}

var decoder = new PhotoDecoder();
var rng = new Random(12345);
var embedder = pipeline.Models.Embedder!;
using var outFile = new StreamWriter(outPath);
var n = 0;
var fpMs = new List<double>();
var liveMs = new List<double>();
foreach (var (person, path) in photos)
{
    n++;
    RgbImage image;
    try { image = (await decoder.DecodeAsync(path, CancellationToken.None)).Image; }
    catch (Exception e) { Console.Error.WriteLine($"{path}: {e.Message}"); continue; }
    using var _ = image;
    var faces = pipeline.Analyze(image, 1);
    if (faces.Length == 0) { Console.Error.WriteLine($"{path}: no face"); continue; }
    var face = faces[0];
    var main = Features(image, face.Face, true);
    var frames = new List<Action<Utf8JsonWriter>>();
    // Door-camera frames: the face re-framed with small random shift, scale, roll and gain, re-detected.
    for (var k = 0; k < framesPerWalkUp; k++)
    {
        using var frame = Augment(image, face.Face.Box, rng);
        var ff = pipeline.Analyze(frame, 1);
        if (ff.Length == 0) continue;
        frames.Add(Features(frame, ff[0].Face, false));
    }
    var q = face.Quality;
    using (var buffer = new MemoryStream())
    {
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("person", person);
            json.WriteString("path", path);
            Floats(json, "q", [q.DetectorScore, q.InterEyeDistance, q.YawDegrees, q.Sharpness, q.Brightness]);
            json.WritePropertyName("main");
            main(json);
            json.WriteStartArray("frames");
            frames.ForEach(f => f(json));
            json.WriteEndArray();
            json.WriteEndObject();
        }

        outFile.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
    if (n % 20 == 0) Console.Error.WriteLine($"{n}/{photos.Count}");
}
fpMs.Sort(); liveMs.Sort();
Console.Error.WriteLine($"fp embed median {fpMs[fpMs.Count / 2]:0.0} ms; fp liveness median {liveMs[liveMs.Count / 2]:0.0} ms");

static void Floats(Utf8JsonWriter json, string name, IEnumerable<float> values)
{
    json.WriteStartArray(name);
    foreach (var v in values)
    {
        json.WriteNumberValue(v);
    }

    json.WriteEndArray();
}

Action<Utf8JsonWriter> Features(RgbImage image, StationEdge.Vision.Detection.DetectedFace face, bool withLiveness)
{
    var aligned = new float[FaceAligner.TensorLength * 2];
    FaceAligner.Align(image, face, aligned.AsSpan(0, FaceAligner.TensorLength));
    Flip(aligned.AsSpan(0, FaceAligner.TensorLength), aligned.AsSpan(FaceAligner.TensorLength));
    var mfn = embedder.Embed(aligned, 2);
    var fpE = FpEmbed(aligned.AsSpan(0, FaceAligner.TensorLength));
    var fpF = FpEmbed(aligned.AsSpan(FaceAligner.TensorLength));
    float[]? live = null; float? oldLive = null;
    if (withLiveness)
    {
        oldLive = pipeline.CheckLiveness(image, face).Score;
        live = FpLiveness(image, face.Box);
    }
    var yaw = StationEdge.Vision.Quality.HeadPose.EstimateYawDegrees(face);
    var eye = StationEdge.Vision.Quality.HeadPose.InterEyeDistance(face);
    return json =>
    {
        json.WriteStartObject();
        Floats(json, "m", mfn[0]);
        Floats(json, "mf", mfn[1]);
        Floats(json, "f", fpE);
        Floats(json, "ff", fpF);
        if (live is not null)
        {
            Floats(json, "live", live);
            json.WriteNumber("oldLive", oldLive!.Value);
        }

        json.WriteNumber("yaw", yaw);
        json.WriteNumber("eye", eye);
        json.WriteNumber("det", face.Score);
        json.WriteEndObject();
    };
}

static void Flip(ReadOnlySpan<float> src, Span<float> dst)
{
    const int s = FaceAligner.Size;
    for (var y = 0; y < s; y++)
        for (var x = 0; x < s; x++)
            for (var c = 0; c < 3; c++)
                dst[(((y * s) + x) * 3) + c] = src[(((y * s) + (s - 1 - x)) * 3) + c];
}

float[] FpEmbed(ReadOnlySpan<float> nhwc)
{
    const int s = FaceAligner.Size;
    var input = new float[3 * s * s];
    // (x − 127.5)/128 → (x − 127)/128 and NHWC → NCHW
    for (var y = 0; y < s; y++)
        for (var x = 0; x < s; x++)
            for (var c = 0; c < 3; c++)
                input[(c * s * s) + (y * s) + x] = nhwc[(((y * s) + x) * 3) + c] + (0.5f / 128f);
    var sw = System.Diagnostics.Stopwatch.StartNew();
    using var t = OrtValue.CreateTensorValueFromMemory(input, [1, 3, s, s]);
    using var o = fp.Run(new RunOptions(), [fp.InputNames[0]], [t], [fp.OutputNames[0]]);
    fpMs.Add(sw.Elapsed.TotalMilliseconds);
    var e = o[0].GetTensorDataAsSpan<float>().ToArray();
    var norm = MathF.Sqrt(e.Sum(v => v * v));
    return e.Select(v => v / norm).ToArray();
}

float[] FpLiveness(RgbImage image, System.Drawing.RectangleF box)
{
    const float scaleWanted = 2.7f;
    var scale = Math.Min((image.Height - 1) / box.Height, Math.Min((image.Width - 1) / box.Width, scaleWanted));
    float w = box.Width * scale, h = box.Height * scale;
    float cx = box.X + (box.Width / 2), cy = box.Y + (box.Height / 2);
    float l = cx - (w / 2), t = cy - (h / 2), r = cx + (w / 2), b = cy + (h / 2);
    if (l < 0) { r -= l; l = 0; }
    if (t < 0) { b -= t; t = 0; }
    if (r > image.Width - 1) { l -= r - image.Width + 1; r = image.Width - 1; }
    if (b > image.Height - 1) { t -= b - image.Height + 1; b = image.Height - 1; }
    var region = new System.Drawing.Rectangle(Math.Max((int)l, 0), Math.Max((int)t, 0), (int)(r - l), (int)(b - t));
    using var crop = ImageOps.ResizeBilinear(image, region, 128, 128);
    var input = new float[3 * 128 * 128];
    var px = crop.Pixels;
    for (var i = 0; i < 128 * 128; i++)
        for (var c = 0; c < 3; c++)
            input[(c * 128 * 128) + i] = px[(i * 3) + c];
    var sw = System.Diagnostics.Stopwatch.StartNew();
    using var tv = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 128, 128]);
    using var o = fpLive.Run(new RunOptions(), [fpLive.InputNames[0]], [tv], [fpLive.OutputNames[0]]);
    liveMs.Add(sw.Elapsed.TotalMilliseconds);
    var z = o[0].GetTensorDataAsSpan<float>().ToArray();
    var m = z.Max();
    var ex = z.Select(v => MathF.Exp(v - m)).ToArray();
    var sum = ex.Sum();
    return ex.Select(v => v / sum).ToArray();
}

static RgbImage Augment(RgbImage image, System.Drawing.RectangleF box, Random rng)
{
    float U(float a) => (float)((rng.NextDouble() * 2) - 1) * a;
    var side = 3f * Math.Max(box.Width, box.Height) * (1 + U(0.08f));
    var cx = box.X + (box.Width / 2) + U(0.05f) * box.Width;
    var cy = box.Y + (box.Height / 2) + U(0.05f) * box.Height;
    const int outSize = 480;
    var s = outSize / side;
    var roll = U(5f) * MathF.PI / 180f;
    // source → destination: translate centre to origin, rotate, scale, translate to output centre
    var m = Matrix3x2.CreateTranslation(-cx, -cy) * Matrix3x2.CreateRotation(roll) * Matrix3x2.CreateScale(s) * Matrix3x2.CreateTranslation(outSize / 2f, outSize / 2f);
    var frame = AffineWarp.WarpBilinear(image, m, outSize, outSize);
    var gain = 1 + U(0.15f);
    var bias = U(10f);
    var p = frame.Pixels;
    for (var i = 0; i < p.Length; i++) p[i] = (byte)Math.Clamp((p[i] * gain) + bias, 0, 255);
    return frame;
}
