using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The door: relay, contact, exit button, optional read-back, buzzer and LED, driven by one state machine on an
/// injectable clock.
/// <list type="bullet">
/// <item>locked → unlocked for a pulse (a grant while unlocked extends it) → opened → relocked when the door closes or the pulse ends;</item>
/// <item>the exit button unlocks with its own pulse; every input is debounced;</item>
/// <item>alarms forced-open, held-open and relay-stuck are raised once and cleared when their condition ends;</item>
/// <item>no unlock outlasts Door:MaxUnlockMs whatever callers do; start, dispose and cancellation leave the relay de-energised
/// (fail-secure: locked; fail-safe: the maglock released, see README).</item>
/// </list>
/// Every entry point (grants, edges, timers) runs under one lock. <see cref="EventRaised"/> handlers run under it too:
/// keep them short and do not call back into the controller from them.
/// </summary>
public sealed class DoorController : IDisposable
{
    /// <summary>The grantor recorded for the exit button.</summary>
    public const string ExitButton = "exit-button";

    private readonly GpioDriver _driver;
    private readonly DoorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<DoorAlarm> _alarms = [];

    private GpioOutput? _relay;
    private GpioOutput? _buzzer;
    private GpioOutput? _led;
    private DebouncedInput? _contact;
    private DebouncedInput? _exit;
    private DebouncedInput? _readback;
    private ITimer? _pulseTimer;
    private ITimer? _capTimer;
    private ITimer? _heldTimer;
    private ITimer? _readbackTimer;

    private bool _started;
    private bool _disposed;
    private bool _unlocked;
    private DateTimeOffset _deadline;
    private DateTimeOffset _capDeadline;
    private bool _clippedByCap;
    private bool _openedDuringUnlock;
    private bool _doorOpen;
    private DateTimeOffset? _lastExitPress;
    private DateTimeOffset _lastRelock = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRelayChange = DateTimeOffset.MinValue;
    private DateTimeOffset _lockoutUntil = DateTimeOffset.MinValue;

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

        _driver = driver;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Raised for everything that happens, in order, under the controller's lock.</summary>
    public event EventHandler<DoorEvent>? EventRaised;

