using System.Diagnostics;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests.Faults;

/// <summary>The data folder on a file system that fills up: a real tmpfs of a few MiB, mounted for the test.</summary>
public sealed class FullDiskTests
{
    [TmpfsFact]
    public async Task FullDisk_FailsTheWriteNamingTheDataFolder_KeepsWhatIsStored_AndWritesResumeWhenSpaceReturns()
    {
        using var mount = SmallTmpfs.Mount(sizeMiB: 4);
        await using var test = await TestStore.OpenAsync(dataPath: Path.Combine(mount.Path, "data"));
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        var stored = new List<Visit>();
        for (var i = 0; i < 20; i++)
        {
            stored.Add(await test.Store.RecordVisitAsync(TestStore.Granted("W001")));
        }

        var filler = Path.Combine(mount.Path, "filler");
        FillUp(filler);
        StoreException? full = null;
        for (var i = 0; i < 10_000 && full is null; i++)
        {
            try
            {
                stored.Add(await test.Store.RecordVisitAsync(TestStore.Granted("W001") with { Reason = new string('x', 150) }));
            }
            catch (StoreException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Equal(StoreFault.DiskFull, full.Fault);
        Assert.Equal($"the data folder {test.DataPath} is full: the visit was not stored (what is stored is kept; writes resume when space is freed)", full.Message);
        Assert.Equal(stored.Select(v => v.Seq).Reverse(), (await test.Store.ListVisitsAsync(limit: 10_000)).Select(v => v.Seq));
        Assert.Single((await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates);

        File.Delete(filler);
        var resumed = await test.Store.RecordVisitAsync(TestStore.Granted("W001"));
        Assert.Equal(stored[^1].Seq + 1, resumed.Seq);

        await test.ReopenAsync();
        Assert.Equal(stored.Count + 1, (await test.Store.ListVisitsAsync(limit: 10_000)).Count);
        await test.CloseAsync();
        Assert.True((await StationStore.CheckAsync(test.Options)).Healthy);
    }

    private static void FillUp(string path)
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
            // No space left on the device: what the test wants.
        }
    }
}

/// <summary>A tmpfs mounted on a temporary folder, unmounted on dispose. Needs root (CI and this machine run as root).</summary>
internal sealed class SmallTmpfs : IDisposable
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
