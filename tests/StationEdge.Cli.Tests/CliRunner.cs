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

/// <summary>Runs station-edge in-process (Program.RunAsync), as a child process of the built station-edge.dll, or as the published executable.</summary>
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
    public static Task<CliResult> ChildProcessAsync(params string[] args) => FinishAsync(Start(args), args, stdin: null);

    /// <summary>
    /// The published executable (<see cref="PublishedPath"/>) as a user starts it, with changes to its environment
    /// (a null value removes the variable) and optional bytes on stdin; killed after a minute like a child process.
    /// </summary>
    public static Task<CliResult> PublishedAsync(string[] args, IReadOnlyDictionary<string, string?>? environment = null, byte[]? stdin = null) =>
        FinishAsync(StartPublished(environment, args), args, stdin);

    /// <summary>The built station-edge.dll with stdin, stdout and stderr redirected, for tests that talk to it as it runs.</summary>
    public static Process Start(params string[] args) => Start("dotnet", [AssemblyPath, .. args], null);

    /// <summary>The published executable with stdin, stdout and stderr redirected.</summary>
    public static Process StartPublished(IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Start(PublishedPath, args, environment);

    /// <summary>Sends a signal (TERM, INT, …) to a running process, as a service manager or Ctrl-C would.</summary>
    public static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {process.Id} failed");
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

    /// <summary>
    /// out/station-edge/station-edge, which ./deploy.sh setup publishes. It must be this build (its station-edge.dll
    /// byte for byte the one next to the tests), or a test would pass or fail on old code.
    /// </summary>
    public static string PublishedPath
    {
        get
        {
            var folder = Path.Combine(RepoPaths.Root, "out", "station-edge");
            var path = Path.Combine(folder, "station-edge");
            Assert.True(File.Exists(path), $"{path} is missing: run ./deploy.sh setup");
            Assert.True(
                File.ReadAllBytes(Path.Combine(folder, "station-edge.dll")).AsSpan().SequenceEqual(File.ReadAllBytes(AssemblyPath)),
                $"{path} is not this build: run ./deploy.sh setup (or dotnet publish edge/StationEdge.Cli -c Release -o out/station-edge)");
            return path;
        }
    }

    /// <summary>The built station-edge.dll: copied next to the tests by the project reference.</summary>
    private static string AssemblyPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "station-edge.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"station-edge.dll not found next to the tests at {path}; build tests/StationEdge.Cli.Tests");
        }
    }

    private static Process Start(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
    }

    private static async Task<CliResult> FinishAsync(Process process, string[] args, byte[]? stdin)
    {
        using (process)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                if (stdin is not null)
                {
                    await process.StandardInput.BaseStream.WriteAsync(stdin, timeout.Token);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It stopped reading (it refused the input): what it printed says why.
            }

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
    }
}
