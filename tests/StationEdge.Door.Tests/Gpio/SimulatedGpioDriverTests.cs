using System.Device.Gpio;
using StationEdge.Door.Gpio;
using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>The driver contract on the simulated chip, plus what only the simulator has.</summary>
public sealed class SimulatedGpioDriverTests : GpioDriverContract
{
    private readonly SimulatedGpioChip _chip = new(TimeProvider.System);

    public SimulatedGpioDriverTests()
    {
        // The wire idles high, as an active-low relay board's pull-up holds it.
        _chip.SetRestLevel(OutputLine, PinValue.High);
        _chip.Loop(OutputLine, InputLine);
    }

    protected override int OutputLine => 20;

    protected override int InputLine => 21;

    protected override GpioDriver CreateDriver() => new SimulatedGpioDriver(_chip);

    [Fact]
    public void SetPinModeOutputWithoutAValue_DrivesLowFirst_AsBothLibgpiodDriversDo()
    {
        var chip = new SimulatedGpioChip(new VirtualTimeProvider());
        chip.SetRestLevel(5, PinValue.High);
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));

        gpio.OpenPin(5, PinMode.Output);
        gpio.Write(5, PinValue.High);

        Assert.Equal([PinValue.Low, PinValue.High], chip.OutputHistory.Select(c => c.Level));
    }

    [Fact]
    public void OutputHistory_RecordsRequestEveryChangeAndReleaseWithVirtualTimes()
    {
        var clock = new VirtualTimeProvider();
        var chip = new SimulatedGpioChip(clock);
        chip.SetRestLevel(5, PinValue.High);
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));

        gpio.OpenPin(5, PinMode.Output, PinValue.High);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        gpio.Write(5, PinValue.Low);
        gpio.Write(5, PinValue.Low);
        clock.StepWallClock(TimeSpan.FromHours(-1));
        clock.Advance(TimeSpan.FromMilliseconds(5));
        gpio.ClosePin(5);

        var t0 = clock.Start;
        Assert.Equal(
            [
                new GpioOutputChange(5, PinValue.High, t0, 0, Driven: true),
                new GpioOutputChange(5, PinValue.Low, t0.AddMilliseconds(10), TimeSpan.FromMilliseconds(10).Ticks, Driven: true),
                new GpioOutputChange(5, PinValue.High, t0.AddMilliseconds(15).AddHours(-1), TimeSpan.FromMilliseconds(15).Ticks, Driven: false),
            ],
            chip.OutputHistory);
    }

    [Fact]
    public void DriveInput_Bounces_EachLevelChangeIsAnEdgeAndRepeatsAreNot()
    {
        var chip = new SimulatedGpioChip();
        chip.DriveInput(3, PinValue.Low);
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));
        gpio.OpenPin(3, PinMode.InputPullUp);
        var edges = new List<PinEventTypes>();
        gpio.RegisterCallbackForPinValueChangedEvent(3, PinEventTypes.Rising | PinEventTypes.Falling, (_, e) => edges.Add(e.ChangeType));

        foreach (var level in new[] { PinValue.High, PinValue.Low, PinValue.Low, PinValue.High })
        {
            chip.DriveInput(3, level);
        }

        Assert.Equal([PinEventTypes.Rising, PinEventTypes.Falling, PinEventTypes.Rising], edges);
    }

    [Fact]
    public void UndrivenInput_ReadsItsPull_AndFallsBackToRestLevelWithoutOne()
    {
        var chip = new SimulatedGpioChip();
        chip.SetRestLevel(4, PinValue.Low);
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));

        gpio.OpenPin(3, PinMode.InputPullUp);
        gpio.OpenPin(4, PinMode.Input);

        Assert.Equal((PinValue.High, PinValue.Low), (gpio.Read(3), gpio.Read(4)));
    }

    [Theory]
    [InlineData(ReleasedOutputs.ReturnToInput, 1)]
    [InlineData(ReleasedOutputs.KeepDriven, 0)]
    public void SimulateProcessExit_ReleasesEveryLine_AndTheOutputDoesWhatTheKernelDoes(ReleasedOutputs kernel, int expectedLevel)
    {
        var chip = new SimulatedGpioChip { ReleasedOutputs = kernel };
        chip.SetRestLevel(17, PinValue.High);
        var driver = new SimulatedGpioDriver(chip);
        var gpio = new GpioController(driver);
        gpio.OpenPin(17, PinMode.Output, PinValue.Low);

        driver.SimulateProcessExit();

        Assert.Equal((PinValue)expectedLevel, chip.GetLevel(17));
        Assert.False(chip.IsRequested(17));
        Assert.False(chip.OutputHistory[^1].Driven);
        Assert.Throws<IOException>(() => gpio.Write(17, PinValue.High));
    }

    [Fact]
    public void DriveInput_OnALineThatIsDriving_IsRefused()
    {
        var chip = new SimulatedGpioChip();
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));
        gpio.OpenPin(17, PinMode.Output, PinValue.Low);

        var failure = Assert.Throws<InvalidOperationException>(() => chip.DriveInput(17, PinValue.High));

        Assert.Equal("gpiochip0 line 17 is an output; the simulator cannot drive it.", failure.Message);
    }

    [Fact]
    public void Loop_ReleasedOutput_InputFollowsTheRestLevel()
    {
        var chip = new SimulatedGpioChip();
        chip.SetRestLevel(20, PinValue.Low);
        chip.Loop(20, 21);
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));
        gpio.OpenPin(21, PinMode.Input);
        gpio.OpenPin(20, PinMode.Output, PinValue.High);
        Assert.Equal(PinValue.High, gpio.Read(21));

        gpio.ClosePin(20);

        Assert.Equal(PinValue.Low, gpio.Read(21));
    }

    [Fact]
    public void FailNextWrites_MakesTheNextWriteThrowAnIOException_ThenWorksAgain()
    {
        var chip = new SimulatedGpioChip();
        using var gpio = new GpioController(new SimulatedGpioDriver(chip));
        gpio.OpenPin(17, PinMode.Output, PinValue.Low);
        chip.FailNextWrites(17);

        Assert.Throws<IOException>(() => gpio.Write(17, PinValue.High));
        gpio.Write(17, PinValue.High);

        Assert.Equal(PinValue.High, chip.GetLevel(17));
    }
}
