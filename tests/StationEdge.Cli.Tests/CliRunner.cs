using System.Diagnostics;
using System.Text.Json;

namespace StationEdge.Cli.Tests;

/// <summary>What station-edge printed and how it ended.</summary>
internal sealed record CliResult(int Exit, string Stdout, string Stderr)
{
    public string[] StdoutLines => CliRunner.Lines(Stdout);

    public string[] StderrLines => CliRunner.Lines(Stderr);

    public JsonElement Json()
    {
        // Parse fails on anything after the document, so this also proves stdout holds nothing but the JSON.
        using var doc = JsonDocument.Parse(Stdout);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// The bad-input/fault contract: the given exit code, nothing on stdout, and exactly one line on stderr that
    /// names <paramref name="mustName"/> and is no .NET stack trace.
    /// </summary>
    public string AssertOneLineError(int exit, string mustName)
    {
        // eval's progress lines are logs, not part of the error.
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("eval: analysed ", StringComparison.Ordinal))
            .ToArray();
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{Stderr}");
        var line = lines[0];
        Assert.StartsWith("station-edge: ", line, StringComparison.Ordinal);
        Assert.Contains(mustName, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.Equal(exit, Exit);
        Assert.Equal("", Stdout);
        return line;
    }
}

/// <summary>Runs station-edge in-process (Program.RunAsync) or as a child process of the built station-edge.dll.</summary>
internal static class CliRunner
{
    public static Task<CliResult> InProcessAsync(params string[] args) => InProcessWithStdinAsync("", args);

    public static async Task<CliResult> InProcessWithStdinAsync(string stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Program.RunAsync(args, new StringReader(stdin), stdout, stderr, CancellationToken.None);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// A real process: needed where ONNX Runtime must not be loaded yet (it loads once per process and stays) and to
    /// see exactly what reaches stdout. Killed after a minute, so a hang fails the test instead of stalling the run.
    /// </summary>
    public static async Task<CliResult> ChildProcessAsync(params string[] args)
    {
        using var process = Start(args);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"station-edge {string.Join(' ', args)} did not finish within a minute");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The built station-edge.dll with stdin, stdout and stderr redirected, for tests that talk to it as it runs.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(AssemblyPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Kills the process if the test has not finished with it within a minute: a broken build fails, not hangs.</summary>
    public static CancellationTokenSource Guard(Process process)
    {
        var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        guard.Token.Register(() =>
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        });
        return guard;
    }

    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The built station-edge.dll: copied next to the tests by the project reference.</summary>
    private static string AssemblyPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "station-edge.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"station-edge.dll not found next to the tests at {path}; build tests/StationEdge.Cli.Tests");
        }
    }
}
