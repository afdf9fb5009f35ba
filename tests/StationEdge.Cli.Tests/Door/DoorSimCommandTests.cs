namespace StationEdge.Cli.Tests.Door;

/// <summary>
/// door-sim scenarios with their exact output. The door: an active-low relay on line 17, contact 27 (closed = low),
/// exit button 22 (pressed = low), LED 25 and buzzer 24 (active high), pulse 3 s, exit pulse 5 s, held-open 10 s,
/// debounce 50 ms — so every input counts 50 ms after its last edge.
/// </summary>
public sealed class DoorSimCommandTests : IDisposable
{
    private const string Config = """
        {
          "Gpio": { "Driver": "sim", "Chip": "gpiochip0" },
          "Door": {
            "Relay": { "Line": 17, "ActiveLevel": "low" },
            "Contact": { "Line": 27, "ClosedLevel": "low", "Bias": "PullUp" },
            "ExitButton": { "Line": 22, "ActiveLevel": "low", "Bias": "PullUp" },
            "Led": { "Line": 25, "ActiveLevel": "high" },
            "Buzzer": { "Line": 24, "ActiveLevel": "high" },
            "DebounceMs": 50,
            "PulseMs": 3000,
            "ExitPulseMs": 5000,
            "HeldOpenMs": 10000
          }
        }
        """;

    private static readonly string[] Start =
    [
        """{"at_ms":0,"output":"relay","line":17,"level":"high","state":"de-energised"}""",
        """{"at_ms":0,"output":"led","line":25,"level":"low","state":"off"}""",
        """{"at_ms":0,"output":"buzzer","line":24,"level":"low","state":"off"}""",
        """{"at_ms":0,"event":"started","door":"closed"}""",
    ];

    private readonly ConfigFile _config = new(Config);

    public void Dispose() => _config.Dispose();

