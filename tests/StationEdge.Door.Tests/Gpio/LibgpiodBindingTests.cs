using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Door.Gpio.Interop;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>The libgpiod binding on a machine without GPIO: the library loads and the failures read clearly.</summary>
public sealed class LibgpiodBindingTests
{
    [Fact]
    public void LibraryVersion_WithLibgpiod2Installed_IsVersionOne()
    {
        // libgpiod.so.2 is the 1.x ABI (2.x ships as libgpiod.so.3); set-up installs libgpiod2.
        Assert.Matches(@"^1\.\d+", LibgpiodDriver.LibraryVersion);
    }

    [Fact]
    public void Open_MissingChip_ThrowsGpioExceptionNamingTheChipAndTheNativeError()
    {
        var failure = Assert.Throws<GpioException>(() => new LibgpiodDriver("gpiochip97"));

        Assert.Equal("GPIO chip 'gpiochip97' not found (libgpiod: No such file or directory)", failure.Message);
        Assert.Equal(2, failure.Errno);
        Assert.Equal("No such file or directory", failure.NativeMessage);
    }

    [Fact]
    public void Factory_LibgpiodOnMissingChip_FailsTheSameWay()
    {
        var options = new GpioOptions { Driver = GpioDriverKind.Libgpiod, Chip = "gpiochip96" };

        var failure = Assert.Throws<GpioException>(() => GpioDriverFactory.Create(options, TimeProvider.System));

        Assert.StartsWith("GPIO chip 'gpiochip96' not found", failure.Message);
    }

    [Fact]
    public void Probe_MissingLibrary_NamesTheLibraryAndTheAptPackage()
    {
        var failure = Assert.Throws<GpioException>(() => LibgpiodLibrary.Probe("libgpiod-stationedge-missing.so.2"));

        Assert.Equal(
            "GPIO library libgpiod-stationedge-missing.so.2 could not be loaded: install the apt package libgpiod2 (apt-get install libgpiod2)",
            failure.Message);
    }

    [Fact]
    public void Probe_InstalledLibrary_Succeeds()
    {
        LibgpiodLibrary.Probe(LibgpiodNative.Library);
    }
}
