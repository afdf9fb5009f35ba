#:project ../../edge/StationEdge.Vision/StationEdge.Vision.csproj
#:property PublishAot=false
// The figures behind QualityGateOptions' defaults, measured on faces-dev:
//   dotnet run -c Release tests/bench/quality-survey.cs [FACES-DEV FOLDER] [MODELS FOLDER]
// (default ../shared/data/faces-dev and out/models). For every photo: inter-eye distance, yaw, and the aligned
// 112×112 face's sharpness and brightness; same-person scores by yaw; and what shrinking the photo and blurring,
// darkening and brightening the aligned face do to same-person scores, with the default embedder. About a minute on 2 cores.
using System.Drawing;
using System.Globalization;
using System.Numerics.Tensors;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;

var dir = args.Length > 0 ? args[0] : "../shared/data/faces-dev";
var modelsDir = args.Length > 1 ? args[1] : "out/models";
using var pipeline = FacePipeline.Load(modelsDir, new VisionOptions { IntraOpThreads = 2 });
var decoder = new PhotoDecoder();
var pairs = File.ReadLines(Path.Combine(dir, "pairs.csv")).Skip(1).Select(l => l.Split(',')).ToList();
var faces = new Dictionary<string, (RgbImage Crop, QualityFigures Figures)>();
foreach (var name in Directory.GetFiles(dir, "*.jpg").Select(Path.GetFileName).Order())
{
    var photo = await decoder.DecodeAsync(Path.Combine(dir, name!), CancellationToken.None);
    var found = pipeline.Detect(photo.Image);
    if (found.Count == 1)
    {
        faces[name!] = (FaceAligner.AlignToImage(photo.Image, found[0]), QualityGate.Measure(photo.Image, found[0]));
    }
}

string Range(IEnumerable<float> values, string format = "0.0")
{
    var sorted = values.Order().ToList();
    return string.Join(" / ", new[] { sorted[0], sorted[sorted.Count / 2], sorted[^1] }.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));
}

Console.WriteLine($"{faces.Count} single-face photos; min / median / max:");
Console.WriteLine("  inter-eye px     " + Range(faces.Values.Select(f => f.Figures.InterEyePx)));
Console.WriteLine("  |yaw| degrees    " + Range(faces.Values.Select(f => MathF.Abs(f.Figures.YawDegrees))));
Console.WriteLine("  aligned sharpness " + Range(faces.Values.Select(f => f.Figures.Sharpness)));
Console.WriteLine("  aligned brightness " + Range(faces.Values.Select(f => f.Figures.Brightness)));

// An aligned crop is embedded as a photo whose face sits exactly on the template (keypoints in pixel-edge terms, half
// a pixel off the template's centres): the pipeline's alignment is then the identity, and the embedder is whichever
// the pipeline runs (the default one, mirror-averaged), as the door embeds.
var onTemplate = new DetectedFace(
    new RectangleF(0, 0, FaceAligner.Size, FaceAligner.Size),
    [.. ArcFaceTemplate.Points.Select(p => new PointF(p.X + 0.5f, p.Y + 0.5f)), ArcFaceTemplate.RightEye, ArcFaceTemplate.LeftEye],
    1f,
    "aligned");
float[] Embed(RgbImage crop) => pipeline.Analyze(crop, [onTemplate])[0].Embedding;

// The reference threshold: the default rule's at 100 workers of the harder (East Asian) population.
var threshold = GalleryOptions.DefaultThreshold;
var embeddings = faces.ToDictionary(f => f.Key, f => Embed(f.Value.Crop));
var same = pairs.Where(p => p[2] == "1" && embeddings.ContainsKey(p[0]) && embeddings.ContainsKey(p[1])).ToList();
// "Lost" below counts the pairs that matched at the threshold before the change and do not after it.
var matching = same.Count(p => TensorPrimitives.Dot(embeddings[p[0]], embeddings[p[1]]) >= threshold);
Console.WriteLine($"{same.Count} same-person pairs, score by the larger |yaw| of the two:");
foreach (var (low, high) in new[] { (0, 10), (10, 20), (20, 30), (30, 90) })
{
    var scores = same.Where(p => Math.Max(MathF.Abs(faces[p[0]].Figures.YawDegrees), MathF.Abs(faces[p[1]].Figures.YawDegrees)) is var y && y >= low && y < high)
        .Select(p => TensorPrimitives.Dot(embeddings[p[0]], embeddings[p[1]])).ToList();
    Console.WriteLine(F($"  {low}–{high}°: {scores.Count} pairs") + (scores.Count > 0 ? ", min / median / max " + Range(scores, "0.00") : ""));
}

