using System.Device.Gpio;
using StationEdge.Door.Gpio;
using StationEdge.Door.Tests.Hardware;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>
/// What the door needs of every GPIO driver, through System.Device.Gpio's <see cref="GpioController"/>, run against each
/// driver by a derived class. The bench: <see cref="OutputLine"/> is wired to <see cref="InputLine"/> (a resistor on
/// real hardware, <see cref="SimulatedGpioChip.Loop"/> in simulation). Waits carry a 5-second guard only so that a
/// broken driver fails instead of hanging.
/// </summary>
public abstract class GpioDriverContract : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(5);
    private GpioDriver? _driver;
    private GpioController? _gpio;

    protected GpioDriver Driver => _driver ??= CreateDriver();

    protected GpioController Gpio => _gpio ??= new GpioController(Driver);

    protected abstract int OutputLine { get; }

    protected abstract int InputLine { get; }

    protected abstract GpioDriver CreateDriver();

    public void Dispose()
    {
        _gpio?.Dispose();
        _driver?.Dispose();
        GC.SuppressFinalize(this);
    }

    [GpioContractFact]
    public void OpenOutput_WithInitialLevel_DrivesTheLineFromTheRequest()
    {
        Gpio.OpenPin(InputLine, PinMode.Input);
        foreach (var level in new[] { PinValue.High, PinValue.Low })
        {
            GpioRequests.OpenOutput(Gpio, Driver, OutputLine, level);
            Assert.Equal(level, Gpio.Read(OutputLine));
            WaitUntil(() => Gpio.Read(InputLine) == level);
            Gpio.ClosePin(OutputLine);
        }
    }

    [GpioContractFact]
    public void OpenOutput_AtAHighLevel_NeverDrivesTheWireLow()
    {
        // An active-low relay board pulls its input high: requesting the relay at its locked level (high) must not
        // pass through low on the way, or the relay would click.
        Gpio.OpenPin(InputLine, PinMode.InputPullUp);
        var falls = 0;
        Gpio.RegisterCallbackForPinValueChangedEvent(InputLine, PinEventTypes.Falling, (_, _) => Interlocked.Increment(ref falls));

        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.High);
        WaitUntil(() => Gpio.Read(InputLine) == PinValue.High);
        Thread.Sleep(50);

        Assert.Equal(0, Volatile.Read(ref falls));
    }

    [GpioContractFact]
    public void Write_ThenRead_ReturnsTheWrittenLevelOnBothEnds()
    {
        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.Low);
        Gpio.OpenPin(InputLine, PinMode.Input);

        Gpio.Write(OutputLine, PinValue.High);
        Assert.Equal(PinValue.High, Gpio.Read(OutputLine));
        WaitUntil(() => Gpio.Read(InputLine) == PinValue.High);

        Gpio.Write(OutputLine, PinValue.Low);
        Assert.Equal(PinValue.Low, Gpio.Read(OutputLine));
        WaitUntil(() => Gpio.Read(InputLine) == PinValue.Low);
    }

    [GpioContractFact]
    public async Task WaitForEvent_WhenWiredOutputRises_ReportsARisingEdge()
    {
        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.Low);
        Gpio.OpenPin(InputLine, PinMode.Input);
        var wait = Gpio.WaitForEventAsync(InputLine, PinEventTypes.Rising, Guard).AsTask();
        await Task.Delay(50);

        Gpio.Write(OutputLine, PinValue.High);
        var result = await wait;

        Assert.Equal((false, PinEventTypes.Rising), (result.TimedOut, result.EventTypes));
    }

    [GpioContractFact]
    public void WaitForEvent_NothingHappens_TimesOut()
    {
        Gpio.OpenPin(InputLine, PinMode.Input);

        var result = Gpio.WaitForEvent(InputLine, PinEventTypes.Rising | PinEventTypes.Falling, TimeSpan.FromMilliseconds(100));

        Assert.True(result.TimedOut);
    }

    [GpioContractFact]
    public void Callback_WhenWiredOutputFalls_ReportsAFallingEdgeOnTheInputLine()
    {
        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.High);
        Gpio.OpenPin(InputLine, PinMode.Input);
        using var seen = new ManualResetEventSlim();
        PinValueChangedEventArgs? edge = null;
        Gpio.RegisterCallbackForPinValueChangedEvent(InputLine, PinEventTypes.Falling, (_, e) =>
        {
            edge = e;
            seen.Set();
        });

        Gpio.Write(OutputLine, PinValue.Low);

        Assert.True(seen.Wait(Guard), "no falling edge");
        Assert.Equal((InputLine, PinEventTypes.Falling), (edge!.PinNumber, edge.ChangeType));
    }

    [GpioContractFact]
    public void OpenOutput_LineHeldByAnotherDriver_Fails()
    {
        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.Low);
        using var other = CreateDriver();
        using var otherGpio = new GpioController(other);

        var failure = Record.Exception(() => GpioRequests.OpenOutput(otherGpio, other, OutputLine, PinValue.High));

        Assert.NotNull(failure);
        Assert.Equal(PinValue.Low, Gpio.Read(OutputLine));
    }

    [GpioContractFact]
    public void ClosePin_ThenRequestAgain_Succeeds()
    {
        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.Low);
        Gpio.ClosePin(OutputLine);

        GpioRequests.OpenOutput(Gpio, Driver, OutputLine, PinValue.High);

        Assert.Equal(PinValue.High, Gpio.Read(OutputLine));
    }

    // Real wires settle in microseconds, but the read may race the write on a busy machine.
    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the wired input never followed the output");
            Thread.Yield();
        }
    }
}
