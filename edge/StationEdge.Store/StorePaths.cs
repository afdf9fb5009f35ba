namespace StationEdge.Store;

/// <summary>The files of one store: the data folder, the database in it, the device key and the lock file.</summary>
internal sealed record StorePaths(string DataPath, string DatabasePath, string KeyPath, string LockPath)
{
    public const string LockFileName = "station.lock";

    public static StorePaths From(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new StoreOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new StoreException(StoreFault.InvalidInput, string.Join("; ", result.Failures));
        }

        var data = DataFolder.Resolve(options.DataPath);
        return new StorePaths(
            data,
            Path.Combine(data, DataFolder.DatabaseFileName),
            options.KeyFile is { } key ? Path.GetFullPath(key) : Path.Combine(data, DataFolder.KeyFileName),
            Path.Combine(data, LockFileName));
    }

    /// <summary>Creates the data folder (0700) when it does not exist; refuses one that others may enter.</summary>
    public void EnsureDataFolder()
    {
        if (File.Exists(DataPath))
        {
            throw new StoreException(StoreFault.Io, $"the data folder {DataPath} is a file, not a folder");
        }

        try
        {
            CreatePrivateFolder(DataPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreFault.Io, $"the data folder {DataPath} cannot be created: {e.Message}", e);
        }

        DataFolder.CheckPrivate(DataPath);
    }

    /// <summary>Creates a folder only its owner can enter (0700).</summary>
    public static void CreatePrivateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Holds <see cref="LockPath"/>: shared by every open store (the daemon and commands beside it), exclusive for
    /// recover, which must have the files to itself. .NET takes these as flock(2) locks, released when the process dies.
    /// </summary>
    public FileStream Lock(bool exclusive)
    {
        try
        {
            return new FileStream(LockPath, FileMode.OpenOrCreate, exclusive ? FileAccess.ReadWrite : FileAccess.Read,
                exclusive ? FileShare.None : FileShare.ReadWrite);
        }
        catch (IOException e) when (File.Exists(LockPath))
        {
            throw new StoreException(StoreFault.InUse, exclusive
                ? $"{DatabasePath} is open in another process (is station-edge run active? stop it first: systemctl stop station-edge)"
                : $"{DatabasePath} is being recovered by 'station-edge store recover'; try again when it has finished", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreFault.Io, $"the data folder {DataPath} cannot be used: {e.Message}", e);
        }
    }
}
