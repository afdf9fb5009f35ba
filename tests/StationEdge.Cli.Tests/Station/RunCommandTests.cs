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
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Path, ["WATCHDOG_USEC"] = "1000000", ["STATIONEDGE_MODELS"] = TestModels.Directory });

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

        using var run = CliRunner.StartPublished(new Dictionary<string, string?> { ["STATIONEDGE_MODELS"] = TestModels.Directory },
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

        result.AssertOneLineError(2, "'Camra' is not a known section (known: Gpio, Door, Camera, Store, Access, Vision, Greeting, KeeperSite, Passes, Logging)");
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
            new Dictionary<string, string?> { ["STATIONEDGE_MODELS"] = TestModels.Directory });

        var line = result.AssertOneLineError(3, database);
        Assert.Contains($"station-edge store recover --data {Data}", line, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

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
