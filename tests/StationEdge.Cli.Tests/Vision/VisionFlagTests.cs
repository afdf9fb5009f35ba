namespace StationEdge.Cli.Tests.Vision;

/// <summary>Flag mistakes on the face commands: exit 2 and one line naming the flag, before any model is loaded.</summary>
public sealed class VisionFlagTests
{
    private const string NoSuchFolder = "/nonexistent/stationedge-models";

    [Theory]
    [InlineData("detect", "--photo", "face.jpg")]
    [InlineData("eval", "--pairs", "pairs.csv")]
    [InlineData("doctor")]
    public async Task Models_NamingAMissingFolder_ExitsTwoNamingTheFlag(params string[] command)
    {
        var result = await CliRunner.InProcessAsync([.. command, "--models", NoSuchFolder]);

        var line = result.AssertOneLineError(2, $"--models {NoSuchFolder}");
        Assert.Contains("folder not found", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("detect", "--photo", "face.jpg")]
    [InlineData("eval", "--pairs", "pairs.csv")]
    [InlineData("doctor")]
    public async Task UnknownFlag_ExitsTwoNamingIt(params string[] command)
    {
        var result = await CliRunner.InProcessAsync([.. command, "--colour"]);

        result.AssertOneLineError(2, "unknown argument '--colour'");
    }

    [Fact]
    public async Task Detect_WithoutPhoto_ExitsTwoSayingPhotoIsRequired()
    {
        var result = await CliRunner.InProcessAsync("detect", "--json");

        result.AssertOneLineError(2, "--photo is required");
    }

    [Fact]
    public async Task Eval_WithoutPairs_ExitsTwoSayingPairsIsRequired()
    {
        var result = await CliRunner.InProcessAsync("eval", "--images", ".");

        result.AssertOneLineError(2, "--pairs is required");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("two")]
    public async Task Threads_OutOfRange_ExitsTwoNamingTheFlagAndValue(string threads)
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", "face.jpg", "--threads", threads);

        var line = result.AssertOneLineError(2, "--threads");
        Assert.Contains($"'{threads}'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("match", "--threshold", "NaN", "from 0 to 1")]
    [InlineData("match", "--threshold", "Infinity", "from 0 to 1")]
    [InlineData("match", "--threshold", "-Infinity", "from 0 to 1")]
    [InlineData("match", "--threshold", "-1", "from 0 to 1")]
    [InlineData("match", "--threshold", "2", "from 0 to 1")]
    [InlineData("match", "--threshold", "abc", "from 0 to 1")]
    [InlineData("match", "--threshold", "1e400", "from 0 to 1")]
    [InlineData("match", "--margin", "NaN", "from 0 to 1")]
    [InlineData("match", "--margin", "-0.1", "from 0 to 1")]
    [InlineData("match", "--margin", "3", "from 0 to 1")]
    [InlineData("match", "--margin", "abc", "from 0 to 1")]
    [InlineData("match", "--threads", "NaN", "from 1 to 64")]
    [InlineData("bench", "--runs", "NaN", "from 1 to 1000")]
    [InlineData("bench", "--runs", "0", "from 1 to 1000")]
    [InlineData("bench", "--runs", "1e3", "from 1 to 1000")]
    [InlineData("bench", "--runs", "99999999999", "from 1 to 1000")]
    public async Task NumericFlag_WithABadValue_ExitsTwoNamingTheFlagAndTheAllowedRange(string command, string flag, string value, string range)
    {
        string[] args = command == "match" ? ["match", "--photos", "/nonexistent/a.jpg"] : [command];

        var result = await CliRunner.InProcessAsync([.. args, flag, value]);

        var line = result.AssertOneLineError(2, $"station-edge: {command}: {flag} must be");
        Assert.Contains(range, line, StringComparison.Ordinal);
        Assert.Contains($"(was '{value}')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Threads_WrittenWithEquals_IsReadAsTheFlagsValue()
    {
        var result = await CliRunner.InProcessAsync("eval", "--pairs=pairs.csv", "--threads=0");

        result.AssertOneLineError(2, "--threads must be a whole number from 1 to 64 (was '0')");
    }

    [Theory]
    [InlineData("--photo")]
    [InlineData("--models")]
    public async Task FlagWithEmptyValue_ExitsTwoSayingItNeedsAValue(string flag)
    {
        string[] args = flag == "--photo" ? ["detect", "--photo", ""] : ["detect", "--photo", "face.jpg", "--models", ""];

        var result = await CliRunner.InProcessAsync(args);

        result.AssertOneLineError(2, $"{flag} needs a value");
    }

    [Fact]
    public async Task Photo_GivenTwice_ExitsTwoInsteadOfPickingOne()
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", "a.jpg", "--photo", "b.jpg");

        result.AssertOneLineError(2, "--photo is given more than once");
    }
}
