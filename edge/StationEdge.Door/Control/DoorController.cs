using System.Device.Gpio;
using System.Device.Gpio.Drivers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StationEdge.Door.Gpio;
using StationEdge.Door.Timing;

namespace StationEdge.Door.Control;

/// <summary>
/// The door: relay, contact, exit button, optional read-back, alarm buzzer, LED, beeper and presence sensor, on a
/// System.Device.Gpio <see cref="GpioController"/> and one state machine on an injectable clock.
/// <list type="bullet">
/// <item>locked → unlocked for a pulse (a grant while unlocked extends it) → opened → relocked when the door closes or the pulse ends;</item>
/// <item>the exit button unlocks with its own pulse; every input is debounced, and chatter cannot hide a change for ever;</item>
/// <item>alarms forced-open, held-open, relay-stuck and fault are raised once and cleared when their condition ends;</item>
/// <item>no unlock outlasts Door:MaxUnlockMs whatever callers, handlers or the wall clock do: every deadline is on the
/// monotonic clock, every timer checks its deadline, the relay is written before the state says so, and a fault in
/// any callback relocks the door and keeps the controller running;</item>
/// <item>start, dispose and cancellation leave the relay de-energised (fail-secure: locked; fail-safe: released, see README).</item>
/// </list>
/// Every entry point runs under one lock; events leave it through <see cref="Events"/>, so nothing a reader does can
/// hold the lock.
/// <para>
/// The controller composes the parts and owns the lock, the timers of the unlock and the order of every step (the
/// relay written before the state says so, then the events): <see cref="DoorLines"/> (the output lines and their
/// lifecycle), <see cref="UnlockCycle"/> (the unlock and cap bookkeeping), <see cref="DoorContactState"/> (open, the
/// opening's first edge, exit grace, held-open time), <see cref="DoorAlarms"/> (the raised set, its events, the alarm
/// buzzer), <see cref="RelayReadbackCheck"/> (relay-stuck) and <see cref="PresenceWatch"/> (the PIR). Every relay
/// write is the controller's decision under its lock; the parts run under that lock too (only the inputs' edge gates
/// and the beeper's tone timing have locks of their own, which never wait for the controller's).
/// </para>
/// </summary>
public sealed class DoorController : IDisposable
{
    /// <summary>The grantor recorded for the exit button.</summary>
    public const string ExitButton = "exit-button";

    private static readonly TimeSpan RelayRetry = TimeSpan.FromSeconds(1);

    private readonly DoorLines _lines;
    private readonly DoorOptions _options;
    private readonly TimeProvider _time;
    private readonly DedicatedTimerProvider? _timerThread;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Channel<DoorEvent> _events = Channel.CreateUnbounded<DoorEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DoorAlarms _alarms;
    private readonly UnlockCycle _cycle;
    private readonly DoorContactState _door;

    private DebouncedInput? _contact;
    private DebouncedInput? _exit;
    private RelayReadbackCheck? _readback;
    private Beeper? _beeper;
    private PresenceWatch? _presence;
    private ITimer? _pulseTimer;
    private ITimer? _capTimer;
    private ITimer? _heldTimer;
    private ITimer? _retryTimer;

    private bool _started;
    private bool _disposed;

