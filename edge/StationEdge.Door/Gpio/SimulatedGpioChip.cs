using System.Device.Gpio;

namespace StationEdge.Door.Gpio;

/// <summary>A change of an output line's level, as the simulated chip recorded it.</summary>
/// <param name="At">Wall-clock time, for the record.</param>
/// <param name="Timestamp">The clock's monotonic timestamp (<see cref="TimeProvider.GetTimestamp"/>): order and durations.</param>
/// <param name="Driven">False when the change is the line being released (by its owner or by the kernel after a crash).</param>
public readonly record struct GpioOutputChange(int Offset, PinValue Level, DateTimeOffset At, long Timestamp, bool Driven);

/// <summary>What the kernel does with an output line whose request is released (by the owner, or because the owner died).</summary>
public enum ReleasedOutputs
{
    /// <summary>
    /// The pin goes back to an input and the circuit's pull decides its level: mainline Linux on a Raspberry Pi, and
    /// Raspberry Pi kernels booted with <c>dtparam=strict_gpiod</c>.
    /// </summary>
    ReturnToInput,

    /// <summary>
    /// The pin keeps driving its last level: Raspberry Pi kernels by default (<c>persist_gpio_outputs</c>), so a
    /// killed daemon leaves an energised relay energised.
    /// </summary>
    KeepDriven,
}

/// <summary>
/// The wires of a simulated GPIO chip: what each line is pulled to when nobody drives it (its rest level), what the
/// world drives onto inputs (switches, buttons, a relay contact: levels, edges, bounces), wires from outputs back to
/// inputs, and every output change with its time. Processes reach it through <see cref="SimulatedGpioDriver"/>s, each
/// a System.Device.Gpio driver; the chip outlives them, so a test can kill one (<see cref="SimulatedGpioDriver.SimulateProcessExit"/>)
/// and start another on the same wires, the way systemd restarts the daemon on a Pi.
/// </summary>
public sealed class SimulatedGpioChip
{
    public const int DefaultLineCount = 54;

    private readonly Lock _gate = new();
    private readonly LineState[] _lines;
    private readonly List<GpioOutputChange> _history = [];
    private readonly Dictionary<int, (int Input, bool Invert)> _loops = [];

    public SimulatedGpioChip(TimeProvider? timeProvider = null, string name = "gpiochip0", int lineCount = DefaultLineCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lineCount, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Time = timeProvider ?? TimeProvider.System;
        Name = name;
        _lines = new LineState[lineCount];
        for (var i = 0; i < lineCount; i++)
        {
            _lines[i] = new LineState();
        }
    }

    public TimeProvider Time { get; }

    public string Name { get; }

    public int LineCount => _lines.Length;

    /// <summary>What released output lines do; the default is the strict behaviour the station's install sets.</summary>
    public ReleasedOutputs ReleasedOutputs { get; set; } = ReleasedOutputs.ReturnToInput;

    /// <summary>Raised after an output line changes (also when it is requested and when it is released), on the thread that changed it.</summary>
    public event EventHandler<GpioOutputChange>? OutputChanged;

    public IReadOnlyList<GpioOutputChange> OutputHistory
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>The level on the wire: a driving output, else what the world drives, else the input's pull, else the rest level.</summary>
    public PinValue GetLevel(int offset)
    {
        lock (_gate)
        {
            return LevelOf(Line(offset));
        }
    }

    /// <summary>True while some driver has the line open.</summary>
    public bool IsRequested(int offset)
    {
        lock (_gate)
        {
            return Line(offset).Owner is not null;
        }
    }

    /// <summary>Sets what the circuit pulls the line to when nobody drives it (default low).</summary>
    public void SetRestLevel(int offset, PinValue level) => ChangeInput(offset, line => line.Rest = level);

    /// <summary>
    /// Drives a line from outside the chip (a switch, a button, a relay contact); null stops driving it so that it
    /// floats to its pull or rest level. An input with callbacks sees an edge whenever its level changes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The line is driving as an output: both ends would drive it.</exception>
    public void DriveInput(int offset, PinValue? level) => ChangeInput(offset, line =>
    {
        if (line.Driving)
        {
            throw new InvalidOperationException($"{Name} line {offset} is an output; the simulator cannot drive it.");
        }

        line.External = level;
    });

    /// <summary>
    /// Wires an output line to an input line, as on a test bench or a relay's read-back contact: the input follows
    /// the output's level on the wire (inverted if asked), including when the output is released.
    /// </summary>
    public void Loop(int outputOffset, int inputOffset, bool invert = false)
    {
        PinValue level;
        lock (_gate)
        {
            _ = Line(outputOffset);
            _ = Line(inputOffset);
            _loops[outputOffset] = (inputOffset, invert);
            level = LevelOf(_lines[outputOffset]);
        }

        DriveInput(inputOffset, invert ? !level : level);
    }

    /// <summary>Cuts the wire <see cref="Loop"/> made from <paramref name="outputOffset"/>; the input keeps its last level until driven.</summary>
    public void Unloop(int outputOffset)
    {
        lock (_gate)
        {
            _loops.Remove(outputOffset);
        }
    }

    /// <summary>The next <paramref name="count"/> writes (or output requests) on the line fail with an IOException, as a failing chip's would.</summary>
    public void FailNextWrites(int offset, int count = 1)
    {
        lock (_gate)
        {
            Line(offset).FailWrites += count;
        }
    }

    /// <summary>The next <paramref name="count"/> reads of the line fail with an IOException.</summary>
    public void FailNextReads(int offset, int count = 1)
    {
        lock (_gate)
        {
            Line(offset).FailReads += count;
        }
    }

