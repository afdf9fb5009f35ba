namespace StationEdge.Camera.Tests.Capture;

public sealed class StderrTailTests
{
    [Fact]
    public async Task Drain_KeepsOnlyTheLastLines_EachCutToTheLimit()
    {
        var text = string.Concat(Enumerable.Range(1, 100).Select(i => $"line {i}\n")) + new string('x', 10_000) + "\r\nlast\r";
        var tail = new StderrTail();
        await tail.DrainAsync(new StringReader(text), "ffmpeg: ");

        Assert.Equal(StderrTail.MaxLines, tail.Lines.Count);
        Assert.Equal("ffmpeg: last", tail.LastLine);
        Assert.Equal("ffmpeg: " + new string('x', StderrTail.MaxLineLength), tail.Lines[^2]);
        Assert.Equal("ffmpeg: line 83", tail.Lines[0]);
    }
}
