using System.Device.Gpio.Drivers;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>Choosing and opening the drivers on a machine without a GPIO chip: the real drivers, their real failures.</summary>
public sealed class GpioDriverFactoryTests
{
    [Theory]
    [InlineData(true, true, GpioDriverKind.Libgpiod2)]
    [InlineData(true, false, GpioDriverKind.Libgpiod2)]
    [InlineData(false, true, GpioDriverKind.Libgpiod)]
    public void Auto_PrefersLibgpiod2_ThenLibgpiod(bool v2, bool v1, GpioDriverKind expected)
    {
        var kind = GpioDriverFactory.Resolve(GpioDriverKind.Auto, library => library == GpioDriverFactory.Libgpiod2Library ? v2 : v1);

        Assert.Equal(expected, kind);
    }

    [Fact]
    public void Auto_WithNeitherLibrary_FailsNamingBothPackages_AndNeverFallsBackToTheSimulator()
    {
        var failure = Assert.Throws<GpioException>(() => GpioDriverFactory.Resolve(GpioDriverKind.Auto, _ => false));

        Assert.Equal(
            "Gpio:Driver auto: neither libgpiod.so.3 (libgpiod 2.x: apt-get install libgpiod3) nor libgpiod.so.2 (libgpiod 1.6: apt-get install libgpiod2) can be loaded",
            failure.Message);
    }

    [Theory]
    [InlineData(GpioDriverKind.Sim)]
    [InlineData(GpioDriverKind.Libgpiod)]
    [InlineData(GpioDriverKind.Libgpiod2)]
    public void ExplicitDriver_IsTakenAsConfigured(GpioDriverKind kind)
    {
        Assert.Equal(kind, GpioDriverFactory.Resolve(kind, _ => throw new InvalidOperationException("not asked")));
    }

    [Fact]
    public void Auto_OnThisMachine_IsLibgpiod16_WhichSetUpInstalls()
    {
        // deploy.sh installs libgpiod2 (libgpiod.so.2); Debian bookworm has no libgpiod.so.3.
        Assert.Equal(GpioDriverKind.Libgpiod, GpioDriverFactory.Resolve(GpioDriverKind.Auto, GpioDriverFactory.CanLoad));
    }

    [Fact]
    public void Libgpiod_OnAMissingChip_IsOneLineWithTheDriversOwnWords()
    {
        var failure = Assert.Throws<GpioException>(() => GpioDriverFactory.Create(new GpioOptions { Driver = GpioDriverKind.Libgpiod, Chip = "gpiochip96" }, TimeProvider.System));

        Assert.Equal("GPIO chip 'gpiochip96' not found: LibGpiodDriver (libgpiod 1.6) says \"Unable to find a chip, error: 2 (No such file or directory)\"", failure.Message);
        Assert.IsType<IOException>(failure.InnerException);
    }

    [Fact]
    public void Libgpiod2_WithoutLibgpiodSo3_NamesTheLibraryAndTheAptPackage()
    {
        var failure = Assert.Throws<GpioException>(() => GpioDriverFactory.Create(new GpioOptions { Driver = GpioDriverKind.Libgpiod2 }, TimeProvider.System, _ => false));

        Assert.Equal("GPIO library libgpiod.so.3 could not be loaded: install the apt package libgpiod3 (apt-get install libgpiod3)", failure.Message);
    }

    [Fact]
    public void Libgpiod2_WhenTheLibraryIsMissingAnyway_TheDriversWrappedErrorBecomesOneLine()
    {
        // Probe says yes, the load then fails: LibGpiodV2Driver wraps the DllNotFoundException in a GpiodException.
        var failure = Assert.Throws<GpioException>(() => GpioDriverFactory.Create(new GpioOptions { Driver = GpioDriverKind.Libgpiod2 }, TimeProvider.System, _ => true));

        Assert.StartsWith("GPIO chip 'gpiochip0' not found: LibGpiodV2Driver (libgpiod 2.x) says \"Exception while calling libgpiod: Unable to load shared library 'libgpiod.so.3'", failure.Message);
        Assert.IsType<GpiodException>(failure.InnerException);
        Assert.DoesNotContain('\n', failure.Message);
    }

    [Fact]
    public void Sim_GivesASimulatedDriverOnAChipOfTheConfiguredName()
    {
        using var driver = GpioDriverFactory.Create(new GpioOptions { Driver = GpioDriverKind.Sim, Chip = "gpiochip4" }, TimeProvider.System);

        Assert.Equal("gpiochip4", Assert.IsType<SimulatedGpioDriver>(driver).Chip.Name);
    }

    [Theory]
    [InlineData("gpiochip0", 0)]
    [InlineData("gpiochip12", 12)]
    public void ChipNumber_IsTheNumberOfTheName(string chip, int number)
    {
        Assert.Equal(number, GpioDriverFactory.ChipNumber(chip));
    }

    [Fact]
    public void ChipNumber_OfANameWithoutOne_FailsNamingTheKey()
    {
        Assert.Equal("Gpio:Chip must be gpiochipN, e.g. gpiochip0 (was 'pinctrl-rp1')", Assert.Throws<GpioException>(() => GpioDriverFactory.ChipNumber("pinctrl-rp1")).Message);
    }
}
