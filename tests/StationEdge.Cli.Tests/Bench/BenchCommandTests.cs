using System.Runtime.Intrinsics;
using System.Text.Json;
using StationEdge.Cli.Tests.Vision;

namespace StationEdge.Cli.Tests.Bench;

/// <summary>
/// One short bench run that the JSON tests read: one run, one demo photo, no daemon soak (<c>--soak 0</c>: its figures
/// are null, their keys still there). The daemon's part is measured on its own in <see cref="StationBenchTests"/>.
/// </summary>
public sealed class BenchJsonRun : IAsyncLifetime
{
    public const int Runs = 1;

    public int Exit { get; private set; }

    public string Stderr { get; private set; } = "";

    public JsonDocument? Json { get; private set; }

    public async Task InitializeAsync()
    {
        var result = await CliRunner.InProcessAsync("bench", "--runs", Runs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--soak", "0", "--json", "--models", TestModels.Directory, "--photos", TestModels.DemoPhoto(1));
        (Exit, Stderr) = (result.Exit, result.Stderr);
        Json = result.Exit == 0 ? JsonDocument.Parse(result.Stdout) : null;
    }

    public Task DisposeAsync()
    {
        Json?.Dispose();
        return Task.CompletedTask;
    }

    public JsonElement Root
    {
        get
        {
            Assert.True(Exit == 0, $"bench exited with {Exit}: {Stderr}");
            return Json!.RootElement;
        }
    }
}

public class BenchCommandTests(BenchJsonRun run) : IClassFixture<BenchJsonRun>
{
    private static readonly string[] Stages = ["decode", "detect", "align", "liveness", "embed"];
    private static readonly string[] OrtStages = ["detect", "liveness", "embed"];

    [Fact]
    public void Bench_Json_ReportsEveryFigureAsAPositiveFiniteNumber()
    {
        var root = run.Root;
        Assert.Equal(BenchJsonRun.Runs, root.GetProperty("runs").GetInt32());
        Assert.Equal(1, root.GetProperty("photos").GetArrayLength());
        var faces = root.GetProperty("faces").GetInt32();
        Assert.True(faces > 0, "the demo photo has faces");

        // Per face on the door-camera frames cut around each face, and on the whole photo.
        AssertFigure(root.GetProperty("per_face_ms"), "per_face_ms", samples: null);
        AssertFigure(root.GetProperty("per_face_ms_2_threads"), "per_face_ms_2_threads", samples: null);
        AssertFigure(root.GetProperty("per_face_group_photo_ms"), "per_face_group_photo_ms", samples: BenchJsonRun.Runs);
        AssertFigure(root.GetProperty("per_face_group_photo_ms_2_threads"), "per_face_group_photo_ms_2_threads", samples: BenchJsonRun.Runs);

        foreach (var stage in Stages)
        {
            var perFace = stage is "align" or "liveness" or "embed";
            AssertFigure(root.GetProperty("stages").GetProperty(stage), $"stages.{stage}", samples: perFace ? faces * BenchJsonRun.Runs : BenchJsonRun.Runs);
        }

        foreach (var stage in OrtStages)
        {
            AssertFigure(root.GetProperty("stages_2_threads").GetProperty(stage), $"stages_2_threads.{stage}", samples: null);
        }

        foreach (var size in new[] { "1000", "10000", "100000" })
        {
            AssertPositive(root.GetProperty("gallery_search_ms").GetProperty(size), $"gallery_search_ms.{size}");
            AssertPositive(root.GetProperty("gallery_search_p95_ms").GetProperty(size), $"gallery_search_p95_ms.{size}");
        }

        var rss = AssertPositive(root.GetProperty("rss_mb"), "rss_mb");
        var peak = AssertPositive(root.GetProperty("peak_rss_mb"), "peak_rss_mb");
        Assert.True(peak >= rss, $"peak RSS {peak} MB is below the RSS measured earlier, {rss} MB");

        var machine = root.GetProperty("machine");
        Assert.True(machine.GetProperty("cores").GetInt32() >= 1);
        foreach (var key in new[] { "os", "arch", "ort_version" })
        {
            Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty(key).GetString()), $"machine.{key} is empty");
        }

