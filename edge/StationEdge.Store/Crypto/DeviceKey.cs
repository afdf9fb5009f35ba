using System.Security.Cryptography;
using StationEdge.Configuration;

namespace StationEdge.Store.Crypto;

/// <summary>
/// The station's 256-bit AES key in a file of exactly 32 bytes, mode 0600. Created once, at the first start; a file
/// that is open to group or others, or of another size, is refused rather than used or replaced.
/// </summary>
internal static class DeviceKey
{
    public const int Size = 32;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The key in <paramref name="path"/>, or null when there is no such file.</summary>
    public static byte[]? Load(string path)
    {
        var file = new FileInfo(path);
        if (FileInspector.NotRegularReason(path) is { } notRegular)
        {
            throw new StoreException(StoreFault.Key, $"device key {path} {notRegular}");
        }

        if (!file.Exists)
        {
            return null;
        }

        if (file.Length != Size)
        {
            throw new StoreException(StoreFault.Key, $"device key {path} is {file.Length} bytes, not {Size}: it is not a device key (restore the station's key file)");
        }

        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) is var mode && (mode & GroupOrOther) != 0)
        {
            throw new StoreException(StoreFault.Key, $"device key {path} has mode {Octal(mode)}: it must be readable by its owner only (chmod 600 {path})");
        }

        try
        {
            var key = File.ReadAllBytes(path);
            return key.Length == Size ? key
                : throw new StoreException(StoreFault.Key, $"device key {path} is {key.Length} bytes, not {Size}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreFault.Key, $"device key {path} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Creates a new random key file, mode 0600 from the start (never briefly readable by others).</summary>
    public static byte[] Create(string path)
    {
        var key = RandomNumberGenerator.GetBytes(Size);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(key);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(path);
            throw new StoreException(StoreFault.Key, $"device key {path} cannot be created: {e.Message}", e);
        }

        return key;
    }

    /// <summary>A short fingerprint of the key, kept in the database to tell a replaced key from the right one.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> key)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, "stationedge device key fingerprint v1"u8, mac);
        return Convert.ToHexStringLower(mac[..8]);
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to add: the caller reports the failure that brought us here.
        }
    }
}
