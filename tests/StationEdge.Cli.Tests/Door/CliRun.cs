using System.Diagnostics;

namespace StationEdge.Cli.Tests.Door;

/// <summary>Runs station-edge in-process (its RunAsync entry) or as a real process (dotnet station-edge.dll).</summary>
internal static class CliRun
{
    public static async Task<(int Exit, string[] Stdout, string Stderr)> InProcessAsync(string stdin, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Program.RunAsync(args, new StringReader(stdin), stdout, stderr, CancellationToken.None);
        return (exit, Lines(stdout.ToString()), stderr.ToString());
    }

    /// <summary>The built station-edge.dll: copied next to the tests by the project reference.</summary>
    public static string AssemblyPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "station-edge.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"station-edge.dll not found next to the tests at {path}; build tests/StationEdge.Cli.Tests");
        }
    }

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
}

/// <summary>A config file in the appsettings shape, deleted with the test.</summary>
internal sealed class ConfigFile : IDisposable
{
    public ConfigFile(string json)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"station-edge-door-{Guid.NewGuid():N}.json");
        File.WriteAllText(Path, json);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
