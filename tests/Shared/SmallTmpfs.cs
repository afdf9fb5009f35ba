using System.Diagnostics;

namespace StationEdge.Tests.Shared;

/// <summary>A tmpfs mounted on a temporary folder, unmounted on dispose. Needs root (CI and this machine run as root).</summary>
public sealed class SmallTmpfs : IDisposable
{
    private readonly TempFolder _folder;

    private SmallTmpfs(TempFolder folder)
    {
        _folder = folder;
    }

    public string Path => _folder.Path;

    public static SmallTmpfs Mount(int sizeMiB)
    {
        var folder = new TempFolder("stationedge-tmpfs-");
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m,mode=0700", "tmpfs", folder.Path);
        if (code != 0)
        {
            folder.Dispose();
            throw new InvalidOperationException($"mount tmpfs failed ({code}): {error}");
        }

        return new SmallTmpfs(folder);
    }

    public static string? Unavailable { get; } = Probe();

    /// <summary>Writes <paramref name="path"/> until the file system has no space left (what a full-disk test wants).</summary>
    public static void FillUp(string path)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // No space left on the device.
        }
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        _folder.Dispose();
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return "Full-disk test: needs root on Linux to mount a small tmpfs for the data folder.";
        }

        try
        {
            using var probe = Mount(1);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"Full-disk test: cannot mount a tmpfs here ({e.Message.ReplaceLineEndings(" ")}).";
        }
    }

    private static (int Code, string Error) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error.Trim());
    }
}

/// <summary>A fact skipped, with the reason, where a tmpfs cannot be mounted.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (SmallTmpfs.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
