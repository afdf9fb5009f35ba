using System.Diagnostics;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>The installed models (<see cref="RepoPaths.Models"/>); missing models fail the test with how to get them (CI runs set-up first).</summary>
internal static class TestModels
{
    private static readonly Lazy<string> Located = new(Locate);

    public static string Directory => Located.Value;

    public static string DemoPhoto(int n) => Path.Combine(Directory, "demo", $"sample{n}.jpg");

    private static string Locate()
    {
        var dir = RepoPaths.Models;
        if (!File.Exists(Path.Combine(dir, "models.lock.json")))
        {
            Assert.Fail($"no installed models at {dir} (models.lock.json is missing): run ./deploy.sh setup, or set STATIONEDGE_MODELS");
        }

        return dir;
    }
}

/// <summary>
/// A scratch copy of the models folder, so the installed models are never touched: every file copied (a model
/// linked from outside the folder is refused), the demo photos linked.
/// </summary>
internal sealed class ModelsCopy : IDisposable
{
    private readonly TempFolder _folder = new("stationedge-models-");

    public ModelsCopy(params string[] omit)
    {
        foreach (var file in System.IO.Directory.GetFiles(TestModels.Directory))
        {
            var name = System.IO.Path.GetFileName(file);
            if (!omit.Contains(name))
            {
                System.IO.File.Copy(file, File(name));
            }
        }

        System.IO.Directory.CreateSymbolicLink(File("demo"), System.IO.Path.Combine(TestModels.Directory, "demo"));
    }

    public string Path => _folder.Path;

    public string File(string name) => _folder.File(name);

    /// <summary>Replaces the copy with one whose byte at <paramref name="offset"/> is inverted.</summary>
    public string FlipByte(string name, long offset)
    {
        var bytes = System.IO.File.ReadAllBytes(System.IO.Path.Combine(TestModels.Directory, name));
        bytes[offset] ^= 0xFF;
        System.IO.File.Delete(File(name));
        System.IO.File.WriteAllBytes(File(name), bytes);
        return File(name);
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>The real ffmpeg, making test photos.</summary>
internal static class Ffmpeg
{
    public static void Run(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(true);
            throw new TimeoutException($"ffmpeg {string.Join(' ', args)} did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.GetAwaiter().GetResult()}");
        }
    }
}

/// <summary>
/// A stand-in for ffmpeg, first on PATH, for what the real one cannot be made to do on demand: hang, or spew.
/// </summary>
internal static class StandInFfmpeg
{
    /// <summary>The environment change that puts a shell script <paramref name="body"/> named ffmpeg first on PATH.</summary>
    public static Dictionary<string, string?> OnPath(TempFolder folder, string body)
    {
        var bin = Directory.CreateDirectory(folder.File("bin")).FullName;
        var script = Path.Combine(bin, "ffmpeg");
        File.WriteAllText(script, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new() { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };
    }
}
