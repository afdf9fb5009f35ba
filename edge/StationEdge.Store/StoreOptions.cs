using Microsoft.Extensions.Options;

namespace StationEdge.Store;

/// <summary>The <c>Store</c> configuration section: where the station's records live and how long visits are kept.</summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    /// <summary>
    /// The data folder (database, device key). Unset: <c>$STATIONEDGE_DATA</c>, else <c>/var/lib/station-edge</c>
    /// (see <see cref="DataFolder.Resolve(string?)"/>); a command's <c>--data DIR</c> sets it.
    /// </summary>
    public string? DataPath { get; set; }

    /// <summary>The device key file. Unset: <c>device.key</c> in the data folder.</summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Keep each template's aligned 112×112 face crop (encrypted) so a new embedder can re-embed everyone without
    /// re-enrolment. Off by default: a crop is a face image, and PIPL asks to keep no more than is needed.
    /// </summary>
    public bool KeepCrops { get; set; }

    /// <summary>Visits older than this are deleted by retention, once the sync has delivered them.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>How long a write waits for another process's write (a command while the daemon runs).</summary>
    public int BusyTimeoutMs { get; set; } = 5000;
}

/// <summary>Checks the <c>Store</c> section; each failure names its key, e.g. "Store:RetentionDays must be …".</summary>
public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public const int MaxRetentionDays = 3650;

    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Path("DataPath", options.DataPath);
        Path("KeyFile", options.KeyFile);
        Range("RetentionDays", options.RetentionDays, 1, MaxRetentionDays);
        Range("BusyTimeoutMs", options.BusyTimeoutMs, 100, 60000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Path(string key, string? value)
        {
            if (value is null)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"Store:{key} must be a path or left out (was empty)");
            }
            else if (value.Contains('\0', StringComparison.Ordinal))
            {
                failures.Add($"Store:{key} must be a path (contains a NUL character)");
            }
        }

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Store:{key} must be between {min} and {max} (was {value})");
            }
        }
    }
}

/// <summary>Where the station's data folder is: <c>--data DIR</c>, else <c>$STATIONEDGE_DATA</c>, else <c>/var/lib/station-edge</c>.</summary>
public static class DataFolder
{
    public const string DefaultPath = "/var/lib/station-edge";
    public const string EnvironmentVariable = "STATIONEDGE_DATA";
    public const string DatabaseFileName = "station.db";
    public const string KeyFileName = "device.key";

    /// <summary>The absolute data folder for <paramref name="explicitPath"/> (a <c>--data</c> flag or <c>Store:DataPath</c>; null when unset).</summary>
    public static string Resolve(string? explicitPath) => Resolve(explicitPath, Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>As <see cref="Resolve(string?)"/>, with the environment variable's value given.</summary>
    public static string Resolve(string? explicitPath, string? environmentValue)
    {
        var chosen = !string.IsNullOrWhiteSpace(explicitPath) ? explicitPath
            : !string.IsNullOrWhiteSpace(environmentValue) ? environmentValue
            : DefaultPath;
        return Path.TrimEndingDirectorySeparator(Path.GetFullPath(chosen));
    }

    /// <summary>
    /// Refuses a data folder that its group or others may enter: it holds the faces, the device key and the keeper
    /// site's keys, and a folder made by hand with mkdir (0755) would show every file name and any file left 0644.
    /// </summary>
    /// <exception cref="StoreException">The folder's mode lets others in; the message says how to fix it.</exception>
    public static void CheckPrivate(string path)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(path))
        {
            return;
        }

        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & others) != 0)
        {
            throw new StoreException(StoreFault.InvalidInput,
                $"the data folder {path} is open to others (mode 0{Convert.ToString((int)mode & 0x1FF, 8)}): run chmod 700 {path}");
        }
    }
}
