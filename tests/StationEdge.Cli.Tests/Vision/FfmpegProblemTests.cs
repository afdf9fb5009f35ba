namespace StationEdge.Cli.Tests.Vision;

/// <summary>
/// ffmpeg missing or hung, seen by the published executable: faults of the station (exit 3, or a failed doctor
/// check), never a bad photo, and never a wait without end.
/// </summary>
public sealed class FfmpegProblemTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("detect")]
    [InlineData("match")]
    [InlineData("eval")]
    public async Task MissingFfmpeg_IsAFaultSayingHowToInstallIt(string command)
    {
        var photo = TestModels.DemoPhoto(1);
        var pairs = _folder.File("pairs.csv");
        File.WriteAllText(pairs, $"left,right,same\n{photo},{TestModels.DemoPhoto(2)},0\n{photo},{photo},1\n");
        string[] args = command switch
        {
            "detect" => ["detect", "--photo", photo],
            "match" => ["match", "--photos", photo],
            _ => ["eval", "--pairs", pairs],
        };

        var result = await CliRunner.PublishedAsync([.. args, "--models", TestModels.Directory], PathWithout());

        var line = result.AssertOneLineError(3, $"station-edge: {command}: ffmpeg is not installed");
        Assert.EndsWith("apt-get install ffmpeg", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_WithoutFfmpeg_FailsItsCheckSayingHowToInstallIt()
    {
        var result = await CliRunner.PublishedAsync(["doctor", "--models", TestModels.Directory], PathWithout());

        Assert.Equal(3, result.Exit);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("FAIL  ffmpeg", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.Contains("fix: apt-get install ffmpeg", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_WhenFfmpegHangs_ReportsAFailedCheckInsteadOfWaitingForIt()
    {
        // A stand-in for an ffmpeg that never answers: it fills stderr first, which an unread pipe would block on.
        var path = StandInFfmpeg.OnPath(_folder, "head -c 200000 /dev/zero | tr '\\0' x >&2\nexec sleep 60\n");

        var result = await CliRunner.PublishedAsync(["doctor", "--models", TestModels.Directory], path);

        Assert.Equal(3, result.Exit);
        Assert.Contains("FAIL  ffmpeg                 ffmpeg -version did not answer within 5 s and was stopped", result.StdoutLines);
    }

    /// <summary>PATH with every folder that holds an ffmpeg left out.</summary>
    private static Dictionary<string, string?> PathWithout()
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return new() { ["PATH"] = string.Join(':', folders.Where(f => !File.Exists(Path.Combine(f, "ffmpeg")))) };
    }
}
