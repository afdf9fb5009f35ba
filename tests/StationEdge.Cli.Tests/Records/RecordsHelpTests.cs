namespace StationEdge.Cli.Tests.Records;

/// <summary>The record commands in <c>--help</c>: each its own usage, and all in the command list.</summary>
public sealed class RecordsHelpTests
{
    public static readonly TheoryData<string[]> Commands = new()
    {
        new[] { "workers", "--help" },
        new[] { "workers", "suspend", "W001", "--help" },
        new[] { "visits", "-h" },
        new[] { "store", "recover", "--help" },
        new[] { "reembed", "--help" },
        new[] { "passes", "--help" },
        new[] { "passes", "issue", "--help" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_PrintsTheCommandsUsageToStdout_AndExitsZero(string[] args)
    {
        var result = await CliRunner.InProcessAsync(args);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.StartsWith($"usage: station-edge {args[0]} ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("  --data DIR ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("exit codes:", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_ListsEveryRecordCommand()
    {
        var result = await CliRunner.InProcessAsync("--help");

        foreach (var command in (string[])["workers", "passes", "visits", "store", "reembed"])
        {
            Assert.Contains($"\n  {command} ", result.Stdout, StringComparison.Ordinal);
        }
    }
}
