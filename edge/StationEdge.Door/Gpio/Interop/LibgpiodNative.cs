using System.Runtime.InteropServices;

namespace StationEdge.Door.Gpio.Interop;

/// <summary>
/// libgpiod 1.6 (Debian/Raspberry Pi OS package libgpiod2, soname libgpiod.so.2): the calls the driver needs.
/// Signatures and constants follow /usr/include/gpiod.h of libgpiod-dev 1.6. Lines (<c>struct gpiod_line *</c>)
/// belong to their chip and have no handle of their own: they are released before the chip is closed.
/// </summary>
internal static partial class LibgpiodNative
{
    public const string Library = "libgpiod.so.2";
    public const string AptPackage = "libgpiod2";

    // GPIOD_LINE_REQUEST_FLAG_*
    public const int RequestFlagBiasDisable = 1 << 3;
    public const int RequestFlagBiasPullDown = 1 << 4;
    public const int RequestFlagBiasPullUp = 1 << 5;

    // GPIOD_LINE_EVENT_*
    public const int EventRisingEdge = 1;
    public const int EventFallingEdge = 2;

    [LibraryImport(Library, EntryPoint = "gpiod_version_string")]
    public static partial nint VersionString();

    [LibraryImport(Library, EntryPoint = "gpiod_chip_open_by_name", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial SafeGpiodChipHandle ChipOpenByName(string name);

    [LibraryImport(Library, EntryPoint = "gpiod_chip_close")]
    public static partial void ChipClose(nint chip);

    [LibraryImport(Library, EntryPoint = "gpiod_chip_num_lines")]
    public static partial uint ChipNumLines(SafeGpiodChipHandle chip);

    [LibraryImport(Library, EntryPoint = "gpiod_chip_get_line", SetLastError = true)]
    public static partial nint ChipGetLine(SafeGpiodChipHandle chip, uint offset);

    [LibraryImport(Library, EntryPoint = "gpiod_line_request_output_flags", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LineRequestOutputFlags(nint line, string consumer, int flags, int defaultValue);

    [LibraryImport(Library, EntryPoint = "gpiod_line_request_both_edges_events_flags", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int LineRequestBothEdgesEventsFlags(nint line, string consumer, int flags);

    [LibraryImport(Library, EntryPoint = "gpiod_line_release")]
    public static partial void LineRelease(nint line);

    [LibraryImport(Library, EntryPoint = "gpiod_line_get_value", SetLastError = true)]
    public static partial int LineGetValue(nint line);

    [LibraryImport(Library, EntryPoint = "gpiod_line_set_value", SetLastError = true)]
    public static partial int LineSetValue(nint line, int value);

    /// <returns>1 when an event is pending, 0 on timeout, -1 on error (errno set).</returns>
    [LibraryImport(Library, EntryPoint = "gpiod_line_event_wait", SetLastError = true)]
    public static partial int LineEventWait(nint line, in Timespec timeout);

    [LibraryImport(Library, EntryPoint = "gpiod_line_event_read", SetLastError = true)]
    public static partial int LineEventRead(nint line, out LineEvent lineEvent);
}

/// <summary><c>struct timespec</c>: both fields are C <c>long</c>, pointer-sized on the Linux ABIs the Pi runs.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public nint Seconds;
    public nint Nanoseconds;

    public static Timespec From(TimeSpan span) => new()
    {
        Seconds = (nint)(span.Ticks / TimeSpan.TicksPerSecond),
        Nanoseconds = (nint)(span.Ticks % TimeSpan.TicksPerSecond * 100),
    };

    public readonly TimeSpan ToTimeSpan() => TimeSpan.FromTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanoseconds / 100));
}

/// <summary><c>struct gpiod_line_event</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LineEvent
{
    public Timespec Timestamp;
    public int EventType;
}
