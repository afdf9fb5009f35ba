using System.Device.Gpio;

namespace StationEdge.Door.Gpio;

/// <summary>
/// One process's System.Device.Gpio driver on a <see cref="SimulatedGpioChip"/> (<c>Gpio:Driver = sim</c>,
/// <c>--gpio sim</c>): the same <see cref="GpioController"/> code that runs on libgpiod runs on it. It behaves as the
/// libgpiod drivers do where the door depends on it: <see cref="GpioDriver.SetPinMode(int, PinMode, PinValue)"/>
/// requests an output already at its level, while a plain switch to output drives low first (what both libgpiod
/// drivers request); a line open in one driver is busy for every other; closing a line hands it back to the kernel.
/// Edge callbacks run on the thread that changed the level.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly HashSet<int> _open = [];
    private readonly Dictionary<int, List<(PinEventTypes Types, PinChangeEventHandler Callback)>> _callbacks = [];
    private bool _exited;

    public SimulatedGpioDriver(SimulatedGpioChip chip, string consumer = "station-edge")
    {
        ArgumentNullException.ThrowIfNull(chip);
        Chip = chip;
        Consumer = consumer;
    }

    /// <summary>A driver on a chip of its own.</summary>
    public SimulatedGpioDriver(TimeProvider? timeProvider = null)
        : this(new SimulatedGpioChip(timeProvider))
    {
    }

    public SimulatedGpioChip Chip { get; }

    /// <summary>Who holds this driver's lines, as a busy line's error names it.</summary>
    public string Consumer { get; }

    protected override int PinCount => Chip.LineCount;

    /// <summary>
    /// What the kernel does when the owning process dies (<c>kill -9</c>): every line is released without the owner's
    /// code running, and each output does what <see cref="SimulatedGpioChip.ReleasedOutputs"/> says. Every later call
    /// on this driver fails.
    /// </summary>
    public void SimulateProcessExit()
    {
        int[] open;
        lock (_gate)
        {
            _exited = true;
            open = [.. _open];
            _open.Clear();
            _callbacks.Clear();
        }

        foreach (var offset in open)
        {
            Chip.Release(this, offset);
        }
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfExited();
            if (_open.Contains(pinNumber))
            {
                return;
            }

            Chip.Claim(this, pinNumber);
            _open.Add(pinNumber);
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            if (!_open.Remove(pinNumber))
            {
                return;
            }

            _callbacks.Remove(pinNumber);
        }

        Chip.Release(this, pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        if (mode == PinMode.Output)
        {
            // As libgpiod 1.6 (gpiod_line_request_output(…, 0)) and 2.x (default output value inactive) do.
            SetPinMode(pinNumber, mode, PinValue.Low);
            return;
        }

        CheckOpen(pinNumber);
        Chip.SetInput(this, pinNumber, mode);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        if (mode != PinMode.Output)
        {
            SetPinMode(pinNumber, mode);
            return;
        }

        CheckOpen(pinNumber);
        Chip.SetOutput(this, pinNumber, initialValue);
    }

    protected override PinMode GetPinMode(int pinNumber)
    {
        CheckOpen(pinNumber);
        return Chip.ModeOf(this, pinNumber);
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) =>
        mode is PinMode.Input or PinMode.InputPullUp or PinMode.InputPullDown or PinMode.Output;

    protected override PinValue Read(int pinNumber)
    {
        CheckOpen(pinNumber);
        return Chip.Read(this, pinNumber);
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        CheckOpen(pinNumber);
        Chip.Write(this, pinNumber, value);
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        CheckOpen(pinNumber);
        lock (_gate)
        {
            if (!_callbacks.TryGetValue(pinNumber, out var list))
            {
                _callbacks[pinNumber] = list = [];
            }

            list.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            if (_callbacks.TryGetValue(pinNumber, out var list))
            {
                list.RemoveAll(entry => entry.Callback == callback);
            }
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var seen = new ManualResetEventSlim();
        var type = PinEventTypes.None;
        void OnChange(object sender, PinValueChangedEventArgs e)
        {
            type = e.ChangeType;
            seen.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnChange);
        try
        {
            seen.Wait(cancellationToken);
            return new WaitForEventResult { TimedOut = false, EventTypes = type };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { TimedOut = true, EventTypes = PinEventTypes.None };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnChange);
        }
    }

    protected override async ValueTask<WaitForEventResult> WaitForEventAsync(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource<PinEventTypes>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChange(object sender, PinValueChangedEventArgs e) => seen.TrySetResult(e.ChangeType);
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnChange);
        try
        {
            var type = await seen.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new WaitForEventResult { TimedOut = false, EventTypes = type };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { TimedOut = true, EventTypes = PinEventTypes.None };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnChange);
        }
    }

    public override GpioChipInfo GetChipInfo() => new(0, Chip.Name, "simulated", Chip.LineCount);

    protected override void Dispose(bool disposing)
    {
        int[] open;
        lock (_gate)
        {
            open = [.. _open];
            _open.Clear();
            _callbacks.Clear();
        }

        foreach (var offset in open)
        {
            Chip.Release(this, offset);
        }

        base.Dispose(disposing);
    }

    internal void OnEdge(int offset, PinEventTypes edge)
    {
        PinChangeEventHandler[] targets;
        lock (_gate)
        {
            if (_exited || !_callbacks.TryGetValue(offset, out var list))
            {
                return;
            }

            targets = [.. list.Where(entry => (entry.Types & edge) != 0).Select(entry => entry.Callback)];
        }

        var args = new PinValueChangedEventArgs(edge, offset);
        foreach (var callback in targets)
        {
            callback(this, args);
        }
    }

    private void CheckOpen(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfExited();
            if (!_open.Contains(pinNumber))
            {
                throw new InvalidOperationException($"{Chip.Name} line {pinNumber} is not open");
            }
        }
    }

    private void ThrowIfExited()
    {
        if (_exited)
        {
            throw new IOException($"{Chip.Name}: the process that held these lines has exited");
        }
    }
}
