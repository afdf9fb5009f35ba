using System.Threading.Channels;

namespace StationEdge.Door.Gpio;

/// <summary>
/// One GPIO chip, opened by name (e.g. <c>gpiochip0</c>), handing out line requests by offset.
/// Shaped like System.Device.Gpio's driver so that swapping it in later touches one folder.
/// Disposing the driver releases every line still requested.
/// </summary>
public abstract class GpioDriver : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<GpioLine> _lines = [];
    private bool _disposed;

    protected GpioDriver(string chipName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(chipName);
        ChipName = chipName;
    }

    public string ChipName { get; }

    /// <summary>Requests a line as an output; the kernel drives <paramref name="initialLevel"/> from the moment of the request.</summary>
    public GpioOutput OpenOutput(int offset, GpioLevel initialLevel, string consumer)
    {
        CheckRequest(offset, consumer);
        return Track(OpenOutputCore(offset, initialLevel, consumer));
    }

    /// <summary>Requests a line as an input with edge detection on both edges.</summary>
    public GpioInput OpenInput(int offset, GpioBias bias, string consumer)
    {
        CheckRequest(offset, consumer);
        return Track(OpenInputCore(offset, bias, consumer));
    }

    protected abstract GpioOutput OpenOutputCore(int offset, GpioLevel initialLevel, string consumer);

    protected abstract GpioInput OpenInputCore(int offset, GpioBias bias, string consumer);

    /// <summary>Frees the chip itself; every line has been released before this runs.</summary>
    protected virtual void DisposeCore()
    {
    }

    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        GpioLine[] open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            open = [.. _lines];
        }

        // libgpiod 1.6 lines belong to the chip: release them before the chip goes.
        for (var i = open.Length - 1; i >= 0; i--)
        {
            open[i].Dispose();
        }

        DisposeCore();
        GC.SuppressFinalize(this);
    }

    internal void Forget(GpioLine line)
    {
        lock (_gate)
        {
            _lines.Remove(line);
        }
    }

    private void CheckRequest(int offset, string consumer)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
    }

    private T Track<T>(T line)
        where T : GpioLine
    {
        lock (_gate)
        {
            _lines.Add(line);
        }

        return line;
    }
}

/// <summary>A requested line. Releasing it gives it back to the kernel (and to whatever the circuit pulls it to).</summary>
public abstract class GpioLine : IDisposable
{
    private readonly GpioDriver _driver;
    private int _released;

    protected GpioLine(GpioDriver driver, int offset, string consumer)
    {
        _driver = driver;
        Offset = offset;
        Consumer = consumer;
    }

    public int Offset { get; }

    public string Consumer { get; }

    public string ChipName => _driver.ChipName;

    public bool IsReleased => Volatile.Read(ref _released) == 1;

    public void Release() => Dispose();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        try
        {
            ReleaseCore();
        }
        finally
        {
            _driver.Forget(this);
        }

        GC.SuppressFinalize(this);
    }

    protected abstract void ReleaseCore();

    protected void ThrowIfReleased() => ObjectDisposedException.ThrowIf(IsReleased, this);

    public override string ToString() => $"{ChipName} line {Offset} ({Consumer})";
}

public abstract class GpioOutput : GpioLine
{
    protected GpioOutput(GpioDriver driver, int offset, string consumer)
        : base(driver, offset, consumer)
    {
    }

    public void Write(GpioLevel level)
    {
        ThrowIfReleased();
        WriteCore(level);
    }

    /// <summary>The level the line is driven to.</summary>
    public GpioLevel Read()
    {
        ThrowIfReleased();
        return ReadCore();
    }

    protected abstract void WriteCore(GpioLevel level);

    protected abstract GpioLevel ReadCore();
}

/// <summary>
/// An input line with edge detection. Edges reach both <see cref="EdgeDetected"/> (called on the driver's thread) and
/// <see cref="WaitForEdgeAsync"/>; the latter keeps the last 256 edges, so an input nobody awaits costs nothing.
/// </summary>
public abstract class GpioInput : GpioLine
{
    private readonly Channel<GpioEdgeEvent> _edges = Channel.CreateBounded<GpioEdgeEvent>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });

    protected GpioInput(GpioDriver driver, int offset, GpioBias bias, string consumer)
        : base(driver, offset, consumer)
    {
        Bias = bias;
    }

    public GpioBias Bias { get; }

    public event EventHandler<GpioEdgeEvent>? EdgeDetected;

    public GpioLevel Read()
    {
        ThrowIfReleased();
        return ReadCore();
    }

    /// <summary>Waits for the next edge not yet taken by an earlier wait.</summary>
    /// <exception cref="ObjectDisposedException">The line was released.</exception>
    /// <exception cref="GpioException">The driver failed while watching the line.</exception>
    public async ValueTask<GpioEdgeEvent> WaitForEdgeAsync(CancellationToken cancellationToken)
    {
        ThrowIfReleased();
        try
        {
            return await _edges.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException closed) when (closed.InnerException is GpioException failure)
        {
            throw new GpioException(failure.Message, failure);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(ToString(), "The line was released while waiting for an edge.");
        }
    }

    protected abstract GpioLevel ReadCore();

    protected void PublishEdge(GpioEdgeEvent edge)
    {
        _edges.Writer.TryWrite(edge);
        EdgeDetected?.Invoke(this, edge);
    }

    protected void FailEdges(GpioException error) => _edges.Writer.TryComplete(error);

    protected abstract void ReleaseInputCore();

    protected sealed override void ReleaseCore()
    {
        try
        {
            ReleaseInputCore();
        }
        finally
        {
            _edges.Writer.TryComplete();
        }
    }
}
