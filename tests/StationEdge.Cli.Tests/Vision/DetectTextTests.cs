using StationEdge.Cli.Commands;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>The text line detect prints per face: signed figures carry one sign, and a rounded zero none.</summary>
public sealed class DetectTextTests
{
    [Theory]
    [InlineData(-0.3f, "yaw 0°")]
    [InlineData(0.4f, "yaw 0°")]
    [InlineData(-0f, "yaw 0°")]
    [InlineData(7.2f, "yaw +7°")]
    [InlineData(-12.6f, "yaw -13°")]
    public void FaceLine_Yaw_IsSignedOnlyWhenItRoundsToNonZero(float yaw, string expected)
    {
        var line = DetectCommand.FaceLine(Face(yaw, x: 10, y: 20));

        Assert.Contains($"  {expected}  ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("-+", line, StringComparison.Ordinal);
    }

    [Fact]
    public void FaceLine_BoxJustOutsideThePhoto_PrintsZeroNotMinusZero()
    {
        var line = DetectCommand.FaceLine(Face(yaw: 3, x: -0.4f, y: -0.2f));

        Assert.Contains("  box 0,0 ", line, StringComparison.Ordinal);
    }

    private static DetectCommand.FaceReport Face(float yaw, float x, float y) => new(
        1,
        0.93f,
        "blazeface-back",
        new DetectCommand.Box(x, y, 120, 130),
        new Dictionary<string, DetectCommand.Point2>(),
        new DetectCommand.FaceQualityReport(48, yaw, 90, 120),
        null,
        null);
}
