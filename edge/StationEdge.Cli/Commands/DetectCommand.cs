using System.Drawing;
using System.Text.Json.Serialization;
using StationEdge.Vision.Detection;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Quality;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>
/// `detect --photo P`: every face with box, keypoints, score and quality, in the photo's own pixels.
/// `--embedding` (with --json) adds each face's embedding, so a build for another CPU (arm64 under emulation in
/// `./deploy.sh arm64`) can be compared with this one number by number.
/// </summary>
internal static class DetectCommand
{
    public sealed record Box(float X, float Y, float Width, float Height);

    public sealed record Point2(float X, float Y);

    public sealed record FaceQualityReport(float InterEyePx, float YawDeg, float Sharpness, float Brightness);

    public sealed record FaceReport(
        int Index,
        float Score,
        string Model,
        Box Box,
        IReadOnlyDictionary<string, Point2> Keypoints,
        FaceQualityReport Quality,
        float? Liveness,
        bool? Live,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] float[]? Embedding = null);

    public sealed record Report(string Photo, int Width, int Height, double DecodeScale, IReadOnlyList<FaceReport> Faces);

    private static readonly string[] KeypointNames = ["right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear", "left_ear"];

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse("detect", argv, [.. VisionCli.Flags, "--photo"], ["--liveness", "--embedding"]);
        var photoPath = args.Require("--photo");
        var withEmbedding = args.Has("--embedding");
        if (withEmbedding && !args.Json)
        {
            throw CliError.BadInput("detect: --embedding needs --json");
        }

        var parts = FaceModelParts.Detector
            | (args.Has("--liveness") ? FaceModelParts.Liveness : 0)
            | (withEmbedding ? FaceModelParts.Embedder : 0);
        var (modelsPath, options) = VisionCli.Settings(args, parts);

        // The photo first: a bad photo is the caller's to fix (exit 2) even when the models are broken too.
        var decoded = await VisionCli.DecodeArgumentAsync(new PhotoDecoder(), photoPath, ct);
        using var image = decoded.Image;
        using var pipeline = FacePipeline.Load(modelsPath, options);

        // Analyze leaves out a face it cannot align, so with --embedding the faces are the ones it embedded.
        var analyses = withEmbedding ? pipeline.Analyze(image) : null;
        var faces = analyses?.Select(a => a.Face).ToList() ?? pipeline.Detect(image);
        var reports = faces.Select((face, i) =>
        {
            var liveness = args.Has("--liveness") ? pipeline.CheckLiveness(image, face) : null;
            var described = Describe(i + 1, face, FaceQuality.Measure(image, face), decoded, liveness?.Score, liveness?.IsLive);
            return described with { Embedding = analyses?[i].Embedding };
        }).ToList();
        var report = new Report(photoPath, decoded.OriginalWidth, decoded.OriginalHeight, decoded.Scale, reports);

        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
            return 0;
        }

        stdout.WriteLine($"{photoPath}: {Plural(reports.Count, "face")} ({decoded.OriginalWidth}×{decoded.OriginalHeight})");
        foreach (var f in reports)
        {
            stdout.WriteLine(FaceLine(f));
        }

        return 0;
    }

    /// <summary>One face of the text output.</summary>
    internal static string FaceLine(FaceReport f)
    {
        var live = f.Liveness is { } s ? $"  liveness {s:0.000} ({(f.Live == true ? "live" : "fake?")})" : "";
        return $"  face {f.Index}: score {f.Score:0.00} [{f.Model}]  box {Figures.Fixed(f.Box.X, 0)},{Figures.Fixed(f.Box.Y, 0)} {f.Box.Width:0}×{f.Box.Height:0}"
            + $"  eyes {f.Quality.InterEyePx:0} px  yaw {Figures.Signed(f.Quality.YawDeg, 0)}°  sharpness {f.Quality.Sharpness:0}  brightness {f.Quality.Brightness:0}{live}";
    }

    internal static FaceReport Describe(int index, DetectedFace face, FaceQuality quality, DecodedPhoto photo, float? liveness, bool? live)
    {
        // Boxes and points go back to the photo as stored, so a caller can draw them on the original file.
        var scale = (float)photo.Scale;
        Point2 P(PointF p) => new(p.X / scale, p.Y / scale);
        var keypoints = new Dictionary<string, Point2>();
        for (var k = 0; k < face.Keypoints.Length && k < KeypointNames.Length; k++)
        {
            keypoints[KeypointNames[k]] = P(face.Keypoints[k]);
        }

        return new FaceReport(
            index,
            face.Score,
            face.Model,
            new Box(face.Box.X / scale, face.Box.Y / scale, face.Box.Width / scale, face.Box.Height / scale),
            keypoints,
            new FaceQualityReport(quality.InterEyeDistance / scale, quality.YawDegrees, quality.Sharpness, quality.Brightness),
            liveness,
            live);
    }

    internal static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