        // Without the daemon's soak there is no frame → relay figure to hold against its target.
        Assert.Equal(["per_face_ms_median_1_thread", "gallery_search_ms_100000", "rss_mb"], root.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public void Bench_Json_WithoutASoak_KeepsTheDaemonsKeys_AsNull_NamedForWhatTheyMeasure()
    {
        var root = run.Root;
        foreach (var key in new[] { "frame_to_relay_ms", "frame_to_relay_ms_preview_open", "walkup_to_grant_ms", "sustained_fps", "cpu_share", "rss_mb_at_first_grant", "rss_mb_after_soak", "station" })
        {
            Assert.True(root.TryGetProperty(key, out var value), $"{key} is missing");
            Assert.Equal(JsonValueKind.Null, value.ValueKind);
        }

        // The old names said what they did not measure (10 minutes after a 10 s soak; "start" for the first grant).
        Assert.False(root.TryGetProperty("rss_mb_after_10_min", out _));
        Assert.False(root.TryGetProperty("rss_mb_start", out _));
    }

    [Fact]
    public void Bench_Json_HasNoOpenCvPeer_TheStationsExecutableCarriesNoOpenCv()
    {
        // The OpenCV DNN comparison is tools/StationEdge.OpenCvPeer's, on the default models: no native OpenCV in a station.
        Assert.False(run.Root.TryGetProperty("opencv", out _));
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "OpenCvSharp.dll")), "station-edge's build output carries OpenCvSharp");
        Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, "libOpenCvSharpExtern.so")), "station-edge's build output carries OpenCV's native library");
    }

    [Fact]
    public void Bench_Json_MeasuresGallerySearchWithEverySimdWidthTheCpuHas()
    {
        var root = run.Root;
        var byWidth = root.GetProperty("gallery_search_by_dot_product_ms");
        var widths = byWidth.EnumerateObject().Select(p => p.Name).ToList();
        var expected = new List<string>();
        if (Vector256.IsHardwareAccelerated)
        {
            expected.Add("Vector256");
        }

        if (Vector128.IsHardwareAccelerated)
        {
            expected.Add("Vector128");
        }

        Assert.Equal(expected, widths);
        foreach (var width in widths)
        {
            AssertFigure(byWidth.GetProperty(width), $"gallery_search_by_dot_product_ms.{width}", samples: null);
        }

        Assert.Equal(expected[0], root.GetProperty("gallery_dot_product").GetString());
    }

    [Fact]
    public async Task Bench_MissingPhoto_IsBadInputNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-photo-{Guid.NewGuid():N}.jpg");

        var result = await CliRunner.InProcessAsync("bench", "--photos", missing);

        result.AssertOneLineError(2, $"--photos {missing}: file not found");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("many")]
    public async Task Bench_RunsNotAPositiveNumber_IsBadInput(string runs)
    {
        var result = await CliRunner.InProcessAsync("bench", "--runs", runs);

        result.AssertOneLineError(2, $"--runs must be a whole number from 1 to 1000 (was '{runs}')");
    }

    [Fact]
    public async Task Bench_PhotoWithoutFaces_IsBadInputSayingSo()
    {
        // A plain grey PPM: decodable, but nothing for the per-face figures to measure.
        using var folder = new TempFolder();
        var path = folder.File("grey.ppm");
        File.WriteAllBytes(path, [.. "P6\n64 48\n255\n"u8, .. Enumerable.Repeat((byte)128, 64 * 48 * 3)]);

        var result = await CliRunner.InProcessAsync("bench", "--runs", "1", "--models", TestModels.Directory, "--photos", path);

        // Progress lines come first on stderr; the error is the last line.
        Assert.Equal(2, result.Exit);
        Assert.Equal("", result.Stdout);
        var last = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.Equal($"station-edge: bench: no face found in {path}: the per-face figures need photos with faces", last);
    }

    internal static void AssertFigure(JsonElement figure, string name, int? samples)
    {
        var median = AssertPositive(figure.GetProperty("median"), $"{name}.median");
        var p95 = AssertPositive(figure.GetProperty("p95"), $"{name}.p95");
        Assert.True(p95 >= median, $"{name}: p95 {p95} is below the median {median}");
        var count = figure.GetProperty("samples").GetInt32();
        if (samples is { } expected)
        {
            Assert.Equal(expected, count);
        }
        else
        {
            Assert.True(count > 0, $"{name} has no samples");
        }
    }

    internal static double AssertPositive(JsonElement value, string name)
    {
        Assert.True(value.ValueKind == JsonValueKind.Number, $"{name} is {value.ValueKind}, not a number");
        var x = value.GetDouble();
        Assert.True(double.IsFinite(x) && x > 0, $"{name} is {x}, not a positive finite number");
        return x;
    }
}
