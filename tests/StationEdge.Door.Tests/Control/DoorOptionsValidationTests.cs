using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Tests.Control;

public sealed class DoorOptionsValidationTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        Assert.True(new DoorOptionsValidator().Validate(null, new DoorOptions()).Succeeded);
        Assert.True(new GpioOptionsValidator().Validate(null, new GpioOptions()).Succeeded);
    }

    [Theory]
    [InlineData("PulseMs", "0", "Door:PulseMs must be between 100 and 30000 (was 0)")]
    [InlineData("PulseMs", "99", "Door:PulseMs must be between 100 and 30000 (was 99)")]
    [InlineData("ExitPulseMs", "50", "Door:ExitPulseMs must be between 100 and 30000 (was 50)")]
    [InlineData("DebounceMs", "0", "Door:DebounceMs must be between 5 and 1000 (was 0)")]
    [InlineData("HeldOpenMs", "10", "Door:HeldOpenMs must be between 1000 and 3600000 (was 10)")]
    [InlineData("ExitGraceMs", "-1", "Door:ExitGraceMs must be between 0 and 120000 (was -1)")]
    [InlineData("CapLockoutMs", "-5", "Door:CapLockoutMs must be between 0 and 600000 (was -5)")]
    [InlineData("ReadbackGraceMs", "0", "Door:ReadbackGraceMs must be between 10 and 5000 (was 0)")]
    [InlineData("MaxUnlockMs", "4000", "Door:MaxUnlockMs must be at least Door:ExitPulseMs (5000) (was 4000)")]
    [InlineData("Relay:Line", "2000", "Door:Relay:Line must be between 0 and 1023 (was 2000)")]
    [InlineData("ExitButton:Line", "17", "Door:ExitButton:Line is line 17, already used by Door:Relay:Line")]
    [InlineData("Led:ActiveLevel", "High", "Door:Led:Line is required")]
    [InlineData("Beeper:Line", "27", "Door:Beeper:Line is line 27, already used by Door:Contact:Line")]
    [InlineData("Presence:Line", "22", "Door:Presence:Line is line 22, already used by Door:ExitButton:Line")]
    [InlineData("Beeper:Kind", "Line", "Door:Beeper:Line is required")]
    [InlineData("MaxSettleMs", "40", "Door:MaxSettleMs must be between 100 and 10000 (was 40)")]
    public void Load_BadDoorValue_FailsWithOneMessageNamingTheKey(string key, string value, string expected)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Load(($"Door:{key}", value)));

        Assert.Equal(expected, failure.Message);
    }

    [Theory]
    [InlineData("Chip", "/dev/gpiochip0", "Gpio:Chip must be a chip name under /dev such as gpiochip0, not a path (was '/dev/gpiochip0')")]
    [InlineData("Chip", "", "Gpio:Chip must name a chip under /dev, e.g. gpiochip0 (was empty)")]
    [InlineData("Chip", "chip0", "Gpio:Chip must be gpiochipN, e.g. gpiochip0 (was 'chip0')")]
    [InlineData("Driver", "7", "Gpio:Driver must be one of Auto, Libgpiod, Libgpiod2, Sim (was '7')")]
    [InlineData("Driver", "sysfs", "Gpio:Driver must be one of Auto, Libgpiod, Libgpiod2, Sim (was 'sysfs')")]
    public void Load_BadGpioValue_FailsNamingTheKey(string key, string value, string expected)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Load(($"Gpio:{key}", value)));

        Assert.Equal(expected, failure.Message);
    }

    [Fact]
    public void Load_ValueOfTheWrongType_NamesTheKey()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Load(("Door:Relay:ActiveLevel", "sideways")));

        Assert.Equal("Door:Relay:ActiveLevel must be one of Low, High (was 'sideways')", failure.Message);
    }

    [Fact]
    public void Load_UnknownKey_NamesIt()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Load(("Door:PulsMs", "3000")));

        Assert.StartsWith("Door:PulsMs is not a known key (known: Relay, Contact, ExitButton, ", failure.Message);
        Assert.DoesNotContain('\n', failure.Message);
    }

    [Theory]
    [InlineData("Door:PulseMs", "3s", "Door:PulseMs must be a whole number (was '3s')")]
    [InlineData("Door:FailSafe", "yes", "Door:FailSafe must be true or false (was 'yes')")]
    [InlineData("Door:Relay:Colour", "red", "Door:Relay:Colour is not a known key (known: Line, ActiveLevel)")]
    [InlineData("Door:Relay", "17", "Door:Relay must be a section with keys Line, ActiveLevel (was '17')")]
    public void Load_MistypedKeyOrValue_NamesTheFullKey(string key, string value, string expected)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Load((key, value)));

        Assert.Equal(expected, failure.Message);
    }

    [Fact]
    public void Load_SeveralBadValues_ReportsEachOnOneLine()
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Load(("Door:PulseMs", "0"), ("Door:DebounceMs", "0")));

        Assert.Equal("Door:DebounceMs must be between 5 and 1000 (was 0); Door:PulseMs must be between 100 and 30000 (was 0)", failure.Message);
    }

    [Fact]
    public void Load_LowerCaseWordsAsInstallersWriteThem_Bind()
    {
        var settings = Load(
            ("Gpio:Driver", "sim"),
            ("Door:Relay:ActiveLevel", "low"),
            ("Door:Contact:Bias", "pullup"),
            ("Door:Beeper:Line", "18"),
            ("Door:Beeper:Kind", "pwm"),
            ("Door:Presence:Line", "4"),
            ("Door:FailSafe", "true"),
            ("Door:Buzzer:Line", "24"));

        Assert.Equal(GpioDriverKind.Sim, settings.Gpio.Driver);
        Assert.Equal(GpioLevel.Low, settings.Door.Relay.ActiveLevel);
        Assert.Equal(InputBias.PullUp, settings.Door.Contact.Bias);
        Assert.Equal((18, BeeperKind.Pwm, 4), (settings.Door.Beeper!.Line, settings.Door.Beeper.Kind, settings.Door.Presence!.Line));
        Assert.True(settings.Door.FailSafe);
        Assert.Equal(24, settings.Door.Buzzer!.Line);
        Assert.Null(settings.Door.Led);
        Assert.Equal(17, settings.Door.Relay.Line);
    }

    [Fact]
    public void Defaults_DriverIsAuto()
    {
        Assert.Equal(GpioDriverKind.Auto, Load().Gpio.Driver);
    }

    [Fact]
    public void Load_MisspelledSection_IsRefusedNamingItAndTheKnownSections()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("Dor:PulseMs", "100")])
            .Build();

        var failure = Assert.Throws<OptionsValidationException>(() => DoorSettings.Load(configuration, ["Gpio", "Door"]));

        Assert.Equal("'Dor' is not a known section (known: Gpio, Door)", failure.Message);
    }

    private static DoorSettings Load(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        return DoorSettings.Load(configuration);
    }
}
