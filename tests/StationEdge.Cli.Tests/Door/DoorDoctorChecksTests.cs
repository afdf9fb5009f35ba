using Iot.Device.Board;
using StationEdge.Cli.Commands;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Cli.Tests.Door;

/// <summary>doctor's door checks: the driver auto comes to, the board, and door pins another function uses.</summary>
public sealed class DoorDoctorChecksTests
{
    [Fact]
    public void Board_OnThisMachine_IsNotARaspberryPi()
    {
        var checks = DoorDoctorChecks.Run(null);

        var board = Assert.Single(checks, c => c.Name == "board");
        Assert.True(board.Ok);
        Assert.StartsWith("not a Raspberry Pi (", board.Detail);
        Assert.Equal("auto → libgpiod: LibGpiodDriver (libgpiod.so.2)", Assert.Single(checks, c => c.Name == "gpio driver").Detail);
    }

    [Fact]
    public void Board_OnAPi_NamesTheModelAndRaspberryPiBoard()
    {
        var board = DoorDoctorChecks.Board("Raspberry Pi 4 Model B Rev 1.4");

        Assert.Equal("Raspberry Pi 4 Model B Rev 1.4 (Iot.Device.Board.RaspberryPiBoard)", board.Detail);
    }

    [Fact]
    public void Pins_OneMuxedToI2c_FailsNamingTheKeyAndTheFunction()
    {
        var door = new DoorOptions { Contact = new ContactLineOptions { Line = 2 } };

        var pins = DoorDoctorChecks.Pins(door, "Raspberry Pi 4 Model B", line => line == 2 ? PinUsage.I2c : PinUsage.Gpio);

        Assert.False(pins.Ok);
        Assert.Equal("Door:Contact:Line 2 is in use as I2c", pins.Detail);
    }

    [Fact]
    public void Pins_APwmBeeperOnItsPwmPin_IsWhereItShouldBe()
    {
        var door = new DoorOptions { Beeper = new BeeperOptions { Line = 18, Kind = BeeperKind.Pwm } };

        var pins = DoorDoctorChecks.Pins(door, "Raspberry Pi 4 Model B", line => line == 18 ? PinUsage.Pwm : PinUsage.Gpio);

        Assert.True(pins.Ok, pins.Detail);
    }

    [Fact]
    public void Driver_NeitherLibrary_FailsWithTheFix()
    {
        var driver = DoorDoctorChecks.Driver(GpioDriverKind.Auto, _ => false);

        Assert.False(driver.Ok);
        Assert.Equal("apt-get install libgpiod2 (bookworm) or libgpiod3 (trixie)", driver.Fix);
    }

    [Fact]
    public void Config_WithAMisspelledSection_IsAFailedCheck_NotACrash()
    {
        using var config = new ConfigFile("""{ "Dor": {} }""");

        var check = Assert.Single(DoorDoctorChecks.Run(config.Path));

        Assert.False(check.Ok);
        Assert.Contains("'Dor' is not a known section", check.Detail);
    }
}
