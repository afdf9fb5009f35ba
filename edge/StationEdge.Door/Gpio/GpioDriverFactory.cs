using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Globalization;
using System.Runtime.InteropServices;
using StationEdge.Door.Control;

namespace StationEdge.Door.Gpio;

/// <summary>Opens the chip named by <c>Gpio:Chip</c> with the System.Device.Gpio driver named by <c>Gpio:Driver</c>.</summary>
public static class GpioDriverFactory
{
    /// <summary>libgpiod 1.6: Debian bookworm's package libgpiod2.</summary>
    public const string Libgpiod1Library = "libgpiod.so.2";

    /// <summary>libgpiod 2.x: Debian trixie's package libgpiod3.</summary>
    public const string Libgpiod2Library = "libgpiod.so.3";

    /// <exception cref="GpioException">The library or the chip is missing; the message says which and how to fix it.</exception>
    public static GpioDriver Create(GpioOptions options, TimeProvider timeProvider) => Create(options, timeProvider, CanLoad);

    /// <summary>
    /// What <c>auto</c> means: libgpiod 2.x when libgpiod.so.3 loads, else libgpiod 1.6 when libgpiod.so.2 loads, else
    /// an error. Never the simulator: a station that silently simulated its door would not lock it.
    /// </summary>
    /// <exception cref="GpioException">Auto, and neither library loads.</exception>
    public static GpioDriverKind Resolve(GpioDriverKind kind, Func<string, bool> canLoad)
    {
        ArgumentNullException.ThrowIfNull(canLoad);
        if (kind != GpioDriverKind.Auto)
        {
            return kind;
        }

        if (canLoad(Libgpiod2Library))
        {
            return GpioDriverKind.Libgpiod2;
        }

        return canLoad(Libgpiod1Library)
            ? GpioDriverKind.Libgpiod
            : throw new GpioException(
                $"Gpio:Driver auto: neither {Libgpiod2Library} (libgpiod 2.x: apt-get install libgpiod3) nor {Libgpiod1Library} (libgpiod 1.6: apt-get install libgpiod2) can be loaded");
    }

    /// <summary>The N of <c>gpiochipN</c>: System.Device.Gpio opens chips by number (/dev/gpiochipN).</summary>
    public static int ChipNumber(string chip)
    {
        ArgumentNullException.ThrowIfNull(chip);
        return chip.StartsWith("gpiochip", StringComparison.Ordinal)
            && int.TryParse(chip.AsSpan("gpiochip".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new GpioException($"Gpio:Chip must be gpiochipN, e.g. gpiochip0 (was '{chip}')");
    }

    /// <summary>True when the shared library loads the way the runtime will load it for the driver.</summary>
    public static bool CanLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    internal static GpioDriver Create(GpioOptions options, TimeProvider timeProvider, Func<string, bool> canLoad)
    {
        ArgumentNullException.ThrowIfNull(options);
        var kind = Resolve(options.Driver, canLoad);
        if (kind == GpioDriverKind.Sim)
        {
            return new SimulatedGpioDriver(new SimulatedGpioChip(timeProvider, options.Chip));
        }

        var number = ChipNumber(options.Chip);
        var (library, package, name) = kind == GpioDriverKind.Libgpiod2
            ? (Libgpiod2Library, "libgpiod3", "LibGpiodV2Driver (libgpiod 2.x)")
            : (Libgpiod1Library, "libgpiod2", "LibGpiodDriver (libgpiod 1.6)");
        if (!canLoad(library))
        {
            throw new GpioException($"GPIO library {library} could not be loaded: install the apt package {package} (apt-get install {package})");
        }

        try
        {
            return kind == GpioDriverKind.Libgpiod2 ? new LibGpiodV2Driver(number) : new LibGpiodDriver(number);
        }
        catch (Exception failure) when (failure is IOException or GpiodException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            var state = File.Exists($"/dev/{options.Chip}") ? "could not be opened" : "not found";
            throw new GpioException($"GPIO chip '{options.Chip}' {state}: {name} says \"{OneLine(failure)}\"", failure);
        }
    }

    /// <summary>A driver failure as one line, with the cause the driver wrapped.</summary>
    internal static string OneLine(Exception failure)
    {
        var text = failure.Message;
        if (failure.InnerException is { } inner && !text.Contains(inner.Message, StringComparison.Ordinal))
        {
            text += $": {inner.Message}";
        }

        return string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}

/// <summary>How the door requests lines through <see cref="GpioController"/> so that no request moves an output.</summary>
internal static class GpioRequests
{
    /// <summary>Requests <paramref name="pin"/> as an output already driving <paramref name="level"/>: not even the request can pulse it.</summary>
    public static void OpenOutput(GpioController gpio, GpioDriver driver, int pin, PinValue level)
    {
        if (driver is LibGpiodV2Driver)
        {
            // LibGpiodV2Driver does not override SetPinMode(pin, Output, value): the base class switches the line to an
            // output (libgpiod 2.x then drives it inactive, low) and writes the value after. Its Write on a line opened
            // as-is reconfigures direction and value in one request instead.
            gpio.OpenPin(pin);
            gpio.Write([new PinValuePair(pin, level)]);
            return;
        }

        // LibGpiodDriver requests gpiod_line_request_output(line, consumer, value); the simulated driver does the same.
        gpio.OpenPin(pin, PinMode.Output, level);
    }
}
