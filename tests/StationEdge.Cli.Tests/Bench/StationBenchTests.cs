using System.Text.Json;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Cli.Tests.Vision;
using StationEdge.Vision.Alignment;

namespace StationEdge.Cli.Tests.Bench;

/// <summary>
/// The bench's daemon part on its own: the real daemon soaked for the shortest soak (10 s, twice, then 10 s at 60 fps:
/// about 40 s in real time), so it is a <c>Stress</c> test, left out with <c>--filter "Category!=Stress"</c>. Its JSON
/// names each figure for what it measured.
/// </summary>
[Trait("Category", "Stress")]
public sealed class StationBenchTests
{
    [Fact]
    public async Task TheDaemonsSoak_ReportsItsFigures_NamedForWhatTheyMeasured()
    {
        var result = await StationBench.RunAsync(TestModels.Directory, 10, AlignmentMethod.Landmarks, TextWriter.Null, CancellationToken.None);
        using var output = new StringWriter();
        JsonOutput.Write(output, result);
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;

        var grants = root.GetProperty("conditions").GetProperty("grants").GetInt32();
        Assert.True(grants >= 1, "the daemon granted the walking-up worker at least once in the soak");
        BenchCommandTests.AssertFigure(root.GetProperty("frame_to_relay_ms"), "frame_to_relay_ms", samples: grants);
        BenchCommandTests.AssertFigure(root.GetProperty("walkup_to_grant_ms"), "walkup_to_grant_ms", samples: grants);
        var grantsPreviewOpen = root.GetProperty("conditions").GetProperty("grants_preview_open").GetInt32();
        Assert.True(grantsPreviewOpen >= 1, "the daemon granted the walking-up worker at least once with the preview open");
        BenchCommandTests.AssertFigure(root.GetProperty("frame_to_relay_ms_preview_open"), "frame_to_relay_ms_preview_open", samples: grantsPreviewOpen);
        Assert.True(root.GetProperty("conditions").GetProperty("preview_pictures").GetInt64() > 0, "no preview picture reached the viewer");
        BenchCommandTests.AssertPositive(root.GetProperty("sustained_fps"), "sustained_fps");
        Assert.InRange(BenchCommandTests.AssertPositive(root.GetProperty("cpu_share"), "cpu_share"), 0, 1.05);
        BenchCommandTests.AssertPositive(root.GetProperty("rss_mb_at_first_grant"), "rss_mb_at_first_grant");
        BenchCommandTests.AssertPositive(root.GetProperty("rss_mb_after_soak"), "rss_mb_after_soak");
        Assert.Equal(10, root.GetProperty("conditions").GetProperty("soak_seconds").GetInt32());
        Assert.Contains("after a 10 s soak", root.GetProperty("conditions").GetProperty("note").GetString(), StringComparison.Ordinal);
    }
}
