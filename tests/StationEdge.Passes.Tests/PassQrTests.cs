using StationEdge.Door.Timing;
using StationEdge.Store;

namespace StationEdge.Passes.Tests;

public sealed class PassQrTests
{
    private const string Code = "SE1:AQIAAAAAaXq5gJxh7aCPV0pMm3-Z_R5_cDcEVzAwMfp0kM0QbW3GBi4lLk3d8Jg";

    [Fact]
    public void Read_APassPrintedIntoALargeFrame_GivesItsTextAfterTheDownscale()
    {
        var (grey, side) = PassQr.Grey(Code, 6);
        const int width = 1280, height = 720;
        var frame = new byte[width * height * 3];
        Array.Fill(frame, (byte)90);
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                var i = (((y + 200) * width) + x + 500) * 3;
                frame[i] = frame[i + 1] = frame[i + 2] = grey[(y * side) + x];
            }
        }

        var reader = new PassReader(maxWidth: 640);

        Assert.Equal(Code, reader.Read(frame, width, height));
    }

    [Fact]
    public void Read_AFrameWithoutACode_GivesNull()
    {
        var frame = new byte[320 * 240 * 3];
        Array.Fill(frame, (byte)128);

        Assert.Null(new PassReader().Read(frame, 320, 240));
    }

    [Fact]
    public void Svg_HasTheQuietZoneAndOnlyEscapedText()
    {
        var svg = PassQr.Svg(Code, "<王五>");
        var side = PassQr.Encode(Code).Size + (2 * PassQr.QuietZone);

        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains($"viewBox=\"0 0 {side} {side}\"", svg, StringComparison.Ordinal);
        Assert.Contains("&lt;王五&gt;", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<王五>", svg, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observe_ThePassOnManyFrames_IsDecidedOnce_AndAgainOnlyAfterLeavingViewForTheRearmTime()
    {
        using var data = new TempFolder("passes-");
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data.Path });
        using var book = await PassBook.OpenAsync(store);
        var code = book.CodeOf(await book.IssueWorkerPassAsync("W001", TimeSpan.FromHours(1), "keeper:li"));
        var clock = new VirtualTimeProvider();
        var doorway = new PassDoorway(book, clock, TimeSpan.FromSeconds(3));
        var decisions = 0;
        void Frames(string? text, int count)
        {
            for (var i = 0; i < count; i++)
            {
                decisions += doorway.Observe(text) is null ? 0 : 1;
                clock.Advance(TimeSpan.FromMilliseconds(250));
            }
        }

        Frames(code, 20);
        Frames(null, 4);
        Frames(code, 4);
        Assert.Equal(1, decisions);

        Frames(null, 12);
        Frames("https://example.org", 2);
        Frames(code, 3);
        Assert.Equal(2, decisions);
    }
}
