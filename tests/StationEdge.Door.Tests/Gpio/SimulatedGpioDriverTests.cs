using StationEdge.Door.Gpio;
using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>The driver contract on the simulated chip, plus what only the simulator has.</summary>
public sealed class SimulatedGpioDriverTests : GpioDriverContract
{
    protected override int OutputLine => 20;

    protected override int InputLine => 21;

    protected override GpioDriver CreateDriver()
    {
        var chip = new SimulatedGpioDriver("gpiochip0", TimeProvider.System);
        chip.Loop(OutputLine, InputLine);
        return chip;
    }

    [Fact]
    public void OutputHistory_RecordsRequestEveryChangeAndReleaseWithVirtualTimes()
    {
        var clock = new VirtualTimeProvider();
        using var chip = new SimulatedGpioDriver("gpiochip0", clock);
        chip.SetRestLevel(5, GpioLevel.High);

        var output = chip.OpenOutput(5, GpioLevel.High, "relay");
        clock.Advance(TimeSpan.FromMilliseconds(10));
        output.Write(GpioLevel.Low);
        output.Write(GpioLevel.Low);
        clock.Advance(TimeSpan.FromMilliseconds(5));
        output.Release();

        var t0 = clock.Start;
        Assert.Equal(
            [
                new GpioOutputChange(5, GpioLevel.High, t0, Driven: true),
                new GpioOutputChange(5, GpioLevel.Low, t0.AddMilliseconds(10), Driven: true),
                new GpioOutputChange(5, GpioLevel.High, t0.AddMilliseconds(15), Driven: false),
            ],
            chip.OutputHistory);
    }

    [Fact]
    public void DriveInput_Bounces_EachLevelChangeIsAnEdgeAndRepeatsAreNot()
    {
        using var chip = new SimulatedGpioDriver();
        chip.DriveInput(3, GpioLevel.Low);
        using var input = chip.OpenInput(3, GpioBias.PullUp, "contact");
        var edges = new List<GpioEdge>();
        input.EdgeDetected += (_, e) => edges.Add(e.Edge);

        foreach (var level in new[] { GpioLevel.High, GpioLevel.Low, GpioLevel.Low, GpioLevel.High })
        {
            chip.DriveInput(3, level);
        }

        Assert.Equal([GpioEdge.Rising, GpioEdge.Falling, GpioEdge.Rising], edges);
    }

    [Fact]
    public void UndrivenInput_ReadsItsBias_AndFallsBackToRestLevelWithoutOne()
    {
        using var chip = new SimulatedGpioDriver();
        chip.SetRestLevel(4, GpioLevel.Low);
        using var pulledUp = chip.OpenInput(3, GpioBias.PullUp, "a");
        using var floating = chip.OpenInput(4, GpioBias.AsIs, "b");

        Assert.Equal(GpioLevel.High, pulledUp.Read());
        Assert.Equal(GpioLevel.Low, floating.Read());
    }

    [Fact]
    public void SimulateProcessExit_ReturnsOutputsToRestLevel_AndTheOwnersLinesStopWorking()
    {
        using var chip = new SimulatedGpioDriver();
        chip.SetRestLevel(17, GpioLevel.High);
        var relay = chip.OpenOutput(17, GpioLevel.Low, "door-relay");

        chip.SimulateProcessExit();

        Assert.Equal(GpioLevel.High, chip.GetLevel(17));
        Assert.False(chip.IsRequested(17));
        Assert.Throws<GpioException>(() => relay.Write(GpioLevel.Low));
        Assert.False(chip.OutputHistory[^1].Driven);
    }

    [Fact]
    public void DriveInput_OnAnOutputLine_IsRefused()
    {
        using var chip = new SimulatedGpioDriver();
        using var relay = chip.OpenOutput(17, GpioLevel.Low, "door-relay");

        var failure = Assert.Throws<InvalidOperationException>(() => chip.DriveInput(17, GpioLevel.High));

        Assert.Contains("line 17 is an output (door-relay)", failure.Message);
    }

    [Fact]
    public void Loop_ReleasedOutput_InputFollowsTheRestLevel()
    {
        using var chip = new SimulatedGpioDriver();
        chip.SetRestLevel(20, GpioLevel.Low);
        chip.Loop(20, 21);
        using var input = chip.OpenInput(21, GpioBias.AsIs, "readback");
        var output = chip.OpenOutput(20, GpioLevel.High, "relay");
        Assert.Equal(GpioLevel.High, input.Read());

        output.Release();

        Assert.Equal(GpioLevel.Low, input.Read());
    }
}
