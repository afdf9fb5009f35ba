using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>What OpenCV's DNN module took for the same model files: figures, or why there are none.</summary>
internal sealed record OpenCvTimes(string? Version, Figure? DetectMs, Figure? EmbedMs, string? Error);

/// <summary>
/// Runs tests/bench/opencv_dnn_bench.py (copied beside station-edge at build) under the system Python, which is
/// where Debian's python3-opencv lives. A missing Python, OpenCV or script is reported, not a failure: the
/// comparison is context for the ORT figures, not something a station needs.
/// </summary>
internal static class OpenCvDnnBench
{
    public const string ScriptName = "opencv_dnn_bench.py";
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, ScriptName);

    public static async Task<OpenCvTimes> RunAsync(
        string detector, string embedder, int threads, int runs, IReadOnlyList<string> photos, CancellationToken ct)
    {
        if (!File.Exists(Python))
        {
            return Failed($"{Python} not found (install python3 and python3-opencv for the comparison)");
        }

        if (!File.Exists(ScriptPath))
        {
            return Failed($"{ScriptPath} not found (it is copied there when station-edge is built)");
        }

        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { ScriptPath, "--detector", detector, "--embedder", embedder, "--threads", $"{threads}", "--runs", $"{runs}", "--" })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var photo in photos)
        {
            start.ArgumentList.Add(photo);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return Failed($"cannot start {Python}: {e.Message}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return Parse(await stdout, await stderr, process.ExitCode);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            return Failed($"{ScriptName} did not finish within {Timeout.TotalMinutes:0} minutes");
        }
    }

    private static OpenCvTimes Parse(string stdout, string stderr, int exitCode)
    {
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (exitCode != 0 || line is null)
        {
            var why = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
            return Failed($"{ScriptName} exited with code {exitCode}: {why}");
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.TryGetProperty("error", out var error))
            {
                return Failed(error.ToString());
            }

            return new OpenCvTimes(root.GetProperty("opencv").GetString(), Read(root.GetProperty("detect_ms")), Read(root.GetProperty("embed_ms")), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return Failed($"{ScriptName} printed something other than its JSON result: {line}");
        }
    }

    private static Figure Read(JsonElement stats) =>
        new(Samples.Round(stats.GetProperty("median").GetDouble()), Samples.Round(stats.GetProperty("p95").GetDouble()), stats.GetProperty("runs").GetInt32());

    private static OpenCvTimes Failed(string error) => new(null, null, null, error);
}
