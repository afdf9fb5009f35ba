using System.Device.Gpio;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// <c>station-edge door --rest</c>, which the systemd unit runs after every stop of the daemon (ExecStopPost), a crash
/// and <c>kill -9</c> included: requests the relay line already at its de-energised level and hands it back. On a
/// Raspberry Pi kernel that keeps released outputs driven (persist_gpio_outputs) the line then stays de-energised; with
/// <c>dtparam=strict_gpiod</c> it returns to an input and the relay board's pull holds it there.
/// De-energised is the rest state of both wirings: fail-secure locked, fail-safe released, as with the power off.
/// </summary>
public static class DoorRest
{
    /// <returns>The level the relay line was driven to.</returns>
    /// <exception cref="GpioException">The relay line cannot be requested (busy, or the chip is missing).</exception>
    public static PinValue Drive(GpioDriver driver, DoorOptions options)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(options);
        var line = options.Relay.Line!.Value;
        var rest = !options.Relay.ActiveLevel.ToPinValue();

        // Not disposed: that would dispose the caller's driver.
        var gpio = new GpioController(driver);
        try
        {
            GpioRequests.OpenOutput(gpio, driver, line, rest);
            gpio.ClosePin(line);
            return rest;
        }
        catch (Exception failure) when (failure is IOException or System.Device.Gpio.Drivers.GpiodException or InvalidOperationException
            or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            throw new GpioException($"Door:Relay:Line {line} could not be driven to rest: {GpioDriverFactory.OneLine(failure)}", failure);
        }
    }
}
