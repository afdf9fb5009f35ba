using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using StationEdge.Vision.Alignment;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>
/// The station as a rider meets it: the real daemon (this executable's <c>run</c>, a child process pinned to one core
/// with taskset, one ONNX Runtime thread, the simulated chip) watching a looped stream of walk-ups made from the demo
/// photos, with a worker enrolled. From its JSON lines: frame arrival → relay energised and walk-up → grant per grant;
/// from /proc: its CPU share and resident memory at the first grant and after the soak. A second run feeds frames at
/// the camera's highest rate (60 fps), a face in each, to see how many the loop sustains on that core. The keeper's site
/// runs in the daemon as it does on a station (on a free loopback port); a third run repeats the soak with the door
/// screen's camera preview open (a client reading <c>/screen/camera.mjpeg</c> throughout), for frame → relay beside the
/// figure without it.
/// </summary>
internal static partial class StationBench
{
    public const int DefaultSoakSeconds = 60;
    public const double FrameToRelayTargetMs = 100;
    private const int StreamFps = 15;
    private const int SustainedStreamFps = 60;
    private const int SustainedSeconds = 20;
    private const int RssSamples = 10;

    // USER_HZ: the unit of utime and stime in /proc/PID/stat, 100 on Linux for x64 and arm64 alike.
    private const double ClockTicksPerSecond = 100;
    private const int SigTerm = 15;

    /// <summary>
    /// How the figures were taken; <see cref="RssMbDuringSoak"/> is the daemon's resident memory at
    /// <see cref="RssSampleSeconds"/> intervals from the first grant, to see whether it levels off.
    /// </summary>
    /// <summary><see cref="PreviewPictures"/>: the preview pictures the client received during the soak with the preview open.</summary>
    public sealed record Conditions(
        int SoakSeconds, int StreamFps, int SustainedStreamFps, int SustainedSeconds, string Cores, int Grants, double RssSampleSeconds, IReadOnlyList<double> RssMbDuringSoak, string Note)
    {
        public int GrantsPreviewOpen { get; init; }

        public long PreviewPictures { get; init; }
    }

    public sealed record Result(
        Figure? FrameToRelayMs, Figure? WalkupToGrantMs, double? SustainedFps, double? CpuShare, double? RssMbAtFirstGrant, double? RssMbAfterSoak, Conditions Conditions)
    {
        public Figure? FrameToRelayMsPreviewOpen { get; init; }
    }

