using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Cli.Tests.Vision;

namespace StationEdge.Cli.Tests.Station;

/// <summary>
/// <c>station-edge run</c> as the systemd unit starts it: the published executable, a stream of walk-ups made from the
/// demo photos, the simulated GPIO chip; what it prints, what it logs and what it tells systemd.
/// </summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly TempFolder _folder = new("stationedge-run-");

    private string Data => Path.Combine(_folder.Path, "data");

    [Fact]
    public async Task Run_Json_PrintsTheGrantTheDoorAndTheRelayAsJsonLines_NotifiesSystemd_AndLogsNoError()
    {
        await EnrollWorkerAsync();
        var stream = Stream("run", WalkUpMedia.Empty(1, _folder.Path), WalkUpMedia.WalkUp(WalkUpMedia.WorkerWalk, _folder.Path), WalkUpMedia.Empty(2, _folder.Path));
        using var systemd = new NotifySocket(_folder.File("notify"));

        var result = await CliRunner.PublishedAsync(
            ["run", "--camera", stream, "--gpio", "sim", "--for", "9", "--data", Data, "--json"],
            new Dictionary<string, string?>
            {
                ["NOTIFY_SOCKET"] = systemd.Path,
                ["WATCHDOG_USEC"] = "1000000",
                ["STATIONEDGE_MODELS"] = TestModels.Directory,
                ["STATIONEDGE_KeeperSite__Urls"] = FreeUrl(),
            });

        Assert.True(result.Exit == 0, result.Stderr);
        var lines = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var granted = Assert.Single(lines, l => Event(l) == "granted");
        Assert.Equal(("W001", "王芳", "matched", true), (granted.GetProperty("worker_id").GetString(), granted.GetProperty("worker_name").GetString(),
            granted.GetProperty("reason").GetString(), granted.GetProperty("recorded").GetBoolean()));
        Assert.Equal(["de-energised", "energised", "de-energised", "de-energised"],
            lines.Where(l => l.TryGetProperty("output", out var o) && o.GetString() == "relay").Select(l => l.GetProperty("state").GetString()));
        Assert.Contains(lines, l => Event(l) == "unlocked");
        Assert.Contains(lines, l => Event(l) == "relocked");
        Assert.Contains(lines, l => Event(l) == "greeting" && l.GetProperty("text").GetString() == "欢迎回家");
        Assert.Equal("summary", Event(lines[^1]));
        Assert.Equal(lines.Select(l => l.GetProperty("at_ms").GetInt64()).Order(), lines.Select(l => l.GetProperty("at_ms").GetInt64()));
        var errors = result.StderrLines.Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));

        var told = systemd.Received();
        Assert.Contains("READY=1", told);
        Assert.Contains("STOPPING=1", told);
        // Half of WATCHDOG_USEC: about every 0.5 s while the loop turns, so at least a handful in 9 s.
        Assert.True(told.Count(m => m == "WATCHDOG=1") >= 5, string.Join(", ", told));
        Assert.True(told.IndexOf("READY=1") < told.IndexOf("STOPPING=1"));
    }

    [Fact]
    public async Task Run_SigtermDuringAPulse_DropsTheRelay_AndExitsClean()
    {
        await EnrollWorkerAsync();
        var stream = Stream("sigterm", WalkUpMedia.Empty(1, _folder.Path), WalkUpMedia.WalkUp(WalkUpMedia.WorkerWalk, _folder.Path), WalkUpMedia.Empty(30, _folder.Path));
        var config = _folder.File("station.json");
        File.WriteAllText(config, """{ "Door": { "PulseMs": 20000, "MaxUnlockMs": 30000 }, "Greeting": { "Enabled": false } }""");

        // The keeper's site on as well: the relay drops first all the same.
        using var run = CliRunner.StartPublished(new Dictionary<string, string?> { ["STATIONEDGE_MODELS"] = TestModels.Directory, ["STATIONEDGE_KeeperSite__Urls"] = FreeUrl() },
            "run", "--camera", stream, "--gpio", "sim", "--config", config, "--data", Data, "--json");
        using var guard = CliRunner.Guard(run);
        var stderr = run.StandardError.ReadToEndAsync();
        var seen = new List<string>();
        while (await run.StandardOutput.ReadLineAsync() is { } line)
        {
            seen.Add(line);
            if (line.Contains("\"output\":\"relay\"", StringComparison.Ordinal) && line.Contains("\"state\":\"energised\"", StringComparison.Ordinal))
            {
                break;
            }
        }

        if (seen.Count == 0 || !seen[^1].Contains("\"energised\"", StringComparison.Ordinal))
        {
            Assert.Fail("the relay was never energised: " + await stderr);
        }

        var signalled = Stopwatch.StartNew();
        CliRunner.Signal(run, "TERM");
        var rest = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync(guard.Token);

        var log = await stderr;
        Assert.True(run.ExitCode == 0, log);
        // Well inside the 20 s pulse: the stop dropped it.
        Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(10), $"took {signalled.Elapsed}");
        var after = CliRunner.Lines(rest).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var relay = after.Where(l => l.TryGetProperty("output", out var o) && o.GetString() == "relay").Select(l => l.GetProperty("state").GetString()).ToList();
        Assert.Equal("de-energised", relay.FirstOrDefault());
        Assert.Contains(after, l => Event(l) == "relocked" && l.GetProperty("reason").GetString() == "stopped");
        Assert.Contains(after, l => Event(l) == "stopped");
    }

    [Fact]
    public async Task Run_AMisspelledSection_IsBadInput_InOneLine()
    {
        var config = _folder.File("station.json");
        File.WriteAllText(config, """{ "Camra": { "Source": "/dev/video0" } }""");

        var result = await CliRunner.PublishedAsync(["run", "--config", config, "--gpio", "sim", "--data", Data]);

        result.AssertOneLineError(2, "'Camra' is not a known section (known: Gpio, Door, Camera, Store, Access, Vision, Greeting, KeeperSite, Passes, Sync, Logging)");
    }

    [Fact]
    public async Task Run_ADamagedDatabase_RefusesToStart_NamingTheFileAndTheRecoverCommand()
    {
        await EnrollWorkerAsync();
        var database = Path.Combine(Data, "station.db");
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Write(new byte[100]);
        }

        var result = await CliRunner.PublishedAsync(["run", "--camera", "lavfi:testsrc=size=640x480:rate=15", "--gpio", "sim", "--data", Data],
            new Dictionary<string, string?> { ["STATIONEDGE_MODELS"] = TestModels.Directory, ["STATIONEDGE_KeeperSite__Urls"] = FreeUrl() });

        var line = result.AssertOneLineError(3, database);
        Assert.Contains($"station-edge store recover --data {Data}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Json_WithTheKeeperSiteOn_ServesItsPages_AndStdoutStaysJsonOnly()
    {
        var url = FreeUrl();
        var (exit, stdout, stderr, answered) = await RunWatchingAsync(url, new Dictionary<string, string?> { ["STATIONEDGE_KeeperSite__Urls"] = url });

        Assert.True(exit == 0, stderr);
        Assert.True(answered, $"nothing answered at {url}/screen: {stderr}");
        Assert.NotEmpty(stdout);
        Assert.All(stdout, line => JsonDocument.Parse(line).Dispose());
        Assert.Contains($"Now listening on: {url}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithTheKeeperSiteOff_ListensNowhere()
    {
        var url = FreeUrl();
        var (exit, stdout, stderr, answered) = await RunWatchingAsync(url, new Dictionary<string, string?>
        {
            ["STATIONEDGE_KeeperSite__Urls"] = url,
            ["STATIONEDGE_KeeperSite__Enabled"] = "false",
        });

        Assert.True(exit == 0, stderr);
        Assert.False(answered, $"something answered at {url} with the site off");
        Assert.Contains(stdout, l => l.Contains("\"event\":\"summary\"", StringComparison.Ordinal));
        Assert.DoesNotContain("Now listening on", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_APortAlreadyInUse_IsAFaultInOneLineNamingTheUrl_AndTheRelayStaysAtRest()
    {
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var result = await CliRunner.PublishedAsync(["run", "--camera", "lavfi:color=c=gray:size=640x480:rate=15", "--gpio", "sim", "--data", Data, "--json"],
            new Dictionary<string, string?> { ["STATIONEDGE_MODELS"] = TestModels.Directory, ["STATIONEDGE_KeeperSite__Urls"] = url });

        Assert.Equal(3, result.Exit);
        var line = Assert.Single(result.StderrLines, l => l.StartsWith("station-edge: ", StringComparison.Ordinal));
        Assert.StartsWith("station-edge: run: KeeperSite:Urls: ", line, StringComparison.Ordinal);
        Assert.Contains(url, line, StringComparison.Ordinal);
        Assert.Contains("address already in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain(result.StderrLines, l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
        var relay = result.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement)
            .Where(l => l.TryGetProperty("output", out var o) && o.GetString() == "relay").Select(l => l.GetProperty("state").GetString()).ToList();
        Assert.DoesNotContain("energised", relay);
    }

    [Fact]
    public async Task Run_TheSiteOnANetworkAddress_WithNoKeeperYet_IsBadInputNamingTheKey()
    {
        var result = await CliRunner.PublishedAsync(["run", "--camera", "lavfi:color=c=gray:size=640x480:rate=15", "--gpio", "sim", "--data", Data, "--json"],
            new Dictionary<string, string?> { ["STATIONEDGE_MODELS"] = TestModels.Directory, ["STATIONEDGE_KeeperSite__Urls"] = $"http://0.0.0.0:{LoopbackPort.Free()}" });

        var line = result.AssertOneLineError(2, "KeeperSite:Urls binds 0.0.0.0");
        Assert.Contains("station-edge keeper add --name NAME", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Data, "station.db")), "the store was opened before the settings were checked");
    }

    public void Dispose() => _folder.Dispose();

    private static string FreeUrl() => $"http://127.0.0.1:{LoopbackPort.Free()}";

    /// <summary>
    /// <c>run --json --for 6</c> on an empty entrance; while it runs, asks <paramref name="url"/>/screen every 200 ms.
    /// Its stdout lines, stderr, and whether anything answered.
    /// </summary>
    private async Task<(int Exit, List<string> Stdout, string Stderr, bool Answered)> RunWatchingAsync(string url, Dictionary<string, string?> environment)
    {
        environment["STATIONEDGE_MODELS"] = TestModels.Directory;
        using var run = CliRunner.StartPublished(environment, "run", "--camera", "lavfi:color=c=gray:size=640x480:rate=15", "--gpio", "sim", "--for", "6", "--data", Data, "--json");
        using var guard = CliRunner.Guard(run);
        var stderr = run.StandardError.ReadToEndAsync(guard.Token);
        var stdout = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await run.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                stdout.Add(line);
            }
        });

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answered = false;
        while (!reading.IsCompleted && !answered)
        {
            try
            {
                using var response = await http.GetAsync(url + "/screen", guard.Token);
                answered = response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                // Not listening (yet).
            }

            await Task.Delay(200, guard.Token);
        }

        await reading;
        await run.WaitForExitAsync(guard.Token);
        return (run.ExitCode, stdout, await stderr, answered);
    }

    private static string? Event(JsonElement line) => line.TryGetProperty("event", out var e) ? e.GetString() : null;

    private async Task EnrollWorkerAsync()
    {
        var enrolled = await CliRunner.InProcessAsync("enroll", "--id", "W001", "--name", "王芳", "--photo", WalkUpMedia.Cut(WalkUpMedia.WorkerEnrol, _folder.Path),
            "--data", Data, "--models", TestModels.Directory);
        Assert.True(enrolled.Exit == 0, enrolled.Stderr);
    }

    private string Stream(string name, params string[] parts) => WalkUpMedia.Stream(_folder.Path, name, parts);

    /// <summary>systemd's side of sd_notify: a datagram socket that reads every message sent to it as it comes, as systemd does.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly List<string> _messages = [];
        private readonly Task _reading;

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _reading = Task.Run(ReadAsync);
        }

        public string Path { get; }

        public List<string> Received()
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _reading.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    lock (_messages)
                    {
                        _messages.AddRange(Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed by Dispose.
            }
        }
    }
}
