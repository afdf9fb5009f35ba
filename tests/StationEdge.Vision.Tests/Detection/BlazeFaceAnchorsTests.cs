using StationEdge.Vision.Detection;

namespace StationEdge.Vision.Tests.Detection;

public class BlazeFaceAnchorsTests
{
    [Fact]
    public void Front_Has896Anchors_512OnTheFineGridThen384OnTheCoarse()
    {
        var anchors = BlazeFaceAnchors.Generate(128, BlazeFaceModel.Front.Strides);

        Assert.Equal(896, anchors.Length);
        // Fine grid 16×16, 2 per cell: first cell twice at (0.5/16, 0.5/16).
        Assert.Equal(0.5f / 16, anchors[0].X, 6);
        Assert.Equal(0.5f / 16, anchors[0].Y, 6);
        Assert.Equal(anchors[0], anchors[1]);
        Assert.Equal(1.5f / 16, anchors[2].X, 6);
        Assert.Equal(15.5f / 16, anchors[511].X, 6);
        Assert.Equal(15.5f / 16, anchors[511].Y, 6);
        // Coarse grid 8×8, three merged layers → 6 per cell.
        for (var i = 512; i < 518; i++)
        {
            Assert.Equal(0.5f / 8, anchors[i].X, 6);
            Assert.Equal(0.5f / 8, anchors[i].Y, 6);
        }

        Assert.Equal(1.5f / 8, anchors[518].X, 6);
        Assert.Equal(0.5f / 8, anchors[518].Y, 6);
        Assert.Equal(7.5f / 8, anchors[895].X, 6);
    }

    [Fact]
    public void Back_Has896Anchors_OnThe16And8Grids()
    {
        var anchors = BlazeFaceAnchors.Generate(256, BlazeFaceModel.Back.Strides);

        Assert.Equal(896, anchors.Length);
        Assert.Equal(0.5f / 16, anchors[0].X, 6);
        Assert.Equal(0.5f / 8, anchors[512].X, 6);
        // Row-major: the cell after the 8th column of the coarse grid starts the second row.
        Assert.Equal(0.5f / 8, anchors[512 + (8 * 6)].X, 6);
        Assert.Equal(1.5f / 8, anchors[512 + (8 * 6)].Y, 6);
    }

    [Fact]
    public void Generate_AnchorsLieInsideTheUnitSquare()
    {
        var anchors = BlazeFaceAnchors.Generate(256, BlazeFaceModel.Back.Strides);

        Assert.All(anchors, a => Assert.True(a.X is > 0 and < 1 && a.Y is > 0 and < 1));
    }
}
