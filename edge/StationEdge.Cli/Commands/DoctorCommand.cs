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

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout)
    {
        var args = CliArgs.Parse("doctor", argv, ["--models", "--config"]);
        var modelsPath = VisionCli.ModelsPath(args);
        var checks = new List<Check>();
        checks.AddRange(CheckModels(modelsPath));
        checks.Add(CheckFfmpeg());
        checks.AddRange(DoorDoctorChecks.Run(args.Value("--config")));

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

    private static Check CheckFfmpeg()
    {
        try
        {
            var psi = new ProcessStartInfo("ffmpeg", "-hide_banner -version") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var firstLine = process.StandardOutput.ReadLine() ?? "";
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0
                ? new Check("ffmpeg", true, firstLine, null)
                : new Check("ffmpeg", false, $"ffmpeg -version exited {process.ExitCode}", "apt-get install ffmpeg");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new Check("ffmpeg", false, "ffmpeg is not on PATH (photos and cameras are decoded by it)", "apt-get install ffmpeg");
        }
    }
}