    internal void Claim(SimulatedGpioDriver owner, int offset)
    {
        lock (_gate)
        {
            var line = Existing(offset);
            if (line.Owner is { } holder && !ReferenceEquals(holder, owner))
            {
                throw new IOException($"{Name} line {offset} is busy (requested by {holder.Consumer})");
            }

            line.Owner = owner;
        }
    }

    internal void SetInput(SimulatedGpioDriver owner, int offset, PinMode mode)
    {
        ChangeInput(offset, line =>
        {
            Owned(owner, offset, line);
            line.Mode = mode;
            line.Driving = false;
        });
    }

    internal void SetOutput(SimulatedGpioDriver owner, int offset, PinValue level)
    {
        GpioOutputChange change;
        lock (_gate)
        {
            var line = Existing(offset);
            Owned(owner, offset, line);
            FailWrite(offset, line);
            line.Mode = PinMode.Output;
            line.Driving = true;
            line.Drive = level;
            change = Record(offset, level, driven: true);
        }

        Notify(change);
    }

    internal void Write(SimulatedGpioDriver owner, int offset, PinValue level)
    {
        GpioOutputChange? change = null;
        lock (_gate)
        {
            var line = Existing(offset);
            Owned(owner, offset, line);
            if (line.Mode != PinMode.Output)
            {
                throw new InvalidOperationException($"{Name} line {offset} is not an output");
            }

            FailWrite(offset, line);
            if (line.Drive != level || !line.Driving)
            {
                line.Drive = level;
                line.Driving = true;
                change = Record(offset, level, driven: true);
            }
        }

        if (change is { } c)
        {
            Notify(c);
        }
    }

    internal PinValue Read(SimulatedGpioDriver owner, int offset)
    {
        lock (_gate)
        {
            var line = Existing(offset);
            Owned(owner, offset, line);
            if (line.FailReads > 0)
            {
                line.FailReads--;
                throw new IOException($"{Name} line {offset}: simulated read failure");
            }

            return LevelOf(line);
        }
    }

    internal PinMode ModeOf(SimulatedGpioDriver owner, int offset)
    {
        lock (_gate)
        {
            var line = Existing(offset);
            Owned(owner, offset, line);
            return line.Mode ?? PinMode.Input;
        }
    }

    /// <summary>Gives the line back to the kernel, which keeps or stops driving it as <see cref="ReleasedOutputs"/> says.</summary>
    internal void Release(SimulatedGpioDriver owner, int offset)
    {
        GpioOutputChange? change = null;
        lock (_gate)
        {
            var line = Existing(offset);
            if (!ReferenceEquals(line.Owner, owner))
            {
                return;
            }

            var wasOutput = line.Mode == PinMode.Output;
            line.Owner = null;
            line.Mode = null;
            if (wasOutput && ReleasedOutputs == ReleasedOutputs.ReturnToInput)
            {
                line.Driving = false;
            }

            if (wasOutput)
            {
                change = Record(offset, LevelOf(line), driven: false);
            }
        }

        if (change is { } c)
        {
            Notify(c);
        }
    }

    private static PinValue LevelOf(LineState line)
    {
        if (line.Driving)
        {
            return line.Drive;
        }

        if (line.External is { } external)
        {
            return external;
        }

        return line.Mode switch
        {
            PinMode.InputPullUp => PinValue.High,
            PinMode.InputPullDown => PinValue.Low,
            _ => line.Rest,
        };
    }

    private void ChangeInput(int offset, Action<LineState> change)
    {
        SimulatedGpioDriver? owner;
        PinValue before, after;
        lock (_gate)
        {
            var line = Line(offset);
            before = LevelOf(line);
            change(line);
            after = LevelOf(line);
            owner = line.Driving ? null : line.Owner;
        }

        if (owner is not null && before != after)
        {
            owner.OnEdge(offset, after == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling);
        }
    }

    private void FailWrite(int offset, LineState line)
    {
        if (line.FailWrites > 0)
        {
            line.FailWrites--;
            throw new IOException($"{Name} line {offset}: simulated write failure");
        }
    }

    private void Owned(SimulatedGpioDriver owner, int offset, LineState line)
    {
        if (!ReferenceEquals(line.Owner, owner))
        {
            throw new InvalidOperationException($"{Name} line {offset} is not open in this process");
        }
    }

    private LineState Existing(int offset)
    {
        if ((uint)offset >= (uint)_lines.Length)
        {
            throw new IOException($"{Name} has no line {offset} ({_lines.Length} lines)");
        }

        return _lines[offset];
    }

    private LineState Line(int offset)
    {
        if ((uint)offset >= (uint)_lines.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{Name} has lines 0..{_lines.Length - 1}");
        }

        return _lines[offset];
    }

    private GpioOutputChange Record(int offset, PinValue level, bool driven)
    {
        var change = new GpioOutputChange(offset, level, Time.GetUtcNow(), Time.GetTimestamp(), driven);
        _history.Add(change);
        return change;
    }

    private void Notify(GpioOutputChange change)
    {
        OutputChanged?.Invoke(this, change);
        (int Input, bool Invert)? loop;
        lock (_gate)
        {
            loop = _loops.TryGetValue(change.Offset, out var wire) ? wire : null;
        }

        if (loop is { } w)
        {
            DriveInput(w.Input, w.Invert ? !change.Level : change.Level);
        }
    }

    private sealed class LineState
    {
        public SimulatedGpioDriver? Owner;
        public PinMode? Mode;
        public bool Driving;
        public PinValue Drive;
        public PinValue? External;
        public PinValue Rest = PinValue.Low;
        public int FailWrites;
        public int FailReads;
    }
}
