using System.Diagnostics;

namespace StationEdge.Tests.Shared;

/// <summary>ffmpeg for making test media: nothing is checked in.</summary>
public static class TestFfmpeg
{
    /// <summary>Runs ffmpeg to completion (bounded by <paramref name="limitSeconds"/>) and fails the test on a non-zero exit.</summary>
    public static void Run(IEnumerable<string> args, int limitSeconds = 60)
    {
        var list = args.ToList();
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" }.Concat(list))
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limitSeconds * 1000))
        {
            process.Kill();
            process.WaitForExit();
            Xunit.Assert.Fail($"ffmpeg did not finish making test media within {limitSeconds} s");
        }

        Xunit.Assert.True(process.ExitCode == 0, $"ffmpeg {string.Join(' ', list)} failed: {stderr.Result}");
    }
}
