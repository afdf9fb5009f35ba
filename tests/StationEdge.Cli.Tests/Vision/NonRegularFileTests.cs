using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>
/// FIFOs, devices, sockets and folders where a photo or pairs file was expected, run on the published executable:
/// opening a FIFO for reading blocks until a writer comes, so only a check made without opening it keeps the
/// command from hanging.
/// </summary>
public sealed class NonRegularFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("detect")]
    [InlineData("match")]
    public async Task Photo_ThatIsAFifo_ExitsTwoAtOnceNamingItAndWhatItIs(string command)
    {
        var fifo = _folder.Fifo("camera.jpg");
        string[] args = command == "detect" ? ["detect", "--photo", fifo] : ["match", "--photos", TestModels.DemoPhoto(1), fifo];

        var result = await CliRunner.PublishedAsync([.. args, "--models", TestModels.Directory]);

        var line = result.AssertOneLineError(2, $"{fifo}: is a FIFO, not a regular file");
        Assert.StartsWith($"station-edge: {command}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PairsFile_ThatIsAFifo_ExitsTwoAtOnceNamingIt()
    {
        var fifo = _folder.Fifo("pairs.csv");

        var result = await CliRunner.PublishedAsync(["eval", "--pairs", fifo, "--models", TestModels.Directory]);

        result.AssertOneLineError(2, $"station-edge: eval: {fifo}: is a FIFO, not a regular file");
    }

    [Fact]
    public async Task PhotoInThePairsFile_ThatIsAFifo_ExitsTwoNamingItsLine()
    {
        var fifo = _folder.Fifo("b.jpg");
        File.Copy(TestModels.DemoPhoto(1), _folder.File("a.jpg"));
        var csv = _folder.File("pairs.csv");
        File.WriteAllText(csv, "left,right,same\na.jpg,a.jpg,1\na.jpg,b.jpg,0\n");

        var result = await CliRunner.PublishedAsync(["eval", "--pairs", csv, "--models", TestModels.Directory]);

        result.AssertOneLineError(2, $"station-edge: eval: {csv}:3: {fifo}: is a FIFO, not a regular file");
    }

    [Theory]
    [InlineData("/dev/zero", "is a character device, not a regular file")]
    [InlineData("/dev/null", "is a character device, not a regular file")]
    [InlineData("socket", "is a socket, not a regular file")]
    [InlineData("folder", "is a directory, not a regular file")]
    public async Task Photo_ThatIsNoRegularFile_ExitsTwoSayingWhatItIs(string what, string reason)
    {
        var path = what switch
        {
            "socket" => _folder.File("door.sock"),
            "folder" => _folder.Path,
            _ => what,
        };
        using var socket = what == "socket" ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) : null;
        socket?.Bind(new UnixDomainSocketEndPoint(path));

        var result = await CliRunner.PublishedAsync(["detect", "--photo", path, "--models", TestModels.Directory]);

        result.AssertOneLineError(2, $"station-edge: detect: {path}: {reason}");
    }

    [Fact]
    public async Task Decode_WhenSigtermArrivesWhileFfmpegRuns_ExitsOneThirtyPromptlyAndStopsFfmpeg()
    {
        // A stand-in for ffmpeg stuck on a pathological photo: it records its pid and sleeps.
        var pidFile = _folder.File("ffmpeg.pid");
        var path = StandInFfmpeg.OnPath(_folder, $"echo $$ > '{pidFile}'\nexec sleep 60\n");

        using var process = CliRunner.StartPublished(path, "detect", "--photo", TestModels.DemoPhoto(1), "--models", TestModels.Directory);
        using var guard = CliRunner.Guard(process);
        var stderr = process.StandardError.ReadToEndAsync(guard.Token);
        var ffmpegPid = await WaitForPidAsync(pidFile, guard.Token);

        CliRunner.Signal(process, "TERM");
        await process.WaitForExitAsync(guard.Token);

        // Exit 2 would mean the signal was ignored until the decoder's own 20 s timeout stopped ffmpeg.
        Assert.Equal(130, process.ExitCode);
        Assert.Equal("station-edge: detect: interrupted", (await stderr).Trim());
        Assert.False(IsRunning(ffmpegPid), $"ffmpeg (pid {ffmpegPid}) still runs after station-edge exited");
    }

    [Fact]
    public async Task StdinPhoto_WhenNothingArrivesAndSigtermDoes_ExitsOneThirty()
    {
        using var process = CliRunner.StartPublished(null, "detect", "--photo", "-", "--models", TestModels.Directory);
        using var guard = CliRunner.Guard(process);
        var stderr = process.StandardError.ReadToEndAsync(guard.Token);
        await process.StandardInput.BaseStream.WriteAsync(File.ReadAllBytes(TestModels.DemoPhoto(1)).AsMemory(0, 1000), guard.Token);
        await process.StandardInput.BaseStream.FlushAsync(guard.Token);

        // Stdin stays open with half a photo sent: the command waits for the rest until the signal.
        await Task.Delay(TimeSpan.FromSeconds(2), guard.Token);
        if (process.HasExited)
        {
            Assert.Fail($"exited before the signal: {await stderr}");
        }

        CliRunner.Signal(process, "TERM");
        await process.WaitForExitAsync(guard.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Equal("station-edge: detect: interrupted", (await stderr).Trim());
    }

    [Theory]
    [InlineData("-")]
    [InlineData("/dev/stdin")]
    public async Task Photo_PipedOnStdin_FindsTheSameFacesAsTheFile(string name)
    {
        var photo = TestModels.DemoPhoto(1);
        var fromFile = (await CliRunner.PublishedAsync(["detect", "--photo", photo, "--models", TestModels.Directory, "--json"])).Json();

        var piped = await CliRunner.PublishedAsync(["detect", "--photo", name, "--models", TestModels.Directory, "--json"], stdin: File.ReadAllBytes(photo));

        Assert.True(piped.Exit == 0, piped.Stderr);
        var json = piped.Json();
        Assert.Equal(name, json.GetProperty("photo").GetString());
        Assert.Equal(Faces(fromFile), Faces(json));
    }

    [Fact]
    public async Task Photo_PipedOnStdin_OverTheSizeLimit_ExitsTwoSayingSo()
    {
        var tooBig = new byte[(128 << 20) + 1];
        tooBig[0] = 0xFF;
        tooBig[1] = 0xD8;
        tooBig[2] = 0xFF;

        var result = await CliRunner.PublishedAsync(["detect", "--photo", "-", "--models", TestModels.Directory], stdin: tooBig);

        result.AssertOneLineError(2, "station-edge: detect: -: more than 128 MiB on stdin, too large for a photo");
    }

    private static string Faces(JsonElement report) => report.GetProperty("faces").GetRawText();


    private static async Task<int> WaitForPidAsync(string pidFile, CancellationToken ct)
    {
        while (!File.Exists(pidFile) || File.ReadAllText(pidFile).Trim().Length == 0)
        {
            await Task.Delay(50, ct);
        }

        return int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
