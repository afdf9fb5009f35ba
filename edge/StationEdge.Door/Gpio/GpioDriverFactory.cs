using StationEdge.Door.Control;

namespace StationEdge.Door.Gpio;

public static class GpioDriverFactory
{
    /// <summary>Opens the chip named by Gpio:Chip with the driver named by Gpio:Driver.</summary>
    /// <exception cref="GpioException">libgpiod or the chip is missing.</exception>
    public static GpioDriver Create(GpioOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Driver switch
        {
            GpioDriverKind.Libgpiod => new LibgpiodDriver(options.Chip),
            GpioDriverKind.Sim => new SimulatedGpioDriver(options.Chip, timeProvider),
            _ => throw new GpioException($"Gpio:Driver must be sim or libgpiod (was {options.Driver})"),
        };
    }
}