    public DoorStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new DoorStatus(_unlocked, _unlocked ? _deadline : null, _doorOpen, [.. _alarms]);
            }
        }
    }

    /// <summary>Requests the lines (relay first, at its locked level) and reads the inputs' current levels.</summary>
    /// <exception cref="GpioException">A line cannot be requested; whatever was requested is released again.</exception>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException("The door controller is already started.");
            }

            try
            {
                OpenLines();
            }
            catch
            {
                ReleaseLines();
                throw;
            }

            _started = true;
            _doorOpen = _contact!.Stable != _options.Contact.ClosedLevel;
            Emit(new DoorStarted(Now, _doorOpen));
            if (_doorOpen)
            {
                _heldTimer!.Change(Ms(_options.HeldOpenMs), Timeout.InfiniteTimeSpan);
            }

            _lastRelayChange = Now;
            _readbackTimer?.Change(Ms(_options.ReadbackGraceMs), Timeout.InfiniteTimeSpan);
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
    /// <returns>False when the grant was refused (cap lock-out) or the controller has stopped.</returns>
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

            return GrantLocked(by, _options.PulseMs, exempt: false);
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
                return;
            }

            try
            {
                foreach (var timer in new[] { _pulseTimer, _capTimer, _heldTimer, _readbackTimer })
                {
                    timer?.Dispose();
                }

                var wasUnlocked = _unlocked;
                _unlocked = false;
                _relay!.Write(RelayLevel(energised: false));
                if (wasUnlocked && !_options.FailSafe)
                {
                    Emit(new DoorRelocked(Now, RelockReason.Stopped));
                }

                SetOutput(_led, on: false);
                SetOutput(_buzzer, on: false);
            }
            catch (GpioException failure)
            {
                // Releasing the lines below still hands the relay back to the kernel and its pull resistor.
                DoorLog.StopWriteFailed(_logger, failure);
            }
            finally
            {
                ReleaseLines();
            }

            Emit(new DoorStopped(Now, LeftUnlocked: _options.FailSafe));
        }
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    // Fail-secure: energised = unlocked. Fail-safe: energised = locked.
    private bool RelayEnergisedWhen(bool unlocked) => unlocked != _options.FailSafe;

    private GpioLevel RelayLevel(bool energised) =>
        energised ? _options.Relay.ActiveLevel : _options.Relay.ActiveLevel.Invert();

    private void OpenLines()
    {
        // The relay is requested at its locked level, so not even the request can pulse it.
        _relay = _driver.OpenOutput(_options.Relay.Line!.Value, RelayLevel(RelayEnergisedWhen(unlocked: false)), "door-relay");
        if (_options.Led is { } led)
        {
            _led = _driver.OpenOutput(led.Line!.Value, led.ActiveLevel.Invert(), "door-led");
        }

        if (_options.Buzzer is { } buzzer)
        {
            _buzzer = _driver.OpenOutput(buzzer.Line!.Value, buzzer.ActiveLevel.Invert(), "door-buzzer");
        }

        var debounce = Ms(_options.DebounceMs);
        _contact = new DebouncedInput(
            _driver.OpenInput(_options.Contact.Line!.Value, _options.Contact.Bias, "door-contact"), debounce, _time, _gate, OnContact);
        _exit = new DebouncedInput(
            _driver.OpenInput(_options.ExitButton.Line!.Value, _options.ExitButton.Bias, "door-exit"), debounce, _time, _gate, OnExit);
        if (_options.RelayReadback is { } readback)
        {
            _readback = new DebouncedInput(
                _driver.OpenInput(readback.Line!.Value, readback.Bias, "door-readback"), debounce, _time, _gate, OnReadback);
            _readbackTimer = _time.CreateTimer(_ => OnTimer(CheckRelay), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _pulseTimer = _time.CreateTimer(_ => OnTimer(PulseDue), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _capTimer = _time.CreateTimer(_ => OnTimer(CapDue), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _heldTimer = _time.CreateTimer(_ => OnTimer(HeldDue), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private void ReleaseLines()
    {
        // Relay last: if anything below throws, the relay is still held at the level just written.
        foreach (var input in new[] { _readback, _exit, _contact })
        {
            input?.Dispose();
        }

        foreach (var output in new[] { _buzzer, _led, _relay })
        {
            output?.Dispose();
        }
    }

    private bool GrantLocked(string by, int pulseMs, bool exempt)
    {
        var now = Now;
        if (!exempt && now < _lockoutUntil)
        {
            Emit(new DoorGrantRefused(now, by, "cap-lockout"));
            return false;
        }

        Emit(new DoorGranted(now, by));
        var wanted = now + Ms(pulseMs);
        if (!_unlocked)
        {
            _unlocked = true;
            _capDeadline = now + Ms(_options.MaxUnlockMs);
            _deadline = wanted < _capDeadline ? wanted : _capDeadline;
            _clippedByCap = wanted > _capDeadline;
            _openedDuringUnlock = _doorOpen;
            WriteRelay();
            _pulseTimer!.Change(_deadline - now, Timeout.InfiniteTimeSpan);
            _capTimer!.Change(_capDeadline - now, Timeout.InfiniteTimeSpan);
            Emit(new DoorUnlocked(now, _deadline));
            SetOutput(_led, on: true);
            return true;
        }

        if (wanted > _capDeadline)
        {
            _clippedByCap = true;
            wanted = _capDeadline;
        }

        if (wanted > _deadline)
        {
            _deadline = wanted;
            _pulseTimer!.Change(_deadline - now, Timeout.InfiniteTimeSpan);
            Emit(new DoorUnlockExtended(now, _deadline));
        }

        return true;
    }

    private void Relock(RelockReason reason)
    {
        var now = Now;
        _unlocked = false;
        _lastRelock = now;
        _pulseTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _capTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        WriteRelay();
        Emit(new DoorRelocked(now, reason));
        SetOutput(_led, on: false);
        if (reason == RelockReason.Cap)
        {
            _lockoutUntil = now + Ms(_options.CapLockoutMs);
        }
    }

    private void WriteRelay()
    {
        _relay!.Write(RelayLevel(RelayEnergisedWhen(_unlocked)));
        _lastRelayChange = Now;
        _readbackTimer?.Change(Ms(_options.ReadbackGraceMs), Timeout.InfiniteTimeSpan);
    }

    private void OnContact(GpioLevel level, DateTimeOffset since)
    {
        var open = level != _options.Contact.ClosedLevel;
        if (open == _doorOpen)
        {
            return;
        }

        _doorOpen = open;
        if (open)
        {
            Emit(new DoorOpened(Now));
            _openedDuringUnlock |= _unlocked;

            // The debounce delays the news: a door that began to open before the relock, or just after an
            // exit press (free egress by the handle), was not forced.
            var authorised = _unlocked
                || _lastRelock >= since
                || (_lastExitPress is { } press && since - press <= Ms(_options.ExitGraceMs));
            if (!authorised)
            {
                Raise(DoorAlarm.ForcedOpen);
            }

            _heldTimer!.Change(Ms(_options.HeldOpenMs), Timeout.InfiniteTimeSpan);
            return;
        }

        Emit(new DoorClosed(Now));
        _heldTimer!.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Clear(DoorAlarm.ForcedOpen);
        Clear(DoorAlarm.HeldOpen);
        if (_unlocked && _openedDuringUnlock)
        {
            Relock(RelockReason.DoorClosed);
        }
    }

    private void OnExit(GpioLevel level, DateTimeOffset since)
    {
        if (level == _options.ExitButton.ActiveLevel)
        {
            _lastExitPress = since;

            // The way out is never locked out by the cap.
            GrantLocked(ExitButton, _options.ExitPulseMs, exempt: true);
        }
    }

    private void OnReadback(GpioLevel level, DateTimeOffset since)
    {
        // Right after a relay change the read-back may still be moving; the grace timer checks then.
        if (Now - _lastRelayChange >= Ms(_options.ReadbackGraceMs))
        {
            CheckRelay();
        }
    }

    private void CheckRelay()
    {
        if (_readback is null)
        {
            return;
        }

        var commanded = RelayEnergisedWhen(_unlocked);
        var seen = _readback.Stable == _options.RelayReadback!.ActiveLevel;
        if (commanded == seen)
        {
            Clear(DoorAlarm.RelayStuck);
        }
        else
        {
            Raise(DoorAlarm.RelayStuck);
        }
    }

    private void PulseDue()
    {
        if (!_unlocked)
        {
            return;
        }

        if (Now < _deadline)
        {
            _pulseTimer!.Change(_deadline - Now, Timeout.InfiniteTimeSpan);
            return;
        }

        Relock(_clippedByCap ? RelockReason.Cap : RelockReason.PulseEnded);
    }

    // A watchdog independent of the pulse bookkeeping: whatever happened to the deadline, the cap relocks.
    private void CapDue()
    {
        if (_unlocked)
        {
            Relock(RelockReason.Cap);
        }
    }

    private void HeldDue()
    {
        if (_doorOpen)
        {
            Raise(DoorAlarm.HeldOpen);
        }
    }

    private void OnTimer(Action action)
    {
        lock (_gate)
        {
            if (!_disposed && _started)
            {
                action();
            }
        }
    }

    private void Raise(DoorAlarm alarm)
    {
        if (_alarms.Contains(alarm))
        {
            return;
        }

        _alarms.Add(alarm);
        Emit(new DoorAlarmRaised(Now, alarm));
        SetOutput(_buzzer, on: true);
    }

    private void Clear(DoorAlarm alarm)
    {
        if (!_alarms.Remove(alarm))
        {
            return;
        }

        Emit(new DoorAlarmCleared(Now, alarm));
        SetOutput(_buzzer, on: _alarms.Count > 0);
    }

    private void SetOutput(GpioOutput? output, bool on)
    {
        if (output is null)
        {
            return;
        }

        var active = ReferenceEquals(output, _led) ? _options.Led!.ActiveLevel : _options.Buzzer!.ActiveLevel;
        output.Write(on ? active : active.Invert());
    }

    private void Emit(DoorEvent doorEvent)
    {
        try
        {
            EventRaised?.Invoke(this, doorEvent);
        }
        catch (Exception failure)
        {
            // A subscriber's fault must not leave the door half way through a transition.
            DoorLog.HandlerFailed(_logger, failure, doorEvent.GetType().Name);
        }
    }
}