    public static async Task<Result> RunAsync(string modelsDir, int soakSeconds, AlignmentMethod alignment, TextWriter stderr, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("stationedge-bench-").FullName;
        try
        {
            return await RunInAsync(work, modelsDir, soakSeconds, alignment, stderr, ct);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<Result> RunInAsync(string work, string modelsDir, int soakSeconds, AlignmentMethod alignment, TextWriter stderr, CancellationToken ct)
    {
        WalkUpMedia.PhotosFolder = Path.Combine(modelsDir, "demo");
        var data = Path.Combine(work, "data");
        var config = Path.Combine(work, "bench.json");
        // Every grant recorded (no cooldown) and a short pulse, so each walk-up switches the relay; one ORT thread for one core.
        File.WriteAllText(config, $$"""
            { "Access": { "CooldownSeconds": 0 }, "Door": { "PulseMs": 500 }, "Greeting": { "Enabled": false }, "Vision": { "IntraOpThreads": 1, "Alignment": "{{alignment.ToString().ToLowerInvariant()}}" } }
            """);
        var enrolled = await EnrollCommand.RunAsync(
            ["--id", "W001", "--name", "王芳", "--photo", WalkUpMedia.Cut(WalkUpMedia.WorkerEnrol, work), "--data", data, "--models", modelsDir, "--config", config], TextWriter.Null, ct);
        if (enrolled != 0)
        {
            throw CliError.Fault("bench: the worker for the station run could not be enrolled");
        }

        var walk = WalkUpMedia.WalkUp(WalkUpMedia.WorkerWalk, work);
        var stranger = WalkUpMedia.WalkUp(WalkUpMedia.Strangers[0], work);
        var empty = WalkUpMedia.Empty(1.5, work);
        var pin = Taskset();

        stderr.WriteLine($"bench: the station daemon on {(pin is null ? "every core (no taskset)" : "one core")}, {StreamFps} fps walk-ups, {soakSeconds} s");
        var walkUps = WalkUpMedia.Stream(work, "soak", walk, empty, stranger, empty);
        var soak = await SoakAsync(walkUps, data, config, modelsDir, pin, soakSeconds, previewOpen: false, ct);

        stderr.WriteLine($"bench: the same, with the door screen's camera preview open, {soakSeconds} s");
        var previewed = await SoakAsync(walkUps, data, config, modelsDir, pin, soakSeconds, previewOpen: true, ct);

        var sustainedSeconds = Math.Min(SustainedSeconds, soakSeconds);
        stderr.WriteLine($"bench: the station daemon at {SustainedStreamFps} fps, a face in every frame, {sustainedSeconds} s");
        var sustained = await SustainedAsync(WalkUpMedia.Stream(work, "sustained", walk, stranger), data, config, modelsDir, pin, sustainedSeconds, ct);

        // Named for what it measured: the resident memory after this soak, however long it was (once misnamed rss_mb_after_10_min).
        var note = $"rss_mb_after_soak is taken after a {soakSeconds} s soak (station.soak_seconds); bench --soak 600 gives the 10-minute figure";
        return new Result(
            Figure(soak.FrameToRelay),
            Figure(soak.WalkUpToGrant),
            sustained,
            soak.CpuShare,
            soak.RssStart,
            soak.RssAfter,
            new Conditions(soakSeconds, StreamFps, SustainedStreamFps, sustainedSeconds, pin is null ? "all" : "1 (taskset -c 0)", soak.FrameToRelay.Count,
                Math.Round(soakSeconds / (double)RssSamples, 1), soak.RssDuring, note)
            { GrantsPreviewOpen = previewed.FrameToRelay.Count, PreviewPictures = previewed.PreviewPictures })
        {
            FrameToRelayMsPreviewOpen = Figure(previewed.FrameToRelay),
        };
    }

    public static void Print(TextWriter o, Figure? relay, Figure? relayPreviewOpen, Figure? walkUp, double? fps, double? cpu, double? rssStart, double? rssAfter, Conditions c)
    {
        static string N(double? x) => x is { } v ? v.ToString(v >= 100 ? "0.0" : "0.00", CultureInfo.InvariantCulture) : "–";
        o.WriteLine($"the station daemon (run, simulated chip), {c.Cores} core(s), one ORT thread; {c.StreamFps} fps walk-ups, {c.Grants} grants in {c.SoakSeconds} s");
        o.WriteLine($"{"frame arrival → relay energised",-34}{N(relay?.Median),9}{N(relay?.P95),8} ms (median, p95)   target ≤ {N(FrameToRelayTargetMs)} ms median: {(relay is { } r && r.Median <= FrameToRelayTargetMs ? "PASS" : "over")}");
        o.WriteLine($"{"  the same, preview open",-34}{N(relayPreviewOpen?.Median),9}{N(relayPreviewOpen?.P95),8} ms   ({c.GrantsPreviewOpen} grants; {c.PreviewPictures} preview pictures received)");
        o.WriteLine($"{"walk-up's first frame → grant",-34}{N(walkUp?.Median),9}{N(walkUp?.P95),8} ms   (the first frames show the face too small to decide on)");
        o.WriteLine($"{"CPU share at " + c.StreamFps + " fps",-34}{N(cpu * 100),9} % of one core");
        o.WriteLine($"{"sustained, " + c.SustainedStreamFps + " fps offered",-34}{N(fps),9} frames per second looked at");
        o.WriteLine($"{"RSS at the first grant / after",-34}{N(rssStart),9}{N(rssAfter),8} MB   ({c.Note})");
        o.WriteLine($"  (every {N(c.RssSampleSeconds)} s: {string.Join(", ", c.RssMbDuringSoak.Select(m => N(m)))} MB)");
    }

    private sealed record Soak(List<double> FrameToRelay, List<double> WalkUpToGrant, double? CpuShare, double? RssStart, double? RssAfter, List<double> RssDuring, long PreviewPictures);

    private static async Task<Soak> SoakAsync(string stream, string data, string config, string modelsDir, string? pin, int seconds, bool previewOpen, CancellationToken ct)
    {
        var frameToRelay = new List<double>();
        var walkUpToGrant = new List<double>();
        var firstGrant = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var site = $"http://127.0.0.1:{FreePort()}";
        using var daemon = Start(pin, stream, data, config, modelsDir, camera: null, site);
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var preview = previewOpen ? WatchPreviewAsync(new Uri(site + "/screen/camera.mjpeg"), watching.Token) : Task.FromResult(0L);
        var reading = ReadLinesAsync(daemon, line =>
        {
            // A face's grant (a pass's has no frame of a walk-up to time from).
            if (line.TryGetProperty("event", out var e) && e.GetString() == "granted" && line.GetProperty("method").GetString() == "face")
            {
                lock (frameToRelay)
                {
                    if (line.GetProperty("frame_to_relay_ms") is { ValueKind: JsonValueKind.Number } relay)
                    {
                        frameToRelay.Add(relay.GetDouble());
                    }

                    walkUpToGrant.Add(line.GetProperty("walkup_to_grant_ms").GetDouble());
                }

                firstGrant.TrySetResult();
            }
        });

        try
        {
            await firstGrant.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
        catch (TimeoutException)
        {
            throw CliError.Fault("bench: the station daemon granted nobody within 60 s of its stream: " + await StopAsync(daemon, reading));
        }

        var (cpu0, rss0) = Sample(daemon.Id);
        var clock = Stopwatch.StartNew();
        var during = new List<double>();
        for (var i = 1; i <= RssSamples; i++)
        {
            if (TimeSpan.FromSeconds(seconds * i / (double)RssSamples) - clock.Elapsed is var wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, ct);
            }
            if (i < RssSamples && Sample(daemon.Id).RssMb is { } rss)
            {
                during.Add(rss);
            }
        }

        var (cpu1, rss1) = Sample(daemon.Id);
        if (rss1 is { } last)
        {
            during.Add(last);
        }

        var wall = clock.Elapsed.TotalSeconds;
        await watching.CancelAsync();
        var pictures = await preview;
        if (previewOpen && pictures == 0)
        {
            throw CliError.Fault($"bench: the door screen's preview at {site} sent no picture in {seconds} s: " + await StopAsync(daemon, reading));
        }

        await StopAsync(daemon, reading);
        lock (frameToRelay)
        {
            return new Soak(frameToRelay, walkUpToGrant, cpu0 is { } a && cpu1 is { } b ? Math.Round((b - a) / wall, 3) : null, rss0, rss1, during, pictures);
        }
    }

    private static async Task<double?> SustainedAsync(string stream, string data, string config, string modelsDir, string? pin, int seconds, CancellationToken ct)
    {
        double? fps = null;
        using var daemon = Start(pin, stream, data, config, modelsDir, camera: SustainedStreamFps, $"http://127.0.0.1:{FreePort()}");
        var reading = ReadLinesAsync(daemon, line =>
        {
            if (line.TryGetProperty("event", out var e) && e.GetString() == "summary")
            {
                fps = line.GetProperty("fps").GetDouble();
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        await StopAsync(daemon, reading);
        return fps;
    }

    private static Process Start(string? pin, string stream, string data, string config, string modelsDir, int? camera, string site)
    {
        var self = Environment.ProcessPath ?? throw CliError.Fault("bench: cannot tell where this executable is");
        var command = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            // Run as `dotnet station-edge.dll`: the daemon is started the same way.
            command.Add(typeof(StationBench).Assembly.Location);
        }

        command.AddRange(["run", "--camera", stream, "--gpio", "sim", "--config", config, "--data", data, "--json"]);
        var start = new ProcessStartInfo(pin ?? self) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        if (pin is not null)
        {
            foreach (var arg in new[] { "-c", "0", self })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in command)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["STATIONEDGE_MODELS"] = modelsDir;
        start.Environment["MALLOC_ARENA_MAX"] = "2"; // as deploy/station-edge.service runs it
        start.Environment["STATIONEDGE_Camera__Loop"] = "true";
        start.Environment["STATIONEDGE_KeeperSite__Urls"] = site;
        start.Environment["STATIONEDGE_Logging__LogLevel__Default"] = "Warning";
        if (camera is { } fps)
        {
            start.Environment["STATIONEDGE_Camera__Fps"] = fps.ToString(CultureInfo.InvariantCulture);
        }

        var process = Process.Start(start) ?? throw CliError.Fault("bench: the station daemon did not start");
        process.StandardInput.Close();
        return process;
    }

    /// <summary>
    /// A viewer of the door screen's camera (the preview the site makes from the loop's frames) until cancelled, asking
    /// again while the site is not up yet or the stream breaks; the pictures received.
    /// </summary>
    private static async Task<long> WatchPreviewAsync(Uri url, CancellationToken ct)
    {
        var boundary = "--frame\r\n"u8.ToArray();
        long pictures = 0;
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var buffer = new byte[64 * 1024];
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                var matched = 0;
                int n;
                while ((n = await body.ReadAsync(buffer, ct)) > 0)
                {
                    // The multipart boundary before each JPEG, found across reads.
                    for (var i = 0; i < n; i++)
                    {
                        matched = buffer[i] == boundary[matched] ? matched + 1 : buffer[i] == boundary[0] ? 1 : 0;
                        if (matched == boundary.Length)
                        {
                            pictures++;
                            matched = 0;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException)
            {
                // The site is not listening yet.
            }
            catch (IOException)
            {
                // The stream broke: ask again.
            }

            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return pictures;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Hands each JSON line to <paramref name="line"/>; returns stderr when stdout ends.</summary>
    private static async Task<string> ReadLinesAsync(Process daemon, Action<JsonElement> line)
    {
        var stderr = daemon.StandardError.ReadToEndAsync();
        while (await daemon.StandardOutput.ReadLineAsync() is { } text)
        {
            using var json = JsonDocument.Parse(text);
            line(json.RootElement);
        }

        return await stderr;
    }

    /// <summary>SIGTERM, as systemd stops it, then its last words (stderr) once it has exited.</summary>
    private static async Task<string> StopAsync(Process daemon, Task<string> reading)
    {
        if (!daemon.HasExited)
        {
            _ = Kill(daemon.Id, SigTerm);
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await daemon.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            daemon.Kill(entireProcessTree: true);
            throw CliError.Fault("bench: the station daemon did not stop within 20 s of SIGTERM");
        }

        var log = await reading;
        return daemon.ExitCode == 0 ? log : throw CliError.Fault($"bench: the station daemon exited with {daemon.ExitCode}: {Program.OneLine(log)}");
    }

    /// <summary>The process's CPU seconds so far (user + system) and resident MB, from /proc; nulls where there is no procfs.</summary>
    private static (double? CpuSeconds, double? RssMb) Sample(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var cpu = (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
            var rss = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) is { } line
                ? Math.Round(long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0, 1)
                : (double?)null;
            return (cpu, rss);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (null, null);
        }
    }

    private static string? Taskset()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "taskset");
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    private static Figure? Figure(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        return new Figure(Samples.Round(Samples.Percentile(sorted, 0.5)), Samples.Round(Samples.Percentile(sorted, 0.95)), sorted.Length);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
