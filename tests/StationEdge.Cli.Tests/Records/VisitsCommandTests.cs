using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StationEdge.Cli.Tests.Records;

/// <summary><c>visits [--since ISO-TIME] [--limit N]</c> on a real store.</summary>
public sealed class VisitsCommandTests : IAsyncLifetime, IDisposable
{
    private const int Visits = 8;
    private readonly StationData _station = new();

    public async Task InitializeAsync() => await _station.SeedAsync(Visits);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _station.Dispose();

    [Fact]
    public async Task Json_IsOneArray_NewestFirst_WithTheContractsKeys()
    {
        var result = await Run("visits", "--json");

        Assert.True(result.Exit == 0, result.Stderr);
        var visits = result.Json().EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, Visits).Reverse().Select(i => (long)i), visits.Select(v => v.GetProperty("seq").GetInt64()));
        Assert.Equal(["id", "seq", "time", "worker_id", "decision", "reason", "method", "score", "margin", "liveness"], JsonKeys.Of(visits[0]));
        var first = visits[^1];
        Assert.Equal(JsonValueKind.Null, first.GetProperty("worker_id").ValueKind);
        Assert.Equal(("refused", "unknown", 0.21), (first.GetProperty("decision").GetString(), first.GetProperty("reason").GetString(), Math.Round(first.GetProperty("score").GetDouble(), 3)));
        Assert.Equal(StationData.Start, first.GetProperty("time").GetDateTimeOffset());
        var granted = visits[^2];
        Assert.Equal(("W001", "granted", "matched"), (granted.GetProperty("worker_id").GetString(), granted.GetProperty("decision").GetString(), granted.GetProperty("reason").GetString()));
        Assert.True(Guid.TryParse(granted.GetProperty("id").GetString(), out var id) && id.Version == 7);
    }

    [Fact]
    public async Task SinceAndLimit_KeepTheNewestVisitsAtOrAfterTheTime()
    {
        // Visit 5 (seq 5) is at 08:06:00 UTC.
        var since = await Run("visits", "--since", "2026-12-01T08:06:00Z", "--json");
        var local = await Run("visits", "--since", "2026-12-01 16:06+08:00", "--json");
        var limited = await Run("visits", "--since", "2026-12-01T08:06:00Z", "--limit", "2", "--json");

        Assert.Equal([8L, 7, 6, 5], Seqs(since));
        Assert.Equal([8L, 7, 6, 5], Seqs(local));
        Assert.Equal([8L, 7], Seqs(limited));
    }

    [Fact]
    public async Task Since_WithoutAnOffset_IsTheStationsLocalTime()
    {
        var local = TimeZoneInfo.ConvertTime(StationData.Start + TimeSpan.FromSeconds(90 * 5), TimeZoneInfo.Local);

        var result = await Run("visits", "--since", local.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), "--json");

        Assert.Equal([8L, 7, 6], Seqs(result));
    }

    [Fact]
    public async Task Text_ShowsLocalTimeWithTheZone_NameOrUnknown_DecisionReasonAndScore()
    {
        var result = await Run("visits", "--limit", "4");

        Assert.True(result.Exit == 0, result.Stderr);
        var lines = result.StdoutLines;
        Assert.Matches("^TIME +SEQ +WHO +DECISION +REASON +SCORE$", lines[0]);
        string Local(int i) => Regex.Escape(TimeZoneInfo.ConvertTime(StationData.Start + TimeSpan.FromSeconds(90 * i), TimeZoneInfo.Local).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Assert.Matches($"^{Local(7)} +8 +张伟 \\(W001\\) +granted +matched +0.87$", lines[1]);
        Assert.Matches($"^{Local(6)} +7 +Wang Qiang \\(W003\\) +granted +matched +0.86$", lines[2]);
        Assert.Matches($"^{Local(4)} +5 +陌生人/unknown +refused +unknown +0.21$", lines[4]);
        Assert.Equal("4 visits, newest first; the newest 4, --limit N for more", lines[5]);
    }

    [Fact]
    public async Task Text_OnThePublishedExecutable_IsInTheStationsZone()
    {
        var result = await CliRunner.PublishedAsync(["visits", "--limit", "1", .. _station.DataArgs], new Dictionary<string, string?> { ["TZ"] = "Asia/Shanghai" });

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.StartsWith("2026-12-01 16:10:30 +08:00  8  ", result.StdoutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_OnAStoreWithoutVisits_SaysSo()
    {
        using var empty = new StationData();
        await (await empty.OpenAsync()).DisposeAsync();

        var result = await CliRunner.InProcessAsync("visits", "--data", empty.DataPath);

        Assert.Equal((0, "no visits recorded", ""), (result.Exit, result.Stdout.TrimEnd(), result.Stderr));
    }

    [Theory]
    [InlineData("--since", "yesterday")]
    [InlineData("--since", "12/01/2026")]
    [InlineData("--since", "2026-13-01")]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "ten")]
    [InlineData("--limit", "100001")]
    public async Task BadSinceOrLimit_ExitsTwoNamingTheFlag(string flag, string value)
    {
        var result = await Run("visits", flag, value);

        var line = result.AssertOneLineError(2, $"station-edge: visits: {flag} must be ");
        Assert.Contains($"'{value}'", line, StringComparison.Ordinal);
    }

    private static long[] Seqs(CliResult result)
    {
        Assert.True(result.Exit == 0, result.Stderr);
        return [.. result.Json().EnumerateArray().Select(v => v.GetProperty("seq").GetInt64())];
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.InProcessAsync([.. args, .. _station.DataArgs]);
}