void Sweep(string what, IEnumerable<double> steps, Func<RgbImage, double, RgbImage> degrade, Func<RgbImage, double> measure)
{
    Console.WriteLine($"{what} the left face of each same-person pair: measured value, score drop (median), matches at {threshold} lost");
    foreach (var step in steps)
    {
        var values = new List<float>();
        var drops = new List<float>();
        var below = 0;
        foreach (var p in same)
        {
            using var changed = degrade(faces[p[0]].Crop, step);
            var score = TensorPrimitives.Dot(Embed(changed), embeddings[p[1]]);
            values.Add((float)measure(changed));
            drops.Add(TensorPrimitives.Dot(embeddings[p[0]], embeddings[p[1]]) - score);
            var before = TensorPrimitives.Dot(embeddings[p[0]], embeddings[p[1]]);
            below += before >= threshold && score < threshold ? 1 : 0;
        }

        Console.WriteLine(F($"  {step,4}: {Range(values)}, drop {drops.Order().ElementAt(drops.Count / 2):0.000}, {below} of {matching}"));
    }
}

Console.WriteLine($"Shrinking the left photo of each same-person pair until its eyes are N px apart: pairs found, score drop (median), matches at {threshold} lost");
foreach (var eyes in new[] { 60f, 40f, 30f, 20f })
{
    var drops = new List<float>();
    var below = 0;
    foreach (var p in same)
    {
        var photo = await decoder.DecodeAsync(Path.Combine(dir, p[0]), CancellationToken.None);
        var scale = eyes / faces[p[0]].Figures.InterEyePx;
        using var small = ImageOps.ResizeBilinear(photo.Image, Math.Max(1, (int)(photo.Image.Width * scale)), Math.Max(1, (int)(photo.Image.Height * scale)));
        photo.Image.Dispose();
        var found = pipeline.Analyze(small, maxFaces: 1);
        var score = found.Length == 1 ? TensorPrimitives.Dot(found[0].Embedding, embeddings[p[1]]) : float.NaN;
        if (!float.IsNaN(score))
        {
            drops.Add(TensorPrimitives.Dot(embeddings[p[0]], embeddings[p[1]]) - score);
        }

        below += TensorPrimitives.Dot(embeddings[p[0]], embeddings[p[1]]) >= threshold && (float.IsNaN(score) || score < threshold) ? 1 : 0;
    }

    Console.WriteLine(F($"  {eyes,4} px: {drops.Count} of {same.Count} found, drop {(drops.Count > 0 ? drops.Order().ElementAt(drops.Count / 2) : float.NaN):0.000}, {below} of {matching} lost"));
}

Sweep("Blurring (Gaussian σ)", [1.0, 1.5, 2.0, 2.5, 3.0], Blur, c => ImageQuality.Sharpness(c));
Sweep("Darkening and brightening (gain)", [0.15, 0.25, 0.35, 0.5, 1.3, 1.6, 2.0, 2.5], Gain, c => ImageQuality.Brightness(c));

static RgbImage Gain(RgbImage source, double gain)
{
    var result = source.Clone();
    var pixels = result.Pixels;
    for (var i = 0; i < pixels.Length; i++)
    {
        pixels[i] = (byte)Math.Clamp(Math.Round(pixels[i] * gain), 0, 255);
    }

    return result;
}

static RgbImage Blur(RgbImage source, double sigma)
{
    var radius = (int)Math.Ceiling(sigma * 3);
    var kernel = Enumerable.Range(-radius, (2 * radius) + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
    var total = kernel.Sum();
    var (w, h) = (source.Width, source.Height);
    var pass = new double[w * h * 3];
    var result = new RgbImage(w, h);
    var input = source.Pixels;
    for (var y = 0; y < h; y++)
    {
        for (var x = 0; x < w; x++)
        {
            for (var c = 0; c < 3; c++)
            {
                double sum = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    sum += kernel[k + radius] * input[(((y * w) + Math.Clamp(x + k, 0, w - 1)) * 3) + c];
                }

                pass[(((y * w) + x) * 3) + c] = sum / total;
            }
        }
    }

    var output = result.Pixels;
    for (var y = 0; y < h; y++)
    {
        for (var x = 0; x < w; x++)
        {
            for (var c = 0; c < 3; c++)
            {
                double sum = 0;
                for (var k = -radius; k <= radius; k++)
                {
                    sum += kernel[k + radius] * pass[(((Math.Clamp(y + k, 0, h - 1) * w) + x) * 3) + c];
                }

                output[(((y * w) + x) * 3) + c] = (byte)Math.Clamp(Math.Round(sum / total), 0, 255);
            }
        }
    }

    return result;
}

static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
