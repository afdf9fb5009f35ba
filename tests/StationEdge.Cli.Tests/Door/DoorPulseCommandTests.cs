using System.Diagnostics;
using System.Text.Json;

namespace StationEdge.Cli.Tests.Door;

/// <summary>door --pulse on the simulated chip (real time, a short pulse) and on a chip that is not there.</summary>
public sealed class DoorPulseCommandTests
{
    [Fact]
    public async Task Pulse_OnTheSimulatedChip_EnergisesOncePulseLongThenDropsTheRelay()
    {
        using var config = new ConfigFile("""{ "Gpio": { "Driver": "sim" }, "Door": { "PulseMs": 100 } }""");

        var result = await CliRunner.InProcessAsync("door", "--pulse", "--config", config.Path);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal(
            [
                "relay de-energised", "started", "granted door --pulse", "relay energised", "unlocked",
                "relay de-energised", "relocked pulse_ended", "relay de-energised released", "stopped",
            ],
            result.StdoutLines.Select(Describe));
        var unlocked = JsonDocument.Parse(result.StdoutLines.Single(l => l.Contains("\"unlocked\""))).RootElement;
        Assert.Equal(unlocked.GetProperty("at_ms").GetInt64() + 100, unlocked.GetProperty("until_ms").GetInt64());
    }

    [Fact]
    public async Task Pulse_OnAMissingChip_ExitsThreeNamingTheChip()
    {
        using var config = new ConfigFile("""{ "Gpio": { "Driver": "libgpiod", "Chip": "gpiochip93" } }""");

        var result = await CliRunner.InProcessAsync("door", "--pulse", "--config", config.Path);

        Assert.Equal(3, result.Exit);
        Assert.Empty(result.StdoutLines);
        Assert.Equal(["station-edge: door: GPIO chip 'gpiochip93' not found: LibGpiodDriver (libgpiod 1.6) says \"Unable to find a chip, error: 2 (No such file or directory)\""], result.StderrLines);
    }

    [Fact]
    public async Task Pulse_GpioFlag_OverridesTheConfiguredDriver()
    {
        using var config = new ConfigFile("""{ "Gpio": { "Driver": "libgpiod", "Chip": "gpiochip93" }, "Door": { "PulseMs": 100 } }""");

        var result = await CliRunner.InProcessAsync("door", "--pulse", "--gpio", "sim", "--config", config.Path);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal("stopped", Describe(result.StdoutLines[^1]));
    }

    [Theory]
    [InlineData(new[] { "door", "--pulse", "--gpio", "sysfs" }, "station-edge: door: --gpio must be auto, libgpiod, libgpiod2 or sim (was 'sysfs')")]
    [InlineData(new[] { "door", "--pulse", "--rest" }, "station-edge: door: --pulse and --rest exclude each other")]
    [InlineData(new[] { "door", "--pulse", "--gpio" }, "station-edge: door: --gpio needs a value")]
    [InlineData(new[] { "door", "--pulse=3" }, "station-edge: door: unknown argument '--pulse=3'")]
    [InlineData(new[] { "door-sim", "--gpio", "sim" }, "station-edge: door-sim: unknown argument '--gpio'")]
    public async Task BadFlag_ExitsTwoNamingIt(string[] args, string expected)
    {
        var result = await CliRunner.InProcessAsync(args);

        Assert.Equal(2, result.Exit);
        Assert.Equal([expected], result.StderrLines);
    }

    [Fact]
    public async Task Door_WithoutPulse_ExitsTwoSayingWhatToDo()
    {
        var result = await CliRunner.InProcessAsync("door");

        Assert.Equal(2, result.Exit);
        Assert.Equal(["station-edge: door: nothing to do; --pulse energises the relay for one pulse, --rest drives it to its rest level"], result.StderrLines);
    }

    [Fact]
    public async Task Pulse_CancelledWhileEnergised_DropsTheRelayAndExits130()
    {
        using var config = new ConfigFile("""{ "Gpio": { "Driver": "sim" }, "Door": { "PulseMs": 30000, "MaxUnlockMs": 30000 } }""");
        using var stop = new CancellationTokenSource();
        using var stdout = new CancelOnUnlock(stop);
        using var stderr = new StringWriter();

        var exit = await Program.RunAsync(["door", "--pulse", "--config", config.Path], TextReader.Null, stdout, stderr, stop.Token);

        Assert.Equal(130, exit);
        Assert.Equal("station-edge: door: interrupted; relay de-energised", stderr.ToString().Trim());
        Assert.Equal(
            ["relay de-energised", "relocked stopped", "relay de-energised released", "stopped"],
            CliRunner.Lines(stdout.ToString()).Select(Describe).TakeLast(4));
    }

