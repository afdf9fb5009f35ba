namespace StationEdge.Door.Tests.Hardware;

/// <summary>
/// The test bench the hardware tests expect (tests/README.md, "Door hardware tests"): a GPIO chip with one output
/// line wired to one input line through a 1 kΩ resistor. Environment variables override the defaults.
/// </summary>
internal static class HardwareBench
{
    public static string Chip => Environment.GetEnvironmentVariable("STATIONEDGE_GPIO_CHIP") is { Length: > 0 } chip ? chip : "gpiochip0";

    public static int LoopOut => Line("STATIONEDGE_GPIO_LOOP_OUT", 20);

    public static int LoopIn => Line("STATIONEDGE_GPIO_LOOP_IN", 21);

    /// <summary>Two unconnected lines the door test uses as contact and exit button (their pull-ups hold them high).</summary>
    public static int SpareA => Line("STATIONEDGE_GPIO_SPARE_A", 5);

    public static int SpareB => Line("STATIONEDGE_GPIO_SPARE_B", 6);

    /// <summary>Null when the chip exists; otherwise why the hardware tests are skipped.</summary>
    public static string? SkipReason => File.Exists($"/dev/{Chip}")
        ? null
        : $"Hardware test: no GPIO chip at /dev/{Chip}. Run on a Raspberry Pi with line {LoopOut} wired to line {LoopIn} through 1 kΩ (tests/README.md, 'Door hardware tests').";

    /// <summary>Null when libgpiod 2.x loads; otherwise why its driver's run is skipped.</summary>
    public static string? Libgpiod2SkipReason => StationEdge.Door.Gpio.GpioDriverFactory.CanLoad(StationEdge.Door.Gpio.GpioDriverFactory.Libgpiod2Library)
        ? null
        : $"Hardware test: {StationEdge.Door.Gpio.GpioDriverFactory.Libgpiod2Library} (libgpiod 2.x, apt package libgpiod3) is not installed.";

    private static int Line(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var line) ? line : fallback;
}

/// <summary>A fact that needs the hardware bench; skipped with the reason when the chip is missing.</summary>
public sealed class HardwareFactAttribute : FactAttribute
{
    public HardwareFactAttribute()
    {
        if (HardwareBench.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
