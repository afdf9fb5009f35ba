using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>`doctor`: checks what the station needs and says exactly how to fix what is wrong.</summary>
internal static class DoctorCommand
{
    public sealed record Check(string Name, bool Ok, string Detail, string? Fix);

    public sealed record Report(bool Ok, string Models, IReadOnlyList<Check> Checks);

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout)
    {
        var args = CliArgs.Parse("doctor", argv, ["--models"]);
        var modelsPath = VisionCli.ModelsPath(args);
        var checks = new List<Check>();
        var runtime = CheckRuntime();
        checks.Add(runtime);
        checks.AddRange(CheckModels(modelsPath, runtime.Ok));
        checks.Add(CheckFfmpeg());
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

    private static IEnumerable<Check> CheckModels(string modelsPath, bool runtimeOk)
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
        foreach (var artifact in directory.Lock.ForArchitecture(RuntimeInformation.ProcessArchitecture))
        {
            string? problem = null;
            try
            {
                // The same read-check-load as the daemon: the bytes whose sha256 matched are the ones ONNX Runtime opens.
                var model = directory.ReadVerified(artifact.Id);
                if (runtimeOk && artifact.RuntimeFile.EndsWith(".onnx", StringComparison.Ordinal))
                {
                    using var options = FaceModels.CreateSessionOptions(new VisionOptions());
                    using var session = ModelDirectory.CreateSession(model, options);
                }
            }
            catch (ModelIntegrityException e)
            {
                problem = e.Message;
            }

            var detail = problem ?? $"{artifact.RuntimeFile} sha256 {artifact.RuntimeSha256[..12]}… ok";
            yield return new Check(artifact.Id, problem is null, detail, problem is null ? null : setup);
        }
    }

    /// <summary>ONNX Runtime comes with station-edge (the Microsoft.ML.OnnxRuntime package's native library), not from the models folder.</summary>
    private static Check CheckRuntime()
    {
        try
        {
            return new Check("onnxruntime", true, $"ONNX Runtime {OrtEnv.Instance().GetVersionString()} (Microsoft.ML.OnnxRuntime package)", null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            var why = e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message;
            return new Check(
                "onnxruntime",
                false,
                $"ONNX Runtime does not load: {why}",
                "publish station-edge again (dotnet publish copies libonnxruntime.so from the Microsoft.ML.OnnxRuntime package)");
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
