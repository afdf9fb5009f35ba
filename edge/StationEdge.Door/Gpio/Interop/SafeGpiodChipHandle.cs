using Microsoft.Win32.SafeHandles;

namespace StationEdge.Door.Gpio.Interop;

/// <summary>A <c>struct gpiod_chip *</c>; closing it frees the chip's line objects too, so lines hold a reference to it.</summary>
internal sealed class SafeGpiodChipHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeGpiodChipHandle()
        : base(ownsHandle: true)
    {
    }

    protected override bool ReleaseHandle()
    {
        LibgpiodNative.ChipClose(handle);
        return true;
    }
}
