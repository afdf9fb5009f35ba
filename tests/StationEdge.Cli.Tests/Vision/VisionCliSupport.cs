using System.Diagnostics;

namespace StationEdge.Cli.Tests.Vision;

/// <summary>
/// The installed models: $STATIONEDGE_MODELS, else &lt;repo root&gt;/out/models. Missing models fail the test
/// with how to get them (CI runs set-up first).
/// </summary>
internal static class TestModels
{
    private static readonly Lazy<string> Located = new(Locate);

    public static string Directory => Located.Value;

    public static string DemoPhoto(int n) => Path.Combine(Directory, "demo", $"sample{n}.jpg");

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("STATIONEDGE_MODELS");
        var dir = !string.IsNullOrWhiteSpace(fromEnv) ? Path.GetFullPath(fromEnv) : Path.Combine(RepoRoot.Path, "out", "models");
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

internal static class RepoRoot
{
    public static string Path
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "StationEdge.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"no StationEdge.sln above {AppContext.BaseDirectory}");
        }
    }
}

/// <summary>../shared/data/faces-dev from the repository root, or null when this machine does not have it.</summary>
internal static class FacesDev
{
    public static string? Folder
    {
        get
        {
            var parent = Directory.GetParent(RepoRoot.Path);
            var folder = parent is null ? null : Path.Combine(parent.FullName, "shared", "data", "faces-dev");
            return folder is not null && Directory.Exists(folder) ? folder : null;
        }
    }

    public static string Photo(string name) =>
        Path.Combine(Folder ?? throw new InvalidOperationException("faces-dev is absent; mark the test [FacesDevFact]"), name);
}

/// <summary>A fact that needs ../shared/data/faces-dev and is skipped, saying so, when it is absent.</summary>
public sealed class FacesDevFactAttribute : FactAttribute
{
    public FacesDevFactAttribute()
    {
        if (FacesDev.Folder is null)
        {
            Skip = "needs the faces-dev photo set at ../shared/data/faces-dev next to the repository root; it is not there";
        }
    }
}