    /// <exception cref="OptionsValidationException">The options are invalid (the message names the key).</exception>
    public DoorController(GpioDriver driver, DoorOptions options, TimeProvider? timeProvider = null, ILogger<DoorController>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(options);
        var check = new DoorOptionsValidator().Validate(null, options);
        if (check.Failed)
        {
            throw new OptionsValidationException(DoorOptions.SectionName, typeof(DoorOptions), check.Failures);
        }

        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        if (ReferenceEquals(_time, TimeProvider.System))
        {
            // Real time: the door's timers get a thread of their own, so a starved thread pool cannot delay the cap.
            _timerThread = new DedicatedTimerProvider(_time, "door timers");
            _time = _timerThread;
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _lines = new DoorLines(driver, options, _logger);
        _alarms = new DoorAlarms(_lines, options.Buzzer, _time, Emit);
        _cycle = new UnlockCycle(_time, Ms(options.MaxUnlockMs), Ms(options.CapLockoutMs));
        _door = new DoorContactState(_time, Ms(options.HeldOpenMs), Ms(options.ExitGraceMs));
    }

    /// <summary>Everything that happens, in order. Completed when the controller stops; read it from one reader.</summary>
    public ChannelReader<DoorEvent> Events => _events.Reader;

    public DoorStatus Status
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetTimestamp();
                return new DoorStatus(_cycle.Unlocked, _cycle.Unlocked ? WallAt(_cycle.Deadline, now) : null, _door.Open, _alarms.Snapshot(), _presence?.Detected ?? false);
            }
        }
    }

    /// <summary>Requests the lines (relay first, already at its locked level) and reads the inputs' current levels.</summary>
    /// <exception cref="GpioException">A line cannot be requested (the message names its key); whatever was requested is released again.</exception>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("The door controller is already started.");
            }

            OpenLines();
            _started = true;
            var now = _time.GetTimestamp();
            _door.Start(_contact!.Stable != ClosedLevel, now);
            Emit(new DoorStarted(Wall, _door.Open));
            if (_door.Open)
            {
                Arm(_heldTimer!, Ms(_options.HeldOpenMs));
            }

            _readback?.RelayWritten(now);
        }
    }

    /// <summary>Starts, runs until <paramref name="cancellationToken"/> is cancelled, then stops (relay de-energised).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Start();
        try
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => stopped.TrySetResult());
            await stopped.Task;
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Unlocks for Door:PulseMs, or extends the current unlock (never beyond the cap).</summary>
    /// <param name="by">Who granted: a worker id, or "keeper:name".</param>
    /// <returns>False when the grant was refused (cap lock-out, a relay fault) or the controller has stopped.</returns>
    public bool Grant(string by)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if (!_started)
            {
                throw new InvalidOperationException("Start the door controller before granting access.");
            }

            try
            {
                return GrantLocked(by, _options.PulseMs, exempt: false);
            }
            catch (Exception failure)
            {
                Fault(failure);
                return false;
            }
        }
    }

    /// <summary>
    /// Sounds the refusal on the beeper (two tones) for a refusal decided before the door (an unknown face, a suspended
    /// worker); the relay is not touched. Nothing happens without a beeper or once stopped.
    /// </summary>
    public void SignalRefusal()
    {
        lock (_gate)
        {
            if (_started && !_disposed)
            {
                _beeper?.Refused();
            }
        }
    }

    /// <summary>Stops: the relay is de-energised and every line released, whatever state the door was in.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!_started)
            {
                ReleaseLines();
                _events.Writer.TryComplete();
                _timerThread?.Dispose();
                return;
            }

            foreach (var timer in new[] { _pulseTimer, _capTimer, _heldTimer, _retryTimer })
            {
                timer?.Dispose();
            }

            _readback?.StopChecking();
            _presence?.StopReporting();

            var wasUnlocked = _cycle.Unlocked;
            _cycle.End(_time.GetTimestamp());
            try
            {
                if (_lines.RelayHeld)
                {
                    _lines.DeEnergiseRelay();
                }

                if (wasUnlocked && !_options.FailSafe)
                {
                    Emit(new DoorRelocked(Wall, RelockReason.Stopped));
                }

                SetOutput(_options.Led, on: false);
                SetOutput(_options.Buzzer, on: false);
            }
            catch (Exception failure)
            {
                // Releasing the lines below still hands the relay back to the kernel.
                DoorLog.StopWriteFailed(_logger, failure);
            }

            ReleaseLines();
            Emit(new DoorStopped(Wall, LeftUnlocked: _options.FailSafe));
            _events.Writer.TryComplete();
            _timerThread?.Dispose();
        }
    }

    private PinValue ClosedLevel => _options.Contact.ClosedLevel.ToPinValue();

    private DateTimeOffset Wall => _time.GetUtcNow();

    private static TimeSpan Ms(int milliseconds) => DoorClock.Ms(milliseconds);

    private TimeSpan Until(long deadline, long now) => _time.Until(deadline, now);

    private DateTimeOffset WallAt(long deadline, long now) => Wall + Until(deadline, now);

    private static void Arm(ITimer timer, TimeSpan due) => timer.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);

    private static void Disarm(ITimer timer) => timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void OpenLines()
    {
        var key = "Door:Relay:Line";
        var line = _lines.Relay;
        var gpio = _lines.Gpio;
        try
        {
            // The relay first, requested at its locked level, so not even the request can pulse it.
            _lines.OpenRelay();
            foreach (var (name, output) in new[] { ("Led", _options.Led), ("Buzzer", _options.Buzzer) })
            {
                if (output is not null)
                {
                    (key, line) = ($"Door:{name}:Line", output.Line!.Value);
                    _lines.OpenOutput(output);
                }
            }

            if (_options.Beeper is { } beeper)
            {
                (key, line) = ("Door:Beeper:Line", beeper.Line!.Value);
                _beeper = Beeper.Open(beeper, gpio, _lines.Driver, _time, _logger);
            }

            var timings = new DoorTimings(_time, Ms(_options.DebounceMs), Ms(_options.MaxSettleMs));
            (key, line) = ("Door:Contact:Line", _options.Contact.Line!.Value);
            _contact = new DebouncedInput(gpio, line, _options.Contact.Bias, timings, !ClosedLevel, RunGuarded, ReportFault, OnContact);
            (key, line) = ("Door:ExitButton:Line", _options.ExitButton.Line!.Value);
            _exit = new DebouncedInput(gpio, line, _options.ExitButton.Bias, timings, null, RunGuarded, ReportFault, OnExit);
            if (_options.RelayReadback is { } readback)
            {
                (key, line) = ("Door:RelayReadback:Line", readback.Line!.Value);
                _readback = new RelayReadbackCheck(
                    readback, gpio, timings, Ms(_options.ReadbackGraceMs), RunGuarded, ReportFault, Timer,
                    // A released relay line (after a fault) falls to the board's pull: de-energised.
                    () => _lines.RelayHeld && _lines.RelayEnergisedWhen(_cycle.Unlocked),
                    _alarms);
            }

            if (_options.Presence is { } presence)
            {
                (key, line) = ("Door:Presence:Line", presence.Line!.Value);
                _presence = new PresenceWatch(line, _lines, _time, Timer, Emit);
            }
        }
        catch (Exception failure) when (failure is IOException or GpiodException or InvalidOperationException
            or PlatformNotSupportedException or UnauthorizedAccessException or ArgumentException)
        {
            ReleaseLines();
            throw new GpioException($"{key} {line} could not be requested: {GpioDriverFactory.OneLine(failure)}", failure);
        }
        catch
        {
            ReleaseLines();
            throw;
        }

        _pulseTimer = Timer(PulseDue);
        _capTimer = Timer(CapDue);
        _heldTimer = Timer(HeldDue);
        _retryTimer = Timer(RetryRelay);
    }

    private ITimer Timer(Action due) => _time.CreateTimer(_ => RunGuarded(due), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    private void ReleaseLines()
    {
        // Inputs first, the relay last: if anything throws, the relay is still held at the level just written.
        Quietly(() => _readback?.Dispose());
        foreach (var input in new[] { _exit, _contact })
        {
            Quietly(() => input?.Dispose());
        }

        _presence?.Dispose();

        Quietly(() => _beeper?.Dispose());
        _lines.ReleaseOutputs();
    }

    private void Quietly(Action release) => _lines.Quietly(release);

    private bool GrantLocked(string by, int pulseMs, bool exempt)
    {
        var now = _time.GetTimestamp();
        if (!_lines.RelayHeld)
        {
            Refuse(by, "fault");
            return false;
        }

        if (!exempt && _cycle.LockedOut(now))
        {
            Refuse(by, "cap-lockout");
            return false;
        }

        Emit(new DoorGranted(Wall, by));
        if (!_cycle.Unlocked)
        {
            // The relay first: if the write fails, nothing below claims an unlock.
            WriteRelay(unlocked: true, now);
            _cycle.Begin(now, Ms(pulseMs), _door.Open);
            Arm(_pulseTimer!, Until(_cycle.Deadline, now));
            Arm(_capTimer!, Until(_cycle.CapDeadline, now));
            Emit(new DoorUnlocked(Wall, WallAt(_cycle.Deadline, now)));
            SetOutput(_options.Led, on: true);
            _beeper?.Granted();
            return true;
        }

        if (_cycle.Extend(now, Ms(pulseMs)))
        {
            Arm(_pulseTimer!, Until(_cycle.Deadline, now));
            Emit(new DoorUnlockExtended(Wall, WallAt(_cycle.Deadline, now)));
        }

        _beeper?.Granted();
        return true;
    }

    private void Refuse(string by, string reason)
    {
        Emit(new DoorGrantRefused(Wall, by, reason));
        _beeper?.Refused();
    }

    private void Relock(RelockReason reason)
    {
        var now = _time.GetTimestamp();

        // The relay first: if the write fails, the unlock (and its cap timer) still stand for the fault to end.
        WriteRelay(unlocked: false, now);
        EndUnlock(now);
        Emit(new DoorRelocked(Wall, reason));
        SetOutput(_options.Led, on: false);
        if (reason == RelockReason.Cap)
        {
            _cycle.StartLockout(now);
        }

        // The relay has just switched as told: whatever fault came before, the door works again.
        Clear(DoorAlarm.Fault);
    }

    private void EndUnlock(long now)
    {
        _cycle.End(now);
        Disarm(_pulseTimer!);
        Disarm(_capTimer!);
    }

    private void WriteRelay(bool unlocked, long now)
    {
        _lines.WriteRelay(unlocked);
        _readback?.RelayWritten(now);
    }

    private void OnContact(PinValue level, long since)
    {
        var open = level != ClosedLevel;
        if (open == _door.Open)
        {
            return;
        }

        if (open)
        {
            Emit(new DoorOpened(Wall));
            _cycle.NoteOpened();
            _door.Opened(since);
            if (!AuthorisedAt(since))
            {
                Raise(DoorAlarm.ForcedOpen);
            }

            Arm(_heldTimer!, Ms(_options.HeldOpenMs));
            return;
        }

        _door.Closed();
        Emit(new DoorClosed(Wall));
        Disarm(_heldTimer!);
        Clear(DoorAlarm.ForcedOpen);
        Clear(DoorAlarm.HeldOpen);
        if (_cycle.Unlocked && _cycle.OpenedDuringUnlock)
        {
            Relock(RelockReason.DoorClosed);
        }
    }

    // The debounce reports an opening late, so the door is judged as it was when the opening began: unlocked then,
    // or an exit press began at or before it, within Door:ExitGraceMs (free egress by the handle).
    private bool AuthorisedAt(long since) => _cycle.WasUnlockedAt(since) || _door.ExitPressCovers(since);

    private void OnExit(PinValue level, long since)
    {
        if (level != _options.ExitButton.ActiveLevel.ToPinValue())
        {
            return;
        }

        _door.ExitPressed(since);

        // A press that began before the door began to open, but settled after the contact did, still authorised it.
        if (_door.Open && _alarms.IsRaised(DoorAlarm.ForcedOpen) && _door.ExitPressCovers(_door.OpenedSince))
        {
            Clear(DoorAlarm.ForcedOpen);
        }

        // The way out is never locked out by the cap.
        GrantLocked(ExitButton, _options.ExitPulseMs, exempt: true);
    }

    // Each timer checks its own deadline: a callback queued for an earlier unlock, or delayed past a new one, finds
    // the deadline moved and re-arms instead of acting.
    private void PulseDue()
    {
        if (!_cycle.Unlocked)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (now < _cycle.Deadline)
        {
            Arm(_pulseTimer!, Until(_cycle.Deadline, now));
            return;
        }

        Relock(_cycle.PulseEndReason);
    }

    // A watchdog independent of the pulse bookkeeping: whatever happened to the pulse deadline, the cap relocks. The
    // cap itself (when it falls, and that no extension passes it) is decided in UnlockCycle alone; this timer and
    // PulseDue only act on its deadlines, so there is one cap to reason about and to test.
    private void CapDue()
    {
        if (!_cycle.Unlocked)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (now < _cycle.CapDeadline)
        {
            Arm(_capTimer!, Until(_cycle.CapDeadline, now));
            return;
        }

        Relock(RelockReason.Cap);
    }

    private void HeldDue()
    {
        if (!_door.Open)
        {
            return;
        }

        var left = _door.HeldOpenLeft();
        if (left > TimeSpan.Zero)
        {
            Arm(_heldTimer!, left);
            return;
        }

        Raise(DoorAlarm.HeldOpen);
    }

    private void RetryRelay()
    {
        if (_lines.RelayHeld)
        {
            return;
        }

        try
        {
            _lines.ReopenRelay();
            _readback?.NoteRelayChange(_time.GetTimestamp());
            DoorLog.RelayRecovered(_logger, _lines.Relay);
        }
        catch (Exception failure)
        {
            DoorLog.RelayRetryFailed(_logger, failure, _lines.Relay);
            Arm(_retryTimer!, RelayRetry);
        }
    }

    /// <summary>Runs a callback under the lock; an exception in it is a fault, never the end of the process.</summary>
    private void RunGuarded(Action action)
    {
        lock (_gate)
        {
            if (_disposed || !_started)
            {
                return;
            }

            try
            {
                action();
            }
            catch (Exception failure)
            {
                Fault(failure);
            }
        }
    }

    // From a driver's edge thread, which must not wait for the lock (releasing a line may be waiting for that thread).
    private void ReportFault(Exception failure) =>
        ThreadPool.UnsafeQueueUserWorkItem(_ => RunGuarded(() => Fault(failure)), null);

    /// <summary>Relocks (writing the relay first), raises the fault alarm and carries on. Never throws.</summary>
    private void Fault(Exception failure)
    {
        try
        {
            DoorLog.Fault(_logger, failure);
            var now = _time.GetTimestamp();
            if (_lines.RelayHeld)
            {
                try
                {
                    _lines.WriteRelay(unlocked: false);
                    _readback?.NoteRelayChange(now);
                }
                catch (Exception writeFailure)
                {
                    // The relay cannot be written: give the line back so that the kernel and the board's pull take it,
                    // refuse grants, and try to take it again.
                    DoorLog.RelayWriteFailed(_logger, writeFailure, _lines.Relay);
                    _lines.DropRelay();
                    Arm(_retryTimer!, RelayRetry);
                }
            }

            if (_cycle.Unlocked)
            {
                EndUnlock(now);
                Emit(new DoorRelocked(Wall, RelockReason.Fault));
                Quietly(() => SetOutput(_options.Led, on: false));
            }

            Raise(DoorAlarm.Fault);
        }
        catch (Exception secondFailure)
        {
            DoorLog.Fault(_logger, secondFailure);
        }
    }

    private void Raise(DoorAlarm alarm) => _alarms.Raise(alarm);

    private void Clear(DoorAlarm alarm) => _alarms.Clear(alarm);

    private void SetOutput(OutputLineOptions? output, bool on) => _lines.SetOutput(output, on);

    private void Emit(DoorEvent doorEvent) => _events.Writer.TryWrite(doorEvent with { Timestamp = _time.GetTimestamp() });
}
