using System.Runtime.InteropServices;

namespace StationEdge.Vision.Files;

/// <summary>What a path names, as far as reading it as a file goes.</summary>
public enum FileKind
{
    /// <summary>Could not be told (no such file, no permission to look, or not Linux): opening it says what is wrong.</summary>
    Unknown,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
}

/// <summary>The device and inode a path resolves to: two paths with the same identity are one file.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>
/// Tells what a path is with statx(2), following symbolic links, without opening it: opening a FIFO for reading
/// blocks until a writer appears, and a device can stream forever, so a photo or pairs file must be checked first.
/// statx's buffer has one layout on every architecture (unlike struct stat), so x64 and the Pi's arm64 share this.
/// </summary>
public static partial class FileInspector
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const int BufferSize = 256;

    public static (FileKind Kind, FileIdentity? Identity) Inspect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux())
        {
            return (FileKind.Unknown, null);
        }

        Span<byte> buffer = stackalloc byte[BufferSize];
        if (Statx(AtFdCwd, path, 0, StatxType | StatxIno, buffer) != 0)
        {
            return (FileKind.Unknown, null);
        }

        var mode = MemoryMarshal.Read<ushort>(buffer[0x1C..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        var device = ((ulong)MemoryMarshal.Read<uint>(buffer[0x88..]) << 32) | MemoryMarshal.Read<uint>(buffer[0x8C..]);
        return (kind, new FileIdentity(device, MemoryMarshal.Read<ulong>(buffer[0x20..])));
    }

    /// <summary>Why <paramref name="path"/> cannot be read as a file ("is a FIFO, not a regular file"), or null when it may be.</summary>
    public static string? NotRegularReason(string path) => NotRegularReason(Inspect(path).Kind);

    public static string? NotRegularReason(FileKind kind) => kind switch
    {
        FileKind.Directory => "is a directory, not a regular file",
        FileKind.Fifo => "is a FIFO, not a regular file",
        FileKind.CharacterDevice => "is a character device, not a regular file",
        FileKind.BlockDevice => "is a block device, not a regular file",
        FileKind.Socket => "is a socket, not a regular file",
        _ => null,
    };

    // Offsets in struct statx: stx_mode 0x1C, stx_ino 0x20, stx_dev_major 0x88, stx_dev_minor 0x8C.
    [LibraryImport("libc.so.6", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);
}
