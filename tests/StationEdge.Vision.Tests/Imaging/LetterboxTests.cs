using System.Numerics;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Imaging;

public sealed class LetterboxTests
{
    [Fact]
    public void ToSquare_WideFrame_CentresContentBetweenBlackBandsAboveAndBelow()
    {
        using var src = TestMedia.Solid(200, 100, 255, 128, 0);
        var tensor = new float[128 * 128 * 3];

        var t = Letterbox.ToSquare(src, 128, tensor, PixelNormalization.BlazeFaceScale, PixelNormalization.BlazeFaceOffset);

        Assert.Equal((0, 32, 128, 64), (t.PadX, t.PadY, t.ContentWidth, t.ContentHeight));
        for (var y = 0; y < 128; y++)
        {
            for (var x = 0; x < 128; x++)
            {
                var i = ((y * 128) + x) * 3;
                if (y < 32 || y >= 96)
                {
                    Assert.Equal((-1f, -1f, -1f), (tensor[i], tensor[i + 1], tensor[i + 2]));
                }
                else
                {
                    Assert.Equal(1f, tensor[i], 1e-5f);
                    Assert.Equal((128 / 127.5f) - 1, tensor[i + 1], 1e-5f);
                    Assert.Equal(-1f, tensor[i + 2], 1e-5f);
                }
            }
        }
    }

    [Fact]
    public void ToSquare_TallFrame_PadsLeftAndRightEqually()
    {
        using var src = TestMedia.Solid(90, 300, 255, 255, 255);

        var (tensor, t) = Letterbox.ToSquare(src, 100, PixelNormalization.BlazeFaceScale, PixelNormalization.BlazeFaceOffset);

        Assert.Equal((100, 30), (t.ContentHeight, t.ContentWidth));
        Assert.Equal(35, t.PadX);
        var row = 50 * 100 * 3;
        var firstContent = Enumerable.Range(0, 100).First(x => tensor[row + (x * 3)] > 0);
        var lastContent = Enumerable.Range(0, 100).Last(x => tensor[row + (x * 3)] > 0);
        Assert.Equal((35, 64), (firstContent, lastContent));
        Assert.Equal(firstContent, 100 - 1 - lastContent);
    }

    [Theory]
    [InlineData(200, 100, 128)]
    [InlineData(640, 480, 128)]
    [InlineData(480, 640, 256)]
    [InlineData(1001, 333, 128)]
    public void Transform_MapsContentCornersBackToSourceCornersExactly(int width, int height, int size)
    {
        var t = Letterbox.Plan(width, height, size);

        var topLeft = t.ToSource(new Vector2(t.PadX, t.PadY));
        var bottomRight = t.ToSource(new Vector2(t.PadX + t.ContentWidth, t.PadY + t.ContentHeight));

        Assert.Equal(Vector2.Zero, topLeft);
        Assert.Equal(width, bottomRight.X, 1e-3f);
        Assert.Equal(height, bottomRight.Y, 1e-3f);
        var normalized = t.ToSourceFromNormalized(new Vector2((t.PadX + t.ContentWidth) / (float)size, (t.PadY + t.ContentHeight) / (float)size));
        Assert.Equal(width, normalized.X, 1e-2f);
        Assert.Equal(height, normalized.Y, 1e-2f);
        var roundTrip = t.ToSource(t.FromSource(new Vector2(width * 0.3f, height * 0.7f)));
        Assert.Equal(width * 0.3f, roundTrip.X, 1e-3f);
        Assert.Equal(height * 0.7f, roundTrip.Y, 1e-3f);
    }

    [Fact]
    public void ToSquare_MarkerInTheFrame_LandsWhereTheTransformSays()
    {
        using var src = TestMedia.Solid(400, 200, 0, 0, 0);
        src.Fill(255, 255, 255, new System.Drawing.Rectangle(300, 40, 40, 40));
        var tensor = new float[128 * 128 * 3];

        var t = Letterbox.ToSquare(src, 128, tensor, 1f, 0f);

        var centre = t.FromSource(new Vector2(320, 60));
        var i = (((int)centre.Y * 128) + (int)centre.X) * 3;
        Assert.Equal(255f, tensor[i], 1e-3f);
        var outside = t.FromSource(new Vector2(100, 150));
        Assert.Equal(0f, tensor[(((int)outside.Y * 128) + (int)outside.X) * 3], 1e-3f);
    }

    [Fact]
    public void ToSquare_TensorTooSmall_ThrowsWithTheNeededLength()
    {
        using var src = TestMedia.Solid(10, 10, 0, 0, 0);

        var e = Assert.Throws<ArgumentException>(() => Letterbox.ToSquare(src, 128, new float[100], 1f, 0f));

        Assert.Contains("needs 49152", e.Message);
    }
}