    [Fact]
    public async Task BuiltExecutable_Sigterm_DropsTheRelayBeforeExiting()
    {
        using var config = new ConfigFile("""{ "Gpio": { "Driver": "sim" }, "Door": { "PulseMs": 30000, "MaxUnlockMs": 30000 } }""");
        using var process = CliRunner.Start("door", "--pulse", "--config", config.Path);
        using var guard = CliRunner.Guard(process);
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
        {
            seen.Add(line);
            if (line.Contains("\"event\":\"unlocked\""))
            {
                break;
            }
        }

        Assert.Contains("relay energised", seen.Select(Describe));
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        var rest = await process.StandardOutput.ReadToEndAsync(guard.Token);
        await process.WaitForExitAsync(guard.Token);

        Assert.Equal(130, process.ExitCode);
        Assert.Equal(["relocked stopped", "relay de-energised released", "stopped"], CliRunner.Lines(rest).Select(Describe).TakeLast(3));
    }

    [Fact]
    public async Task BuiltExecutable_Pulse_AtMsNeverGoesBackwards()
    {
        using var config = new ConfigFile("""{ "Gpio": { "Driver": "sim" }, "Door": { "PulseMs": 100, "Led": { "Line": 25 } } }""");

        // A fresh process each time: first-call JIT between an event's time and the output change is what showed it.
        for (var run = 0; run < 3; run++)
        {
            var result = await CliRunner.ChildProcessAsync("door", "--pulse", "--config", config.Path);

            Assert.Equal((0, ""), (result.Exit, result.Stderr));
            var times = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("at_ms").GetInt64()).ToList();
            Assert.Equal(times.Order(), times);
        }
    }

    [Fact]
    public async Task Rest_OnTheSimulatedChip_DrivesTheRelayToItsDeEnergisedLevel()
    {
        using var config = new ConfigFile("""{ "Door": { "Relay": { "Line": 5, "ActiveLevel": "Low" } } }""");

        var result = await CliRunner.InProcessAsync("door", "--rest", "--gpio", "sim", "--config", config.Path);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal(["""{"event":"rested","line":5,"level":"high","state":"de-energised"}"""], result.StdoutLines);
    }

    [Theory]
    [InlineData("libgpiod", "station-edge: door: GPIO chip 'gpiochip0' not found: LibGpiodDriver (libgpiod 1.6) says \"Unable to find a chip, error: 2 (No such file or directory)\"")]
    [InlineData("libgpiod2", "station-edge: door: GPIO library libgpiod.so.3 could not be loaded: install the apt package libgpiod3 (apt-get install libgpiod3)")]
    public async Task Rest_WithoutAChip_IsAFaultInOneLine(string driver, string expected)
    {
        var result = await CliRunner.InProcessAsync("door", "--rest", "--gpio", driver);

        Assert.Equal(3, result.Exit);
        Assert.Equal([expected], result.StderrLines);
    }

    // "relay energised", "granted worker-17", "relocked pulse_ended"…: the line without its (real-time) at_ms.
    private static string Describe(string line)
    {
        var json = JsonDocument.Parse(line).RootElement;
        if (json.TryGetProperty("output", out var output))
        {
            var released = json.TryGetProperty("released", out _) ? " released" : "";
            return $"{output.GetString()} {json.GetProperty("state").GetString()}{released}";
        }

        var what = json.GetProperty("event").GetString();
        foreach (var detail in new[] { "by", "reason", "alarm" })
        {
            if (json.TryGetProperty(detail, out var value))
            {
                return $"{what} {value.GetString()}";
            }
        }

        return what!;
    }

    private sealed class CancelOnUnlock(CancellationTokenSource stop) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains("\"event\":\"unlocked\"", StringComparison.Ordinal) == true)
            {
                stop.Cancel();
            }
        }
    }
}
