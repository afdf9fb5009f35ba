using System.Runtime.InteropServices;

namespace StationEdge.Configuration;

/// <summary>What a path names, as far as reading it as a file goes.</summary>
public enum FileKind
{
    /// <summary>Could not be told: no such file, no permission to look, or not Linux. Opening it says what is wrong.</summary>
    Unknown,
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,

    /// <summary>A kind statx reports that none of the above names.</summary>
    Other,
}

/// <summary>The device and inode a path resolves to: two paths with the same identity are one file.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>
/// Tells what a path is with statx(2), following symbolic links, without opening it: opening a FIFO for reading
/// blocks until a writer appears (and a signal cannot end that wait), and a device can stream for ever, so a photo,
/// pairs file, config file or key file is checked first. .NET's file APIs do not tell a FIFO from a file.
/// statx's buffer has one layout on every architecture (unlike struct stat), so x64 and the Pi's arm64 share this.
/// </summary>
public static partial class FileInspector
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint StatxIno = 0x100;
    private const uint StatxUid = 0x8;
    private const int BufferSize = 256;

    // Offsets in struct statx: stx_uid 0x14, stx_mode 0x1C, stx_ino 0x20, stx_dev_major 0x88, stx_dev_minor 0x8C.
    private const int UidOffset = 0x14;
    private const int ModeOffset = 0x1C;
    private const int InodeOffset = 0x20;
    private const int DeviceMajorOffset = 0x88;
    private const int DeviceMinorOffset = 0x8C;

    public static FileKind KindOf(string path) => Inspect(path).Kind;

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

        var mode = MemoryMarshal.Read<ushort>(buffer[ModeOffset..]);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        var device = ((ulong)MemoryMarshal.Read<uint>(buffer[DeviceMajorOffset..]) << 32) | MemoryMarshal.Read<uint>(buffer[DeviceMinorOffset..]);
        return (kind, new FileIdentity(device, MemoryMarshal.Read<ulong>(buffer[InodeOffset..])));
    }

    /// <summary>The user id owning <paramref name="path"/> (following links); null when it cannot be told.</summary>
    public static uint? OwnerOf(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[BufferSize];
        return Statx(AtFdCwd, path, 0, StatxUid, buffer) == 0 ? MemoryMarshal.Read<uint>(buffer[UidOffset..]) : null;
    }

    /// <summary>Why <paramref name="path"/> cannot be read as a file ("is a FIFO, not a regular file"), or null when it may be.</summary>
    public static string? NotRegularReason(string path) => NotRegularReason(KindOf(path));

    public static string? NotRegularReason(FileKind kind) =>
        kind is FileKind.Regular or FileKind.Unknown ? null : $"is {Describe(kind)}, not a regular file";

    /// <summary>The kind in words for a message: "a FIFO", "a folder".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a file",
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Unknown => "missing or unreadable",
        _ => "not a file",
    };

    [LibraryImport("libc.so.6", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, Span<byte> buffer);
}
