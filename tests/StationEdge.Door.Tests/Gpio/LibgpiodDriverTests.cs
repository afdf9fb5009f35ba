using StationEdge.Door.Gpio;
using StationEdge.Door.Tests.Hardware;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>The driver contract on a real chip: runs on the Pi test bench, skipped elsewhere (tests/README.md).</summary>
[Trait("Category", "Hardware")]
public sealed class LibgpiodDriverTests : GpioDriverContract
{
    protected override int OutputLine => HardwareBench.LoopOut;

    protected override int InputLine => HardwareBench.LoopIn;

    protected override GpioDriver CreateDriver() => new LibgpiodDriver(HardwareBench.Chip);
}
