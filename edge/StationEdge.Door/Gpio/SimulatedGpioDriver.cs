namespace StationEdge.Door.Gpio;

/// <summary>A change of an output line's level, as the simulated chip recorded it.</summary>
/// <param name="Driven">False when the change is the line being released: nobody drives it and it sits at its rest level.</param>
public readonly record struct GpioOutputChange(int Offset, GpioLevel Level, DateTimeOffset At, bool Driven);

/// <summary>
/// A GPIO chip with no hardware behind it, for machines without one and for <c>door-sim</c>. Outputs record every
/// change with a timestamp from the injected clock; inputs are driven by the simulator (levels, edges, bounces).
/// <para>
/// Each line has a rest level: what the circuit pulls it to when nobody drives it (a relay board's own pull resistor
/// that keeps the relay off). Releasing an output — by its owner, or by <see cref="SimulateProcessExit"/> as the kernel
/// does for a process that dies — returns the line to that rest level, which is how a crashed daemon drops the relay.
/// </para>
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    public const int DefaultLineCount = 54;

    private readonly Lock _gate = new();
    private readonly LineState[] _lines;
    private readonly List<GpioOutputChange> _history = [];
    private readonly Dictionary<int, (int Input, bool Invert)> _loops = [];
    private readonly DateTimeOffset _epoch;

    public SimulatedGpioDriver(string chipName = "gpiochip0", TimeProvider? timeProvider = null, int lineCount = DefaultLineCount)
        : base(chipName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lineCount, 1);
        Time = timeProvider ?? TimeProvider.System;
        _epoch = Time.GetUtcNow();
        _lines = new LineState[lineCount];
        for (var i = 0; i < lineCount; i++)
        {
            _lines[i] = new LineState();
        }
    }

    public TimeProvider Time { get; }

    public int LineCount => _lines.Length;

    /// <summary>Raised after an output line changes level (also when it is requested and when it is released).</summary>
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

    /// <summary>The level on the wire: the output's drive, else the simulator's drive, else the requested bias, else the rest level.</summary>
    public GpioLevel GetLevel(int offset)
    {
        lock (_gate)
        {
            return LevelOf(Line(offset));
        }
    }

    public bool IsRequested(int offset)
    {
        lock (_gate)
        {
            return Line(offset).Owner is not null;
        }
    }

    /// <summary>Sets what the circuit pulls the line to when nobody drives it (default low).</summary>
    public void SetRestLevel(int offset, GpioLevel level) => ChangeInput(offset, line => line.Rest = level);

    /// <summary>
    /// Drives a line from outside the chip (a switch, a button, a relay contact); null stops driving it so that it
    /// floats to its bias or rest level. A requested input sees an edge whenever its level changes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The line is requested as an output: both ends would drive it.</exception>
    public void DriveInput(int offset, GpioLevel? level) => ChangeInput(offset, line =>
    {
        if (line.Owner is SimulatedOutput)
        {
            throw new InvalidOperationException($"{ChipName} line {offset} is an output ({line.Owner.Consumer}); the simulator cannot drive it.");
        }

        line.External = level;
    });

    /// <summary>
    /// Wires an output line to an input line, as on a test bench or a relay's read-back contact: the input follows
    /// the output's level on the wire (inverted if asked), including when the output is released.
    /// </summary>
    public void Loop(int outputOffset, int inputOffset, bool invert = false)
    {
        GpioLevel level;
        lock (_gate)
        {
            _ = Line(outputOffset);
            _ = Line(inputOffset);
            _loops[outputOffset] = (inputOffset, invert);
            level = LevelOf(_lines[outputOffset]);
        }

        DriveInput(inputOffset, invert ? level.Invert() : level);
    }

    /// <summary>Cuts the wire <see cref="Loop"/> made from <paramref name="outputOffset"/>; the input keeps its last level until driven.</summary>
    public void Unloop(int outputOffset)
    {
        lock (_gate)
        {
            _loops.Remove(outputOffset);
        }
    }

    /// <summary>
    /// What the kernel does when the owning process dies: every line request is released without the owner's code
    /// running, and each output returns to its rest level. The owners' line objects stop working.
    /// </summary>
    public void SimulateProcessExit()
    {
        var changes = new List<GpioOutputChange>();
        lock (_gate)
        {
            for (var offset = 0; offset < _lines.Length; offset++)
            {
                var line = _lines[offset];
                if (line.Owner is null)
                {
                    continue;
                }

                line.Owner.Revoked = true;
                if (ReleaseLocked(offset, line) is { } change)
                {
                    changes.Add(change);
                }
            }
        }

        Notify(changes);
    }

    protected override GpioOutput OpenOutputCore(int offset, GpioLevel initialLevel, string consumer)
    {
        GpioOutputChange change;
        SimulatedOutput output;
        lock (_gate)
        {
            var line = Claim(offset, consumer);
            if (line.External is not null)
            {
                throw new GpioException($"{ChipName} line {offset} is driven from outside; requesting it as an output would short it");
            }

            output = new SimulatedOutput(this, offset, consumer);
            line.Owner = output;
            line.Drive = initialLevel;
            change = Record(offset, initialLevel, driven: true);
        }

        Notify([change]);
        return output;
    }

    protected override GpioInput OpenInputCore(int offset, GpioBias bias, string consumer)
    {
        lock (_gate)
        {
            var line = Claim(offset, consumer);
            var input = new SimulatedInput(this, offset, bias, consumer);
            line.Owner = input;
            line.Bias = bias;
            return input;
        }
    }

    private LineState Claim(int offset, string consumer)
    {
        ThrowIfDisposed();
        if (offset >= _lines.Length)
        {
            throw new GpioException($"line {offset} does not exist on {ChipName} ({_lines.Length} lines)");
        }

        var line = _lines[offset];
        if (line.Owner is not null)
        {
            throw new GpioException($"{ChipName} line {offset} is busy (requested by '{line.Owner.Consumer}'); wanted by '{consumer}'");
        }

        return line;
    }

    private LineState Line(int offset)
    {
        if ((uint)offset >= (uint)_lines.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{ChipName} has lines 0..{_lines.Length - 1}");
        }

        return _lines[offset];
    }

    private static GpioLevel LevelOf(LineState line) => line.Owner switch
    {
        SimulatedOutput => line.Drive,
        SimulatedInput => line.External ?? line.Bias switch
        {
            GpioBias.PullUp => GpioLevel.High,
            GpioBias.PullDown => GpioLevel.Low,
            _ => line.Rest,
        },
        _ => line.External ?? line.Rest,
    };

    private void ChangeInput(int offset, Action<LineState> change)
    {
        SimulatedInput? input;
        GpioLevel before, after;
        lock (_gate)
        {
            var line = Line(offset);
            before = LevelOf(line);
            change(line);
            after = LevelOf(line);
            input = line.Owner as SimulatedInput;
        }

        if (input is not null && before != after)
        {
            input.Edge(new GpioEdgeEvent(offset, after == GpioLevel.High ? GpioEdge.Rising : GpioEdge.Falling, Time.GetUtcNow() - _epoch));
        }
    }

    private void Write(SimulatedOutput output, GpioLevel level)
    {
        GpioOutputChange? change = null;
        lock (_gate)
        {
            var line = Owned(output);
            if (line.Drive != level)
            {
                line.Drive = level;
                change = Record(output.Offset, level, driven: true);
            }
        }

        if (change is { } c)
        {
            Notify([c]);
        }
    }

    private GpioLevel Read(ISimulatedLine owner)
    {
        lock (_gate)
        {
            return LevelOf(Owned(owner));
        }
    }

    private void Release(ISimulatedLine owner)
    {
        GpioOutputChange? change = null;
        lock (_gate)
        {
            var line = _lines[owner.Offset];
            if (ReferenceEquals(line.Owner, owner))
            {
                change = ReleaseLocked(owner.Offset, line);
            }
        }

        if (change is { } c)
        {
            Notify([c]);
        }
    }

    private GpioOutputChange? ReleaseLocked(int offset, LineState line)
    {
        var wasOutput = line.Owner is SimulatedOutput;
        line.Owner = null;
        line.Bias = GpioBias.AsIs;
        return wasOutput ? Record(offset, LevelOf(line), driven: false) : null;
    }

    private LineState Owned(ISimulatedLine owner)
    {
        var line = _lines[owner.Offset];
        if (owner.Revoked || !ReferenceEquals(line.Owner, owner))
        {
            throw new GpioException($"{ChipName} line {owner.Offset} is no longer requested by '{owner.Consumer}' (released by the kernel)");
        }

        return line;
    }

    private GpioOutputChange Record(int offset, GpioLevel level, bool driven)
    {
        var change = new GpioOutputChange(offset, level, Time.GetUtcNow(), driven);
        _history.Add(change);
        return change;
    }

    private void Notify(IEnumerable<GpioOutputChange> changes)
    {
        foreach (var change in changes)
        {
            OutputChanged?.Invoke(this, change);
            (int Input, bool Invert)? loop;
            lock (_gate)
            {
                loop = _loops.TryGetValue(change.Offset, out var wire) ? wire : null;
            }

            if (loop is { } w)
            {
                DriveInput(w.Input, w.Invert ? change.Level.Invert() : change.Level);
            }
        }
    }

    private sealed class LineState
    {
        public ISimulatedLine? Owner;
        public GpioLevel Drive;
        public GpioLevel? External;
        public GpioLevel Rest;
        public GpioBias Bias;
    }

    private interface ISimulatedLine
    {
        int Offset { get; }

        string Consumer { get; }

        bool Revoked { get; set; }
    }

    private sealed class SimulatedOutput(SimulatedGpioDriver chip, int offset, string consumer)
        : GpioOutput(chip, offset, consumer), ISimulatedLine
    {
        public bool Revoked { get; set; }

        protected override void WriteCore(GpioLevel level) => chip.Write(this, level);

        protected override GpioLevel ReadCore() => chip.Read(this);

        protected override void ReleaseCore() => chip.Release(this);
    }

    private sealed class SimulatedInput(SimulatedGpioDriver chip, int offset, GpioBias bias, string consumer)
        : GpioInput(chip, offset, bias, consumer), ISimulatedLine
    {
        public bool Revoked { get; set; }

        public void Edge(GpioEdgeEvent edge) => PublishEdge(edge);

        protected override GpioLevel ReadCore() => chip.Read(this);

        protected override void ReleaseInputCore() => chip.Release(this);
    }
}
