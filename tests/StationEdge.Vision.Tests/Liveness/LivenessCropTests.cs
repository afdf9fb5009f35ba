using System.Drawing;
using StationEdge.Vision.Liveness;

namespace StationEdge.Vision.Tests.Liveness;

public class LivenessCropTests
{
    [Fact]
    public void CropRegion_TallBox_BecomesASquareOfTheLongerSideScaledAboutTheCentre()
    {
        var region = LivenessScorer.CropRegion(new RectangleF(100, 100, 80, 100), 1000, 1000, scale: 1.2f);

        Assert.Equal(120f, region.Width, 3);
        Assert.Equal(120f, region.Height, 3);
        Assert.Equal(140f, region.X + (region.Width / 2), 3);
        Assert.Equal(150f, region.Y + (region.Height / 2), 3);
    }

    [Fact]
    public void CropRegion_BoxOverTheEdge_IsMovedInsideTheFrame()
    {
        var region = LivenessScorer.CropRegion(new RectangleF(-30, 560, 100, 100), 640, 640, scale: 1f);

        Assert.Equal(0f, region.X);
        Assert.Equal(540f, region.Y);
        Assert.Equal(100f, region.Width);
    }

    [Fact]
    public void CropRegion_BoxLargerThanTheFrame_ShrinksToTheShorterSide()
    {
        var region = LivenessScorer.CropRegion(new RectangleF(-50, -50, 500, 500), 320, 240);

        Assert.Equal(240f, region.Width);
        Assert.True(region.X >= 0 && region.Right <= 320 && region.Y >= 0 && region.Bottom <= 240);
    }
}
