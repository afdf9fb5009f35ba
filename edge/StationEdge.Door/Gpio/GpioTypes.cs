using System.Device.Gpio;

namespace StationEdge.Door.Gpio;

/// <summary>The electrical level of a line as the configuration names it (not its meaning: active-low boards invert that).</summary>
public enum GpioLevel
{
    Low = 0,
    High = 1,
}

/// <summary>
/// The internal bias an input is requested with: System.Device.Gpio's <see cref="PinMode.Input"/>,
/// <see cref="PinMode.InputPullUp"/> and <see cref="PinMode.InputPullDown"/>.
/// </summary>
public enum InputBias
{
    /// <summary>No internal pull: external resistors do the work.</summary>
    None,
    PullUp,
    PullDown,
}

/// <summary>Which GPIO driver the station uses (<c>Gpio:Driver</c>).</summary>
public enum GpioDriverKind
{
    /// <summary>libgpiod 2.x if libgpiod.so.3 loads, else libgpiod 1.6 if libgpiod.so.2 loads (never the simulator).</summary>
    Auto,

    /// <summary>System.Device.Gpio's LibGpiodDriver: libgpiod 1.6 (libgpiod.so.2, Raspberry Pi OS bookworm).</summary>
    Libgpiod,

    /// <summary>System.Device.Gpio's LibGpiodV2Driver: libgpiod 2.x (libgpiod.so.3, Raspberry Pi OS trixie).</summary>
    Libgpiod2,

    /// <summary>The simulated chip (no hardware; virtual or real time).</summary>
    Sim,
}

public static class GpioLevelExtensions
{
    /// <summary>The other level (what an active-low line reads when inactive, and so on).</summary>
    public static GpioLevel Invert(this GpioLevel level) => level == GpioLevel.High ? GpioLevel.Low : GpioLevel.High;

    public static PinValue ToPinValue(this GpioLevel level) => level == GpioLevel.High ? PinValue.High : PinValue.Low;

    public static PinMode ToPinMode(this InputBias bias) => bias switch
    {
        InputBias.PullUp => PinMode.InputPullUp,
        InputBias.PullDown => PinMode.InputPullDown,
        _ => PinMode.Input,
    };
}
