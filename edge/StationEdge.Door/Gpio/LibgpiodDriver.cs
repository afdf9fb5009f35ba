using StationEdge.Door.Gpio.Interop;

namespace StationEdge.Door.Gpio;

/// <summary>
/// A GPIO chip on the Linux character device (<c>/dev/gpiochipN</c>) through libgpiod 1.6 — never sysfs.
/// The kernel owns the line requests: when the process exits, however it exits, they are released; on the
/// Raspberry Pi a released pin goes back to an input, so the relay board's own pull decides what the relay does.
/// </summary>
public sealed class LibgpiodDriver : GpioDriver
{
    private static readonly TimeSpan WaitSlice = TimeSpan.FromMilliseconds(100);

    private readonly SafeGpiodChipHandle _chip;

    /// <exception cref="GpioException">libgpiod.so.2 is not installed, or the chip cannot be opened.</exception>
    public LibgpiodDriver(string chipName)
        : base(chipName)
    {
        _ = LibgpiodLibrary.Version;
        _chip = LibgpiodNative.ChipOpenByName(chipName);
        if (_chip.IsInvalid)
        {
            var failure = LibgpiodLibrary.ChipOpenFailed(chipName);
            _chip.Dispose();
            throw failure;
        }

        LineCount = (int)LibgpiodNative.ChipNumLines(_chip);
    }

    /// <summary>libgpiod's own version string, e.g. 1.6.3.</summary>
    /// <exception cref="GpioException">libgpiod.so.2 is not installed.</exception>
    public static string LibraryVersion => LibgpiodLibrary.Version;

    public int LineCount { get; }

    protected override GpioOutput OpenOutputCore(int offset, GpioLevel initialLevel, string consumer)
    {
        var line = Acquire(offset, out var owned);
        try
        {
            if (LibgpiodNative.LineRequestOutputFlags(line, consumer, 0, (int)initialLevel) != 0)
            {
                throw LibgpiodLibrary.LastError($"{ChipName} line {offset} could not be requested as an output by '{consumer}'");
            }

            return new LibgpiodOutput(this, offset, consumer, line, _chip);
        }
        catch
        {
            if (owned)
            {
                _chip.DangerousRelease();
            }

            throw;
        }
    }

    protected override GpioInput OpenInputCore(int offset, GpioBias bias, string consumer)
    {
        var line = Acquire(offset, out var owned);
        try
        {
            var flags = bias switch
            {
                GpioBias.Disabled => LibgpiodNative.RequestFlagBiasDisable,
                GpioBias.PullUp => LibgpiodNative.RequestFlagBiasPullUp,
                GpioBias.PullDown => LibgpiodNative.RequestFlagBiasPullDown,
                _ => 0,
            };
            if (LibgpiodNative.LineRequestBothEdgesEventsFlags(line, consumer, flags) != 0)
            {
                throw LibgpiodLibrary.LastError($"{ChipName} line {offset} could not be requested as an input with edge events by '{consumer}'");
            }

            return new LibgpiodInput(this, offset, bias, consumer, line, _chip);
        }
        catch
        {
            if (owned)
            {
                _chip.DangerousRelease();
            }

            throw;
        }
    }

    protected override void DisposeCore() => _chip.Dispose();

    // Each line keeps the chip handle alive: gpiod_chip_close frees the line objects it hands out.
    private nint Acquire(int offset, out bool owned)
    {
        owned = false;
        _chip.DangerousAddRef(ref owned);
        var line = LibgpiodNative.ChipGetLine(_chip, (uint)offset);
        if (line == 0)
        {
            var failure = LibgpiodLibrary.LastError($"{ChipName} line {offset} is not available ({LineCount} lines)");
            _chip.DangerousRelease();
            owned = false;
            throw failure;
        }

        return line;
    }

    private sealed class LibgpiodOutput(LibgpiodDriver driver, int offset, string consumer, nint line, SafeGpiodChipHandle chip)
        : GpioOutput(driver, offset, consumer)
    {
        protected override void WriteCore(GpioLevel level)
        {
            if (LibgpiodNative.LineSetValue(line, (int)level) != 0)
            {
                throw LibgpiodLibrary.LastError($"{this}: setting {level.ToWord()} failed");
            }
        }

        protected override GpioLevel ReadCore()
        {
            var value = LibgpiodNative.LineGetValue(line);
            return value < 0 ? throw LibgpiodLibrary.LastError($"{this}: reading failed") : (GpioLevel)value;
        }

        protected override void ReleaseCore()
        {
            LibgpiodNative.LineRelease(line);
            chip.DangerousRelease();
        }
    }

    /// <summary>An input whose edges a background thread reads from the line's event queue.</summary>
    private sealed class LibgpiodInput : GpioInput
    {
        private readonly nint _line;
        private readonly SafeGpiodChipHandle _chip;
        private readonly Thread _reader;
        private volatile bool _stopping;

        public LibgpiodInput(LibgpiodDriver driver, int offset, GpioBias bias, string consumer, nint line, SafeGpiodChipHandle chip)
            : base(driver, offset, bias, consumer)
        {
            _line = line;
            _chip = chip;
            _reader = new Thread(ReadEdges) { IsBackground = true, Name = $"gpio {driver.ChipName}:{offset}" };
            _reader.Start();
        }

        protected override GpioLevel ReadCore()
        {
            var value = LibgpiodNative.LineGetValue(_line);
            return value < 0 ? throw LibgpiodLibrary.LastError($"{this}: reading failed") : (GpioLevel)value;
        }

        protected override void ReleaseInputCore()
        {
            // The reader waits in slices, so it notices within one slice; only then may the line go back to the kernel.
            _stopping = true;
            if (Thread.CurrentThread != _reader)
            {
                _reader.Join();
            }

            LibgpiodNative.LineRelease(_line);
            _chip.DangerousRelease();
        }

        private void ReadEdges()
        {
            var slice = Timespec.From(WaitSlice);
            while (!_stopping)
            {
                var ready = LibgpiodNative.LineEventWait(_line, in slice);
                if (ready == 0 || _stopping)
                {
                    continue;
                }

                if (ready < 0 || LibgpiodNative.LineEventRead(_line, out var native) != 0)
                {
                    var failure = LibgpiodLibrary.LastError($"{this}: waiting for edges failed");
                    if (failure.Errno is { } errno && LibgpiodLibrary.IsInterrupted(errno))
                    {
                        continue;
                    }

                    FailEdges(failure);
                    return;
                }

                var edge = native.EventType == LibgpiodNative.EventRisingEdge ? GpioEdge.Rising : GpioEdge.Falling;
                PublishEdge(new GpioEdgeEvent(Offset, edge, native.Timestamp.ToTimeSpan()));
            }
        }
    }
}
