using StationEdge.Door.Gpio;
using StationEdge.Door.Tests.Hardware;

namespace StationEdge.Door.Tests.Gpio;

/// <summary>
/// What every GPIO driver must do, run against each driver by a derived class. The bench: <see cref="OutputLine"/>
/// is wired to <see cref="InputLine"/> (a resistor on real hardware, <see cref="SimulatedGpioDriver.Loop"/> in simulation).
/// Waits carry a 5-second guard only so that a broken driver fails instead of hanging.
/// </summary>
public abstract class GpioDriverContract : IDisposable
{
    private readonly CancellationTokenSource _guard = new(TimeSpan.FromSeconds(5));
    private GpioDriver? _driver;

    protected GpioDriver Driver => _driver ??= CreateDriver();

    protected CancellationToken Guard => _guard.Token;

    protected abstract int OutputLine { get; }

    protected abstract int InputLine { get; }

    protected abstract GpioDriver CreateDriver();

    public void Dispose()
    {
        _driver?.Dispose();
        _guard.Dispose();
        GC.SuppressFinalize(this);
    }

    [GpioContractFact]
    public void OpenOutput_WithInitialLevel_DrivesTheLineFromTheRequest()
    {
        using var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");
        using (var output = Driver.OpenOutput(OutputLine, GpioLevel.High, "contract-out"))
        {
            Assert.Equal(GpioLevel.High, output.Read());
            Assert.Equal(GpioLevel.High, input.Read());
        }

        using var again = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        Assert.Equal(GpioLevel.Low, again.Read());
        Assert.Equal(GpioLevel.Low, input.Read());
    }

    [GpioContractFact]
    public void Write_ThenRead_ReturnsTheWrittenLevelOnBothEnds()
    {
        using var output = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        using var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");

        output.Write(GpioLevel.High);
        Assert.Equal(GpioLevel.High, output.Read());
        WaitUntil(() => input.Read() == GpioLevel.High);

        output.Write(GpioLevel.Low);
        Assert.Equal(GpioLevel.Low, output.Read());
        WaitUntil(() => input.Read() == GpioLevel.Low);
    }

    [GpioContractFact]
    public async Task WaitForEdge_WhenWiredOutputRises_ReturnsRisingEdgeOfTheInputLine()
    {
        using var output = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        using var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");

        output.Write(GpioLevel.High);
        var edge = await input.WaitForEdgeAsync(Guard);

        Assert.Equal(InputLine, edge.Offset);
        Assert.Equal(GpioEdge.Rising, edge.Edge);
        Assert.Equal(GpioLevel.High, edge.Level);
    }

    [GpioContractFact]
    public async Task WaitForEdge_TwoEdges_ComeInOrderWithNonDecreasingTimestamps()
    {
        using var output = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        using var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");

        output.Write(GpioLevel.High);
        var first = await input.WaitForEdgeAsync(Guard);
        output.Write(GpioLevel.Low);
        var second = await input.WaitForEdgeAsync(Guard);

        Assert.Equal((GpioEdge.Rising, GpioEdge.Falling), (first.Edge, second.Edge));
        Assert.True(second.Timestamp >= first.Timestamp, $"{second.Timestamp} < {first.Timestamp}");
    }

    [GpioContractFact]
    public async Task EdgeDetected_WhenWiredOutputFalls_ReportsFallingEdge()
    {
        using var output = Driver.OpenOutput(OutputLine, GpioLevel.High, "contract-out");
        using var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");
        var seen = new TaskCompletionSource<GpioEdgeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        input.EdgeDetected += (_, edge) => seen.TrySetResult(edge);

        output.Write(GpioLevel.Low);
        var edge = await seen.Task.WaitAsync(Guard);

        Assert.Equal(new GpioEdgeEvent(InputLine, GpioEdge.Falling, edge.Timestamp), edge);
    }

    [GpioContractFact]
    public void OpenOutput_LineAlreadyRequested_ThrowsGpioExceptionNamingTheLine()
    {
        using var first = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-first");

        var failure = Assert.Throws<GpioException>(() => Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-second"));

        Assert.Contains($"line {OutputLine}", failure.Message);
    }

    [GpioContractFact]
    public void Release_ThenRequestAgain_Succeeds()
    {
        var first = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        first.Release();
        Assert.True(first.IsReleased);

        using var second = Driver.OpenOutput(OutputLine, GpioLevel.High, "contract-out");
        Assert.Equal(GpioLevel.High, second.Read());
    }

    [GpioContractFact]
    public void Write_AfterRelease_ThrowsObjectDisposed()
    {
        var output = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        output.Dispose();

        Assert.Throws<ObjectDisposedException>(() => output.Write(GpioLevel.High));
    }

    [GpioContractFact]
    public async Task WaitForEdge_WhenCancelled_ThrowsOperationCanceled()
    {
        using var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");
        using var cancel = new CancellationTokenSource();

        var wait = input.WaitForEdgeAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    [GpioContractFact]
    public async Task WaitForEdge_WhenLineReleasedDuringTheWait_ThrowsObjectDisposed()
    {
        var input = Driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");

        var wait = input.WaitForEdgeAsync(Guard).AsTask();
        input.Release();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait);
    }

    [GpioContractFact]
    public void OpenInput_LineBeyondTheChip_ThrowsGpioException()
    {
        var failure = Assert.Throws<GpioException>(() => Driver.OpenInput(100_000, GpioBias.AsIs, "contract-in"));

        Assert.Contains("line 100000", failure.Message);
    }

    [GpioContractFact]
    public void DisposeDriver_ReleasesEveryLineItGaveOut()
    {
        var driver = CreateDriver();
        var output = driver.OpenOutput(OutputLine, GpioLevel.High, "contract-out");
        var input = driver.OpenInput(InputLine, GpioBias.AsIs, "contract-in");

        driver.Dispose();

        Assert.True(output.IsReleased);
        Assert.True(input.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => output.Write(GpioLevel.Low));
        Assert.Throws<ObjectDisposedException>(() => driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out"));
        using var again = Driver.OpenOutput(OutputLine, GpioLevel.Low, "contract-out");
        Assert.Equal(GpioLevel.Low, again.Read());
    }

    // Real wires settle in microseconds, but the read may race the write on a busy machine.
    private void WaitUntil(Func<bool> condition)
    {
        while (!condition())
        {
            Guard.ThrowIfCancellationRequested();
            Thread.Yield();
        }
    }
}
