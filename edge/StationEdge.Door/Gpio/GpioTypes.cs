namespace StationEdge.Door.Gpio;

/// <summary>The electrical level of a line (not its meaning: active-low boards invert that).</summary>
public enum GpioLevel
{
    Low = 0,
    High = 1,
}

/// <summary>The internal bias a line is requested with.</summary>
public enum GpioBias
{
    /// <summary>Leave whatever the chip has (external resistors do the work).</summary>
    AsIs,
    Disabled,
    PullUp,
    PullDown,
}

public enum GpioEdge
{
    Rising,
    Falling,
}

/// <summary>
/// An edge seen on an input line. <see cref="Timestamp"/> is on the driver's own clock (libgpiod: the kernel's
/// event clock; simulated: the injected <see cref="TimeProvider"/>); compare it only with timestamps from the same driver.
/// </summary>
public readonly record struct GpioEdgeEvent(int Offset, GpioEdge Edge, TimeSpan Timestamp)
{
    public GpioLevel Level => Edge == GpioEdge.Rising ? GpioLevel.High : GpioLevel.Low;
}

/// <summary>Which GPIO driver the station uses.</summary>
public enum GpioDriverKind
{
    /// <summary>The simulated chip (no hardware; virtual or real time).</summary>
    Sim,

    /// <summary>The Linux GPIO character device through libgpiod 1.6.</summary>
    Libgpiod,
}

public static class GpioLevelExtensions
{
    /// <summary>The other level (what an active-low line reads when inactive, and so on).</summary>
    public static GpioLevel Invert(this GpioLevel level) => level == GpioLevel.High ? GpioLevel.Low : GpioLevel.High;

    internal static string ToWord(this GpioLevel level) => level == GpioLevel.High ? "high" : "low";
}
