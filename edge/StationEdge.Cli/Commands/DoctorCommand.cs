using System.Diagnostics;
using System.Runtime.InteropServices;
using StationEdge.Vision.Models;
using StationEdge.Vision.Onnx;

namespace StationEdge.Cli.Commands;

/// <summary>`doctor`: checks what the station needs and says exactly how to fix what is wrong.</summary>
internal static class DoctorCommand
{
    public sealed record Check(string Name, bool Ok, string Detail, string? Fix);

    public sealed record Report(bool Ok, string Models, IReadOnlyList<Check> Checks);

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse("doctor", argv, ["--models"]);
        var modelsPath = VisionCli.ModelsPath(args);
        var checks = new List<Check>();
        checks.AddRange(CheckModels(modelsPath));
        checks.Add(await CheckFfmpegAsync(ct));
        checks.Add(CheckLibrary("libgpiod", "libgpiod.so.2", "apt-get install libgpiod2 (needed for the door relay on a Pi)"));

        var report = new Report(checks.All(c => c.Ok), modelsPath, checks);
        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
        }
        else
        {
            foreach (var c in checks)
            {
                stdout.WriteLine($"{(c.Ok ? "ok  " : "FAIL")}  {c.Name,-22} {c.Detail}");
                if (!c.Ok && c.Fix is not null)
                {
                    stdout.WriteLine($"      {"",-22} fix: {c.Fix}");
                }
            }

            stdout.WriteLine(report.Ok ? "all checks passed" : $"{checks.Count(c => !c.Ok)} check(s) failed");
        }

        return report.Ok ? 0 : CliError.FaultCode;
    }

    private static IEnumerable<Check> CheckModels(string modelsPath)
    {
        const string setup = "run ./deploy.sh setup";
        ModelDirectory? directory = null;
        string? openProblem = null;
        try
        {
            directory = ModelDirectory.Open(modelsPath);
        }
        catch (ModelIntegrityException e)
        {
            openProblem = e.Message;
        }

        if (directory is null)
        {
            yield return new Check("models folder", false, openProblem!, setup);
            yield break;
        }

        yield return new Check("models folder", true, modelsPath, null);
        var arch = RuntimeInformation.ProcessArchitecture;
        var artifacts = directory.Lock.ForArchitecture(arch).ToList();
        if (artifacts.All(a => a.Id != "onnxruntime"))
        {
            yield return new Check("onnxruntime", false, $"no ONNX Runtime build is pinned for {ModelLock.ArchitectureName(arch)}", null);
        }

        var runtimeOk = false;
        foreach (var artifact in artifacts)
        {
            var path = Path.Combine(modelsPath, artifact.RuntimeFile);
            string? problem = null;
            try
            {
                ModelDirectory.VerifyFile(path, artifact.RuntimeSha256);
            }
            catch (ModelIntegrityException e)
            {
                problem = e.Message;
            }

            if (problem is null && artifact.Id == "onnxruntime")
            {
                problem = TryLoadRuntime(path);
                runtimeOk = problem is null;
            }
            else if (problem is null && runtimeOk && artifact.RuntimeFile.EndsWith(".onnx", StringComparison.Ordinal))
            {
                problem = TryOpenSession(path);
            }

            var detail = problem ?? $"{artifact.RuntimeFile} sha256 {artifact.RuntimeSha256[..12]}… ok"
                + (artifact.Id == "onnxruntime" ? $", version {OnnxRuntimeLibrary.Version}" : "");
            yield return new Check(artifact.Id, problem is null, detail, problem is null ? null : setup);
        }
    }

    private static string? TryLoadRuntime(string path)
    {
        try
        {
            OnnxRuntimeLibrary.Load(path);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return e.Message;
        }
    }

    private static string? TryOpenSession(string path)
    {
        try
        {
            using var session = new InferenceSession(path);
            return null;
        }
        catch (OnnxRuntimeException e)
        {
            return $"{Path.GetFileName(path)}: ONNX Runtime cannot open it: {e.Message}";
        }
    }

    /// <summary>ffmpeg -version, both streams read, killed after 5 s: a hung ffmpeg is a failed check, not a hung doctor.</summary>
    private static async Task<Check> CheckFfmpegAsync(CancellationToken ct)
    {
        const string install = "apt-get install ffmpeg";
        var psi = new ProcessStartInfo("ffmpeg", ["-hide_banner", "-version"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Check("ffmpeg", false, "ffmpeg is not on PATH (photos and cameras are decoded by it)", install);
        }

        using (process)
        {
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                var firstLine = (await stdout).Split('\n', 2)[0].Trim();
                await stderr;
                return process.ExitCode == 0
                    ? new Check("ffmpeg", true, firstLine, null)
                    : new Check("ffmpeg", false, $"ffmpeg -version exited {process.ExitCode}", install);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                ct.ThrowIfCancellationRequested();
                return new Check("ffmpeg", false, "ffmpeg -version did not answer within 5 s and was stopped", "apt-get install --reinstall ffmpeg");
            }
        }
    }

    private static Check CheckLibrary(string name, string soname, string fix)
    {
        if (NativeLibrary.TryLoad(soname, out var handle))
        {
            NativeLibrary.Free(handle);
            return new Check(name, true, $"{soname} loads", null);
        }

        return new Check(name, false, $"{soname} cannot be loaded", fix);
    }
}