    [Fact]
    public async Task Grant_UnlocksUntilTheDoorHasOpenedAndClosed()
    {
        var result = await SimAsync("""
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":1200,"input":"door_contact","level":"open"}
            {"at_ms":2500,"input":"door_contact","level":"closed"}
            """);

        Assert.Equal(0, result.Exit);
        Assert.Equal("", result.Stderr);
        Assert.Equal(
            [
                .. Start,
                """{"at_ms":0,"event":"granted","by":"worker-17"}""",
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"energised"}""",
                """{"at_ms":0,"event":"unlocked","until_ms":3000}""",
                """{"at_ms":0,"output":"led","line":25,"level":"high","state":"on"}""",
                """{"at_ms":1250,"event":"opened"}""",
                """{"at_ms":2550,"event":"closed"}""",
                """{"at_ms":2550,"output":"relay","line":17,"level":"high","state":"de-energised"}""",
                """{"at_ms":2550,"event":"relocked","reason":"door_closed"}""",
                """{"at_ms":2550,"output":"led","line":25,"level":"low","state":"off"}""",
                .. Stop(2550),
            ],
            result.StdoutLines);
    }

    [Fact]
    public async Task Grant_NobodyOpens_RelocksWhenThePulseEnds_AndASecondGrantExtendsIt()
    {
        var stdout = (await SimAsync("""
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":2000,"grant":"keeper:wang"}
            """)).StdoutLines;

        Assert.Equal(
            [
                .. Start,
                """{"at_ms":0,"event":"granted","by":"worker-17"}""",
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"energised"}""",
                """{"at_ms":0,"event":"unlocked","until_ms":3000}""",
                """{"at_ms":0,"output":"led","line":25,"level":"high","state":"on"}""",
                """{"at_ms":2000,"event":"granted","by":"keeper:wang"}""",
                """{"at_ms":2000,"event":"unlock_extended","until_ms":5000}""",
                """{"at_ms":5000,"output":"relay","line":17,"level":"high","state":"de-energised"}""",
                """{"at_ms":5000,"event":"relocked","reason":"pulse_ended"}""",
                """{"at_ms":5000,"output":"led","line":25,"level":"low","state":"off"}""",
                .. Stop(5000),
            ],
            stdout);
    }

    [Fact]
    public async Task ExitPress_UnlocksWithTheExitPulse()
    {
        var result = await SimAsync("""
            {"at_ms":100,"input":"exit_button","level":"pressed"}
            {"at_ms":400,"input":"exit_button","level":"released"}
            {"at_ms":1000,"input":"door_contact","level":"open"}
            {"at_ms":2000,"input":"door_contact","level":"closed"}
            """);

        Assert.Equal("", result.Stderr);
        Assert.Equal(
            [
                .. Start,
                """{"at_ms":150,"event":"granted","by":"exit-button"}""",
                """{"at_ms":150,"output":"relay","line":17,"level":"low","state":"energised"}""",
                """{"at_ms":150,"event":"unlocked","until_ms":5150}""",
                """{"at_ms":150,"output":"led","line":25,"level":"high","state":"on"}""",
                """{"at_ms":1050,"event":"opened"}""",
                """{"at_ms":2050,"event":"closed"}""",
                """{"at_ms":2050,"output":"relay","line":17,"level":"high","state":"de-energised"}""",
                """{"at_ms":2050,"event":"relocked","reason":"door_closed"}""",
                """{"at_ms":2050,"output":"led","line":25,"level":"low","state":"off"}""",
                .. Stop(2050),
            ],
            result.StdoutLines);
    }

    [Fact]
    public async Task ForcedDoor_RaisesTheAlarmAndSoundsTheBuzzerUntilItCloses()
    {
        var stdout = (await SimAsync("""
            {"at_ms":1000,"input":"door_contact","level":"open"}
            {"at_ms":4000,"input":"door_contact","level":"closed"}
            """)).StdoutLines;

        Assert.Equal(
            [
                .. Start,
                """{"at_ms":1050,"event":"opened"}""",
                """{"at_ms":1050,"event":"alarm_raised","alarm":"forced_open"}""",
                """{"at_ms":1050,"output":"buzzer","line":24,"level":"high","state":"on"}""",
                """{"at_ms":4050,"event":"closed"}""",
                """{"at_ms":4050,"event":"alarm_cleared","alarm":"forced_open"}""",
                """{"at_ms":4050,"output":"buzzer","line":24,"level":"low","state":"off"}""",
                .. Stop(4050),
            ],
            stdout);
    }

    [Fact]
    public async Task HeldDoor_RelocksAtPulseEnd_ThenRaisesHeldOpenUntilItCloses()
    {
        var stdout = (await SimAsync("""
            {"at_ms":0,"grant":"worker-3"}
            {"at_ms":500,"input":"door_contact","level":"open"}
            {"at_ms":20000,"input":"door_contact","level":"closed"}
            """)).StdoutLines;

        Assert.Equal(
            [
                .. Start,
                """{"at_ms":0,"event":"granted","by":"worker-3"}""",
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"energised"}""",
                """{"at_ms":0,"event":"unlocked","until_ms":3000}""",
                """{"at_ms":0,"output":"led","line":25,"level":"high","state":"on"}""",
                """{"at_ms":550,"event":"opened"}""",
                """{"at_ms":3000,"output":"relay","line":17,"level":"high","state":"de-energised"}""",
                """{"at_ms":3000,"event":"relocked","reason":"pulse_ended"}""",
                """{"at_ms":3000,"output":"led","line":25,"level":"low","state":"off"}""",
                """{"at_ms":10550,"event":"alarm_raised","alarm":"held_open"}""",
                """{"at_ms":10550,"output":"buzzer","line":24,"level":"high","state":"on"}""",
                """{"at_ms":20050,"event":"closed"}""",
                """{"at_ms":20050,"event":"alarm_cleared","alarm":"held_open"}""",
                """{"at_ms":20050,"output":"buzzer","line":24,"level":"low","state":"off"}""",
                .. Stop(20050),
            ],
            stdout);
    }

    [Fact]
    public async Task BouncingContact_MakesOneOpenedAndOneClosed()
    {
        var stdout = (await SimAsync("""
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":1000,"input":"door_contact","level":"open"}
            {"at_ms":1004,"input":"door_contact","level":"closed"}
            {"at_ms":1009,"input":"door_contact","level":"open"}
            {"at_ms":1013,"input":"door_contact","level":"closed"}
            {"at_ms":1020,"input":"door_contact","level":"open"}
            {"at_ms":2000,"input":"door_contact","level":"closed"}
            {"at_ms":2006,"input":"door_contact","level":"open"}
            {"at_ms":2011,"input":"door_contact","level":"closed"}
            """)).StdoutLines;

        Assert.Equal(
            [
                .. Start,
                """{"at_ms":0,"event":"granted","by":"worker-17"}""",
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"energised"}""",
                """{"at_ms":0,"event":"unlocked","until_ms":3000}""",
                """{"at_ms":0,"output":"led","line":25,"level":"high","state":"on"}""",
                """{"at_ms":1070,"event":"opened"}""",
                """{"at_ms":2061,"event":"closed"}""",
                """{"at_ms":2061,"output":"relay","line":17,"level":"high","state":"de-energised"}""",
                """{"at_ms":2061,"event":"relocked","reason":"door_closed"}""",
                """{"at_ms":2061,"output":"led","line":25,"level":"low","state":"off"}""",
                .. Stop(2061),
            ],
            stdout);
    }

    [Fact]
    public async Task StuckRelay_ReadbackDisagrees_RaisesAndClearsRelayStuck()
    {
        using var config = new ConfigFile("""
            { "Door": { "RelayReadback": { "Line": 23, "ActiveLevel": "high", "Bias": "PullDown" } } }
            """);

        var result = await CliRunner.InProcessWithStdinAsync(
            """
            {"at_ms":1000,"input":"relay_readback","level":"de-energised"}
            {"at_ms":2000,"grant":"worker-17"}
            {"at_ms":6000,"input":"relay_readback","level":"follow"}
            """,
            "door-sim",
            "--config",
            config.Path);

        Assert.Equal("", result.Stderr);
        Assert.Equal(
            [
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"de-energised"}""",
                """{"at_ms":0,"event":"started","door":"closed"}""",
                """{"at_ms":2000,"event":"granted","by":"worker-17"}""",
                """{"at_ms":2000,"output":"relay","line":17,"level":"high","state":"energised"}""",
                """{"at_ms":2000,"event":"unlocked","until_ms":5000}""",
                """{"at_ms":2200,"event":"alarm_raised","alarm":"relay_stuck"}""",
                """{"at_ms":5000,"output":"relay","line":17,"level":"low","state":"de-energised"}""",
                """{"at_ms":5000,"event":"relocked","reason":"pulse_ended"}""",
                """{"at_ms":5200,"event":"alarm_cleared","alarm":"relay_stuck"}""",
                """{"at_ms":6000,"output":"relay","line":17,"level":"low","state":"de-energised","released":true}""",
                """{"at_ms":6000,"event":"stopped","left_unlocked":false}""",
            ],
            result.StdoutLines);
    }

    [Fact]
    public async Task FailSafe_RelayEnergisedToLock_AndStoppingReleasesIt()
    {
        using var config = new ConfigFile("""{ "Door": { "FailSafe": true } }""");

        var stdout = (await CliRunner.InProcessWithStdinAsync("""{"at_ms":0,"grant":"worker-17"}""", "door-sim", "--config", config.Path)).StdoutLines;

        Assert.Equal(
            [
                """{"at_ms":0,"output":"relay","line":17,"level":"high","state":"energised"}""",
                """{"at_ms":0,"event":"started","door":"closed"}""",
                """{"at_ms":0,"event":"granted","by":"worker-17"}""",
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"de-energised"}""",
                """{"at_ms":0,"event":"unlocked","until_ms":3000}""",
                """{"at_ms":3000,"output":"relay","line":17,"level":"high","state":"energised"}""",
                """{"at_ms":3000,"event":"relocked","reason":"pulse_ended"}""",
                """{"at_ms":3000,"output":"relay","line":17,"level":"low","state":"de-energised"}""",
                """{"at_ms":3000,"output":"relay","line":17,"level":"low","state":"de-energised","released":true}""",
                """{"at_ms":3000,"event":"stopped","left_unlocked":true}""",
            ],
            stdout);
    }

    [Fact]
    public async Task MalformedLines_EachGetsOneErrorNamingItsLine_AndTheRestRuns()
    {
        var result = await SimAsync("""
            {"at_ms":0,"grant":"worker-17"}
            this is not json
            {"at_ms":"soon","grant":"worker-2"}
            {"grant":"worker-2"}
            {"at_ms":100,"input":"window","level":"open"}
            {"at_ms":100,"input":"door_contact","level":"ajar"}
            {"at_ms":100,"grant":"worker-2","input":"door_contact","level":"open"}
            {"at_ms":100,"colour":"red"}
            [1,2]

            {"at_ms":1200,"input":"door_contact","level":"open"}
            {"at_ms":1100,"input":"door_contact","level":"closed"}
            {"at_ms":2500,"input":"door_contact","level":"closed"}
            """);

        // Bad input, so exit 2; the good lines still ran.
        Assert.Equal(2, result.Exit);
        Assert.Equal(
            [
                "station-edge: door-sim: line 2: not valid JSON ('this is not json' is an invalid JSON literal. Expected the literal 'true'.); skipped",
                """station-edge: door-sim: line 3: at_ms must be a whole number of milliseconds, 0 or more (was "soon"); skipped""",
                "station-edge: door-sim: line 4: at_ms is missing; skipped",
                "station-edge: door-sim: line 5: unknown input 'window' (expected door_contact, exit_button, relay_readback, presence); skipped",
                "station-edge: door-sim: line 6: unknown level 'ajar' for door_contact (expected closed, open, high, low); skipped",
                "station-edge: door-sim: line 7: a line has either grant or input and level, not both; skipped",
                "station-edge: door-sim: line 8: unknown property 'colour' (expected at_ms, grant, input, level); skipped",
                """station-edge: door-sim: line 9: expected a JSON object like {"at_ms":0,"grant":"worker-17"}; skipped""",
                "station-edge: door-sim: line 12: at_ms 1100 is earlier than the line before (1200); skipped",
            ],
            result.StderrLines);
        var clean = (await SimAsync("""
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":1200,"input":"door_contact","level":"open"}
            {"at_ms":2500,"input":"door_contact","level":"closed"}
            """)).StdoutLines;
        Assert.Equal(clean, result.StdoutLines);
    }

    [Fact]
    public async Task NoConfig_RunsWithTheDocumentedDefaults()
    {
        var result = await CliRunner.InProcessWithStdinAsync("""{"at_ms":0,"grant":"worker-17"}""", "door-sim");

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal(
            [
                """{"at_ms":0,"output":"relay","line":17,"level":"low","state":"de-energised"}""",
                """{"at_ms":0,"event":"started","door":"closed"}""",
                """{"at_ms":0,"event":"granted","by":"worker-17"}""",
                """{"at_ms":0,"output":"relay","line":17,"level":"high","state":"energised"}""",
                """{"at_ms":0,"event":"unlocked","until_ms":3000}""",
                """{"at_ms":3000,"output":"relay","line":17,"level":"low","state":"de-energised"}""",
                """{"at_ms":3000,"event":"relocked","reason":"pulse_ended"}""",
                """{"at_ms":3000,"output":"relay","line":17,"level":"low","state":"de-energised","released":true}""",
                """{"at_ms":3000,"event":"stopped","left_unlocked":false}""",
            ],
            result.StdoutLines);
    }

    [Theory]
    [InlineData("""{ "Door": { "PulseMs": 0 } }""", "Door:PulseMs must be between 100 and 30000 (was 0)")]
    [InlineData("""{ "Door": { "Relay": { "ActiveLevel": "sideways" } } }""", "Door:Relay:ActiveLevel must be one of Low, High (was 'sideways')")]
    [InlineData("""{ "Door": { "ExitButton": { "Line": 17 } } }""", "Door:ExitButton:Line is line 17, already used by Door:Relay:Line")]
    public async Task BadConfigValue_ExitsTwoWithOneLineNamingFileAndKey(string json, string reason)
    {
        using var config = new ConfigFile(json);

        var result = await CliRunner.InProcessAsync("door-sim", "--config", config.Path);

        Assert.Equal(2, result.Exit);
        Assert.Empty(result.StdoutLines);
        Assert.Equal($"station-edge: door-sim: --config {config.Path}: {reason}\n", result.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task ConfigThatIsNotJson_ExitsTwoNamingTheFile()
    {
        using var config = new ConfigFile("{ \"Door\": ");

        var result = await CliRunner.InProcessAsync("door-sim", "--config", config.Path);

        Assert.Equal(2, result.Exit);
        Assert.StartsWith($"station-edge: door-sim: --config {config.Path}: not valid JSON (", result.Stderr);
        Assert.Single(result.StderrLines);
    }

    [Theory]
    [InlineData(new[] { "door-sim", "--config", "/nonexistent/door.json" }, "station-edge: door-sim: --config /nonexistent/door.json: file not found")]
    [InlineData(new[] { "door-sim", "--config" }, "station-edge: door-sim: --config needs a value")]
    [InlineData(new[] { "door-sim", "--speed", "2" }, "station-edge: door-sim: unknown argument '--speed'")]
    [InlineData(new[] { "unlock-everything" }, "station-edge: unlock-everything: unknown command (try: station-edge --help)")]
    public async Task BadCommandLine_ExitsTwoWithOneLineNamingTheFlag(string[] args, string expected)
    {
        var result = await CliRunner.InProcessAsync(args);

        Assert.Equal(2, result.Exit);
        Assert.Empty(result.StdoutLines);
        Assert.Equal([expected], result.StderrLines);
    }

    [Fact]
    public async Task BuiltExecutable_DoorSim_PrintsTheSameLinesAsInProcess()
    {
        const string scenario = """
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":1200,"input":"door_contact","level":"open"}
            {"at_ms":2500,"input":"door_contact","level":"closed"}
            """;
        var expected = (await SimAsync(scenario)).StdoutLines;

        using var process = CliRunner.Start("door-sim", "--config", _config.Path);
        using var guard = CliRunner.Guard(process);
        await process.StandardInput.WriteAsync(scenario);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(guard.Token);
        var stderr = process.StandardError.ReadToEndAsync(guard.Token);
        await process.WaitForExitAsync(guard.Token);

        Assert.Equal("", await stderr);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(expected, CliRunner.Lines(await stdout));
    }

    [Theory]
    [InlineData("250000000000000")]
    [InlineData("9223372036854775807")]
    [InlineData("1e300")]
    public async Task AtMsBeyondAHundredYears_IsOneBadInputLineNamingTheLineAndField_Exit2(string atMs)
    {
        var result = await SimAsync($$"""
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":{{atMs}},"grant":"worker-18"}
            """);

        Assert.Equal(2, result.Exit);
        Assert.Equal([$"station-edge: door-sim: line 2: at_ms must be at most 3153600000000 (100 years) (was {atMs}); skipped"], result.StderrLines);
        Assert.Equal("""{"at_ms":3000,"event":"stopped","left_unlocked":false}""", result.StdoutLines[^1]);
    }

    [Fact]
    public async Task Interrupted_SaysSoOnTheDoorSimLine_AndStopsTheDoor()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await Program.RunAsync(["door-sim"], new StringReader("{\"at_ms\":0}"), stdout, stderr, cancelled.Token);

        Assert.Equal(130, exit);
        Assert.Equal("station-edge: door-sim: interrupted at line 0", stderr.ToString().Trim());
        Assert.EndsWith("""{"at_ms":0,"event":"stopped","left_unlocked":false}""", stdout.ToString().Trim());
    }

    [Fact]
    public async Task Beeper_OneShortToneOnAGrant_TwoOnARefusal()
    {
        using var config = new ConfigFile("""
            { "Door": { "PulseMs": 1000, "MaxUnlockMs": 5000, "CapLockoutMs": 3000, "Beeper": { "Line": 18, "ToneMs": 80, "GapMs": 60 } } }
            """);

        var result = await CliRunner.InProcessWithStdinAsync(
            """
            {"at_ms":0,"grant":"worker-17"}
            {"at_ms":800,"grant":"worker-17"}
            {"at_ms":1600,"grant":"worker-17"}
            {"at_ms":2400,"grant":"worker-17"}
            {"at_ms":3200,"grant":"worker-17"}
            {"at_ms":4000,"grant":"worker-17"}
            {"at_ms":5100,"grant":"worker-17"}
            """,
            "door-sim",
            "--config",
            config.Path);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        var beeps = result.StdoutLines.Where(l => l.Contains("\"beeper\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                """{"at_ms":0,"output":"beeper","line":18,"level":"low","state":"off"}""",
                """{"at_ms":0,"output":"beeper","line":18,"level":"high","state":"on"}""",
                """{"at_ms":80,"output":"beeper","line":18,"level":"low","state":"off"}""",
            ],
            beeps.Take(3));

        // The grant at 5100 comes during the cap's lock-out: two tones.
        Assert.Contains("""{"at_ms":5100,"event":"grant_refused","by":"worker-17","reason":"cap-lockout"}""", result.StdoutLines);
        Assert.Equal(
            [
                """{"at_ms":5100,"output":"beeper","line":18,"level":"high","state":"on"}""",
                """{"at_ms":5180,"output":"beeper","line":18,"level":"low","state":"off"}""",
                """{"at_ms":5240,"output":"beeper","line":18,"level":"high","state":"on"}""",
                """{"at_ms":5320,"output":"beeper","line":18,"level":"low","state":"off"}""",
            ],
            beeps.SkipWhile(l => !l.StartsWith("{\"at_ms\":5100", StringComparison.Ordinal)).Take(4));
    }

    [Fact]
    public async Task Presence_PirEventsAreReported_ForTheCameraLoopToWakeOn()
    {
        using var config = new ConfigFile("""{ "Door": { "Presence": { "Line": 4 } } }""");

        var result = await CliRunner.InProcessWithStdinAsync(
            """
            {"at_ms":500,"input":"presence","level":"detected"}
            {"at_ms":4000,"input":"presence","level":"clear"}
            """,
            "door-sim",
            "--config",
            config.Path);

        Assert.Equal((0, ""), (result.Exit, result.Stderr));
        Assert.Equal(
            [
                """{"at_ms":500,"event":"presence","detected":true}""",
                """{"at_ms":4000,"event":"presence","detected":false}""",
            ],
            result.StdoutLines.Where(l => l.Contains("presence", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ConfigWithAMisspelledSection_IsRefusedNamingItAndTheKnownSections()
    {
        using var config = new ConfigFile("""{ "Dor": { "PulseMs": 100 } }""");

        var result = await CliRunner.InProcessAsync("door-sim", "--config", config.Path);

        Assert.Equal(2, result.Exit);
        Assert.Equal([$"station-edge: door-sim: --config {config.Path}: 'Dor' is not a known section (known: Gpio, Door, Camera, Store, Access, Vision, Greeting, KeeperSite, Passes, Sync, Logging)"], result.StderrLines);
    }

    [Fact]
    public async Task ConfigThatIsAFifo_IsRefusedAtOnce_NeverOpened()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("door.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        // A child process: opening a FIFO with no writer would block it for good (the test's guard kills it then).
        var result = await CliRunner.ChildProcessAsync("door-sim", "--config", fifo);

        Assert.Equal(2, result.Exit);
        Assert.Equal([$"station-edge: door-sim: --config {fifo}: is a FIFO, not a regular file"], result.StderrLines);
    }

    [Theory]
    [InlineData("/dev/null")]
    [InlineData("/dev/zero")]
    public async Task ConfigThatIsADevice_IsRefused(string device)
    {
        var result = await CliRunner.InProcessAsync("door", "--rest", "--gpio", "sim", "--config", device);

        Assert.Equal(2, result.Exit);
        Assert.Equal([$"station-edge: door: --config {device}: is a character device, not a regular file"], result.StderrLines);
    }

    private static string[] Stop(int ms) =>
    [
        $$"""{"at_ms":{{ms}},"output":"buzzer","line":24,"level":"low","state":"off","released":true}""",
        $$"""{"at_ms":{{ms}},"output":"led","line":25,"level":"low","state":"off","released":true}""",
        $$"""{"at_ms":{{ms}},"output":"relay","line":17,"level":"high","state":"de-energised","released":true}""",
        $$"""{"at_ms":{{ms}},"event":"stopped","left_unlocked":false}""",
    ];

    private Task<CliResult> SimAsync(string scenario) =>
        CliRunner.InProcessWithStdinAsync(scenario, "door-sim", "--config", _config.Path);
}
