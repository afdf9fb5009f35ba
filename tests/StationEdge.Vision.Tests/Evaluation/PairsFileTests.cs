using StationEdge.Vision.Evaluation;

namespace StationEdge.Vision.Tests.Evaluation;

public class PairsFileTests
{
    private static IReadOnlyList<PhotoPair> Parse(string text) =>
        PairsFile.Parse(new StringReader(text), "pairs.csv", "/photos");

    [Fact]
    public void Parse_ResolvesPathsAgainstTheImagesFolder()
    {
        var pairs = Parse("left,right,same\na.jpg,sub/b.jpg,1\nc.jpg,d.jpg,0\n");

        Assert.Equal(
            [new PhotoPair(2, "/photos/a.jpg", "/photos/sub/b.jpg", true), new PhotoPair(3, "/photos/c.jpg", "/photos/d.jpg", false)],
            pairs);
    }

    [Fact]
    public void Parse_AcceptsColumnsInAnyOrderAndQuotedCommas()
    {
        var pairs = Parse("same,right,left\n0,\"x, y.jpg\",a.jpg\n");

        Assert.Equal(new PhotoPair(2, "/photos/a.jpg", "/photos/x, y.jpg", false), pairs.Single());
    }

    [Theory]
    [InlineData("l,r,s\na,b,1\n", "pairs.csv:1: header")]
    [InlineData("left,right,same\na.jpg,b.jpg,yes\n", "pairs.csv:2: 'same' must be 1 or 0, found 'yes'")]
    [InlineData("left,right,same\na.jpg,b.jpg,1\na.jpg\n", "pairs.csv:3: expected 3 columns, found 1")]
    [InlineData("left,right,same\n", "pairs.csv: no pairs")]
    [InlineData("", "pairs.csv: empty file")]
    public void Parse_BadInput_NamesTheLine(string text, string expected)
    {
        var e = Assert.Throws<PairsFileException>(() => Parse(text));

        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var e = Assert.Throws<PairsFileException>(() => PairsFile.Load("/nonexistent/pairs.csv"));

        Assert.Equal("/nonexistent/pairs.csv: pairs file not found", e.Message);
    }
}
