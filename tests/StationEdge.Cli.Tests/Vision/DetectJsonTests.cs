using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>detect --json on real faces: the document's shape and that its geometry is the photo's.</summary>
public sealed class DetectJsonTests
{
    [FacesDevFact]
    public async Task Detect_Json_SingleFacePhoto_PrintsOnlyJsonWithOneUprightFace()
    {
        var photo = FacesDev.Photo("img1.jpg");

        var result = await CliRunner.ChildProcessAsync("detect", "--photo", photo, "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Equal("", result.Stderr);
        var json = result.Json();
        Assert.Equal(photo, json.GetProperty("photo").GetString());
        var (width, height) = (json.GetProperty("width").GetInt32(), json.GetProperty("height").GetInt32());
        var face = Assert.Single(json.GetProperty("faces").EnumerateArray().ToList());

        Assert.Equal(1, face.GetProperty("index").GetInt32());
        Assert.InRange(face.GetProperty("score").GetDouble(), 0.5, 1.0);
        var box = face.GetProperty("box");
        var (x, y, w, h) = (box.GetProperty("x").GetDouble(), box.GetProperty("y").GetDouble(), box.GetProperty("width").GetDouble(), box.GetProperty("height").GetDouble());
        Assert.True(x >= -0.05 * w && y >= -0.05 * h && x + w <= width * 1.05 && y + h <= height * 1.05, $"box {x},{y} {w}×{h} lies in the {width}×{height} photo");

        var points = face.GetProperty("keypoints");
        var (rightEye, leftEye, nose, mouth) = (Point(points, "right_eye"), Point(points, "left_eye"), Point(points, "nose_tip"), Point(points, "mouth_center"));
        Assert.True(rightEye.Y < mouth.Y && leftEye.Y < mouth.Y, "eyes are above the mouth");
        Assert.True(nose.Y < mouth.Y, "the nose is above the mouth");

        // The subject's right eye is on the viewer's left in an unmirrored photo.
        Assert.True(rightEye.X < leftEye.X, $"right eye x {rightEye.X} < left eye x {leftEye.X}");
        foreach (var p in (Point2[])[rightEye, leftEye, nose, mouth])
        {
            Assert.True(p.X >= x && p.X <= x + w && p.Y >= y && p.Y <= y + h, $"keypoint {p} lies in the box");
        }

        var quality = face.GetProperty("quality");
        var eyeDistance = Math.Sqrt(Math.Pow(leftEye.X - rightEye.X, 2) + Math.Pow(leftEye.Y - rightEye.Y, 2));
        Assert.Equal(eyeDistance, quality.GetProperty("inter_eye_px").GetDouble(), eyeDistance * 0.01);
        foreach (var key in (string[])["yaw_deg", "sharpness", "brightness"])
        {
            Assert.Equal(JsonValueKind.Number, quality.GetProperty(key).ValueKind);
        }
    }

    [FacesDevFact]
    public async Task Detect_Json_Couple_ReportsEveryFaceHighestScoreFirst()
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", FacesDev.Photo("couple.jpg"), "--models", TestModels.Directory, "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var faces = result.Json().GetProperty("faces").EnumerateArray().ToList();
        Assert.True(faces.Count >= 2, $"couple.jpg shows two people; found {faces.Count} faces");
        Assert.Equal(Enumerable.Range(1, faces.Count), faces.Select(f => f.GetProperty("index").GetInt32()));
        var scores = faces.Select(f => f.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [FacesDevFact]
    public async Task Detect_Text_SingleFacePhoto_SaysOneFaceAndItsSize()
    {
        var photo = FacesDev.Photo("img1.jpg");

        var result = await CliRunner.InProcessAsync("detect", "--photo", photo, "--models", TestModels.Directory);

        Assert.True(result.Exit == 0, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^.*img1\.jpg: 1 face \(\d+×\d+\)$", lines[0]);
        Assert.StartsWith("  face 1: score ", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    private static Point2 Point(JsonElement keypoints, string name)
    {
        var p = keypoints.GetProperty(name);
        return new Point2(p.GetProperty("x").GetDouble(), p.GetProperty("y").GetDouble());
    }

    private readonly record struct Point2(double X, double Y);
}
