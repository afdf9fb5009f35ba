using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using StationEdge.Door.Gpio;
using StationEdge.Door.Tests.Hardware;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>The driver contract on a real chip through libgpiod 1.6: runs on the Pi test bench, skipped elsewhere (tests/README.md).</summary>
[Trait("Category", "Hardware")]
public sealed class LibgpiodDriverTests : GpioDriverContract
{
    protected override int OutputLine => HardwareBench.LoopOut;

    protected override int InputLine => HardwareBench.LoopIn;

    protected override GpioDriver CreateDriver() => new LibGpiodDriver(GpioDriverFactory.ChipNumber(HardwareBench.Chip));
}

/// <summary>The driver contract on a real chip through libgpiod 2.x (Raspberry Pi OS trixie); skipped without the chip or libgpiod.so.3.</summary>
[Trait("Category", "Hardware")]
[Trait("Driver", "libgpiod2")]
public sealed class Libgpiod2DriverTests : GpioDriverContract
{
    protected override int OutputLine => HardwareBench.LoopOut;

    protected override int InputLine => HardwareBench.LoopIn;

    protected override GpioDriver CreateDriver() => new LibGpiodV2Driver(GpioDriverFactory.ChipNumber(HardwareBench.Chip));
}
