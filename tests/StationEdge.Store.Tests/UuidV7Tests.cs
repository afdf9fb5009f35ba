namespace StationEdge.Store.Tests;

public sealed class UuidV7Tests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 8, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Id_CarriesVersion7_TheRfcVariant_AndTheMillisecond()
    {
        var id = new UuidV7().Next(At);
        var bytes = id.ToByteArray(bigEndian: true);

        Assert.Equal(7, id.Version);
        Assert.Equal(0b10, bytes[8] >> 6);
        Assert.Equal(At, UuidV7.Timestamp(id));
        Assert.StartsWith(At.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture)[..8], id.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ManyIdsInOneMillisecond_SortInTheOrderMade_AsTextAndAsRfcBytes()
    {
        var generator = new UuidV7();
        var ids = Enumerable.Range(0, 10_000).Select(_ => generator.Next(At)).ToList();

        var texts = ids.Select(i => i.ToString()).ToList();
        Assert.Equal(texts.Order(StringComparer.Ordinal), texts);
        Assert.Equal(ids.Count, texts.Distinct().Count());
        var bytes = ids.Select(i => Convert.ToHexString(i.ToByteArray(bigEndian: true))).ToList();
        Assert.Equal(bytes.Order(StringComparer.Ordinal), bytes);
    }

    [Fact]
    public void ClockSteppingBack_StillGivesLaterIds()
    {
        var generator = new UuidV7();
        var before = generator.Next(At);
        var after = generator.Next(At.AddMinutes(-10));

        Assert.True(string.CompareOrdinal(after.ToString(), before.ToString()) > 0);
    }

    [Fact]
    public void ContinueAfter_MakesTheNextIdSortAfterAStoredOne()
    {
        var stored = new UuidV7().Next(At.AddSeconds(5));
        var generator = new UuidV7();
        generator.ContinueAfter(stored);

        var next = generator.Next(At);

        Assert.True(string.CompareOrdinal(next.ToString(), stored.ToString()) > 0);
    }
}
