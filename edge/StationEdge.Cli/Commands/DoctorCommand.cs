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

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse("doctor", argv, ["--models", "--config"]);
        var modelsPath = VisionCli.ModelsPath(args);
        var checks = new List<Check>();
        var runtime = CheckRuntime();
        checks.Add(runtime);
        checks.AddRange(CheckModels(modelsPath, runtime.Ok));
        checks.Add(await CheckFfmpegAsync(ct));
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
}
