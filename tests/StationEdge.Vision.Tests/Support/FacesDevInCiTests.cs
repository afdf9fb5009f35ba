using System.Diagnostics;

namespace StationEdge.Vision.Tests.Support;

/// <summary>CI must not pass by skipping every face test because ../shared was not laid beside the clone.</summary>
public sealed class FacesDevInCiTests
{
    private const string FaceTest = "StationEdge.Vision.Tests.Imaging.PhotoDecoderTests.Decode_EveryFacesDevPhoto_MatchesFfprobesSizeAndFfmpegsOwnPixels";

    [Fact]
    public async Task FacesDevTest_WithCiSetAndNoPhotoSet_FailsNamingTheMissingFolder()
    {
        var result = await RunFaceTestOutsideTheCheckoutAsync(ci: true);

        Assert.True(result.Exit != 0, $"the face test passed or was skipped with CI=true:\n{result.Output}");
        Assert.Contains("Failed " + FaceTest, result.Output, StringComparison.Ordinal);
        Assert.Contains("faces-dev", result.Output, StringComparison.Ordinal);
        Assert.Contains("CI=true", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FacesDevTest_WithoutCiAndNoPhotoSet_IsSkippedSayingWhy()
    {
        var result = await RunFaceTestOutsideTheCheckoutAsync(ci: false);

        Assert.True(result.Exit == 0, result.Output);
        Assert.Contains("Skipped " + FaceTest, result.Output, StringComparison.Ordinal);
        Assert.Contains("faces-dev", result.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs one face test from a copy of this test assembly in a temporary folder: no repository root above it,
    /// so no ../shared either, which is what a CI clone without the photo set looks like to the tests.
    /// </summary>
    private static async Task<(int Exit, string Output)> RunFaceTestOutsideTheCheckoutAsync(bool ci)
    {
        using var copy = new TempFolder("stationedge-no-checkout-");
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory))
        {
            File.Copy(file, copy.File(Path.GetFileName(file)));
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = copy.Path,
        };
        foreach (var arg in (string[])["test", copy.File("StationEdge.Vision.Tests.dll"), "--filter", $"FullyQualifiedName={FaceTest}", "--logger", "console;verbosity=normal"])
        {
            start.ArgumentList.Add(arg);
        }

        if (ci)
        {
            start.Environment["CI"] = "true";
        }
        else
        {
            start.Environment.Remove("CI");
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(guard.Token);
        var stderr = process.StandardError.ReadToEndAsync(guard.Token);
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
