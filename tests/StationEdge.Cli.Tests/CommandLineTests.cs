using System.Reflection;
using System.Xml.Linq;
using StationEdge.Cli.Tests.Vision;

namespace StationEdge.Cli.Tests;

/// <summary>What every command shares: the error line's shape, --help, --version and the usage.</summary>
public sealed class CommandLineTests
{
    public static readonly TheoryData<string> Commands = ["detect", "eval", "match", "bench", "doctor", "door-sim", "door"];

    /// <summary>Each a command line that fails, across every command and every kind of failure the shared path reports.</summary>
    public static readonly TheoryData<string, string[]> Failures = new()
    {
        { "detect", ["detect", "--colour"] },
        { "detect", ["detect", "--photo"] },
        { "detect", ["detect", "--photo", "/nonexistent/face.jpg"] },
        { "eval", ["eval", "--colour"] },
        { "eval", ["eval", "--pairs", "/nonexistent/pairs.csv"] },
        { "match", ["match", "--photos"] },
        { "match", ["match", "--photos", "a.jpg", "--threshold", "abc"] },
        { "bench", ["bench", "--runs", "0"] },
        { "bench", ["bench", "--photos", "/nonexistent/face.jpg"] },
        { "doctor", ["doctor", "--models", "/nonexistent/models"] },
        { "door-sim", ["door-sim", "--colour"] },
        { "door-sim", ["door-sim", "--config", "/nonexistent/door.json"] },
        { "door", ["door", "--colour"] },
        { "door", ["door"] },
        { "detekt", ["detekt", "--photo", "a.jpg"] },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ErrorLine_OfEveryCommand_IsStationEdgeCommandReason(string command, string[] args)
    {
        var result = await CliRunner.InProcessAsync(args);

        Assert.NotEqual(0, result.Exit);
        var line = Assert.Single(result.StderrLines);
        Assert.Matches($"^station-edge: {command}: [^ ]", line);
        Assert.DoesNotContain($"{command}: {command}:", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorLine_OfABrokenModelsFolder_NamesTheCommand()
    {
        var result = await CliRunner.InProcessAsync("detect", "--photo", TestModels.DemoPhoto(1), "--models", AppContext.BaseDirectory);

        Assert.Equal(3, result.Exit);
        Assert.StartsWith("station-edge: detect: ", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnexpectedException_IsOneLineWithTheCommandAndTheFaultCode()
    {
        using var models = new TempFolder();
        using var stderr = new StringWriter();

        // A stdout that fails (a closed pipe, a full disk) is no failure any command reports itself.
        var exit = await Program.RunAsync(["doctor", "--models", models.Path], new StringReader(""), new BrokenWriter(), stderr, CancellationToken.None);

        Assert.Equal(3, exit);
        Assert.Equal("station-edge: doctor: unexpected IOException: No space left on device", stderr.ToString().TrimEnd());
    }

    [Fact]
    public async Task UnknownCommand_ExitsTwoNamingItAndWhereToLook()
    {
        var result = await CliRunner.InProcessAsync("detekt", "--photo", "a.jpg");

        Assert.Equal("station-edge: detekt: unknown command (try: station-edge --help)", result.AssertOneLineError(2, "detekt"));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_OfEveryCommand_PrintsItsUsageToStdoutAndExitsZero(string command)
    {
        foreach (var help in (string[])["--help", "-h"])
        {
            var result = await CliRunner.InProcessAsync(command, help);

            Assert.True(result.Exit == 0, result.Stderr);
            Assert.Equal("", result.Stderr);
            Assert.StartsWith($"usage: station-edge {command}", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("exit codes:", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_AfterOtherFlags_StillPrintsTheUsage()
    {
        var result = await CliRunner.InProcessAsync("match", "--photos", "a.jpg", "b.jpg", "--help");

        Assert.Equal(0, result.Exit);
        Assert.StartsWith("usage: station-edge match", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_WithoutCommand_PrintsTheUsageToStdoutAndExitsZero(string help)
    {
        var result = await CliRunner.InProcessAsync(help);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.StartsWith("usage: station-edge COMMAND", result.Stdout, StringComparison.Ordinal);
        foreach (var command in Commands)
        {
            Assert.Contains($"\n  {command} ", result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task NoArguments_PrintsTheUsageToStderrAndExitsTwo()
    {
        var result = await CliRunner.InProcessAsync();

        Assert.Equal((2, ""), (result.Exit, result.Stdout));
        Assert.StartsWith("usage: station-edge COMMAND", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_PrintsTheProductVersionOfTheBuild()
    {
        var version = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        var informational = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var result = await CliRunner.PublishedAsync(["--version"]);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal($"station-edge {informational}", result.Stdout.TrimEnd());
        Assert.StartsWith($"station-edge {version}", result.Stdout, StringComparison.Ordinal);
    }

    private sealed class BrokenWriter : StringWriter
    {
        public override void Write(char value) => throw new IOException("No space left on device");

        public override void Write(string? value) => throw new IOException("No space left on device");

        public override void WriteLine(string? value) => throw new IOException("No space left on device");
    }
}
