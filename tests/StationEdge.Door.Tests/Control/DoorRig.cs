using System.Device.Gpio;
using System.Globalization;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Door.Tests.Support;
using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Control;

/// <summary>
/// A door on the simulated chip with virtual time: an active-low relay on line 17, a reed contact on 27 (closed =
/// low), an exit button on 22 (pressed = low), buzzer 24 and LED 25 (active high), cap 10 s.
/// Events are read from the controller's channel and kept as "ms what" lines so that tests can compare whole sequences.
/// </summary>
internal sealed class DoorRig : IDisposable
{
    public const int Relay = 17;
    public const int Contact = 27;
    public const int Exit = 22;
    public const int Buzzer = 24;
    public const int Led = 25;
    public const int Readback = 23;

    private readonly List<DoorEvent> _events = [];

    /// <param name="late">A clock whose timer callbacks the test can hold back; its virtual time is <see cref="Clock"/>.</param>
    public DoorRig(Action<DoorOptions>? configure = null, bool start = true, LateTimerClock? late = null)
    {
        Options = StandardOptions();
        configure?.Invoke(Options);
        Clock = late?.Virtual ?? new VirtualTimeProvider();
        TimeProvider time = late is null ? Clock : late;
        Chip = new SimulatedGpioChip(time);
        Driver = new SimulatedGpioDriver(Chip);
        SimulatedDoorWiring.Wire(Chip, Options);
        Door = new DoorController(Driver, Options, time);
        if (start)
        {
            Door.Start();
        }
    }

    public VirtualTimeProvider Clock { get; }

    public SimulatedGpioChip Chip { get; }

    public SimulatedGpioDriver Driver { get; }

    public DoorController Door { get; }

    public DoorOptions Options { get; }

    public IReadOnlyList<DoorEvent> Events
    {
        get
        {
            while (Door.Events.TryRead(out var e))
            {
                _events.Add(e);
            }

            return _events;
        }
    }

    /// <summary>The events as "ms what" lines, e.g. "3000 relocked PulseEnded".</summary>
    public IReadOnlyList<string> Log => [.. Events.Select(Describe)];

    public bool RelayEnergised => Chip.GetLevel(Relay) == Options.Relay.ActiveLevel.ToPinValue();

    public bool LedOn => Chip.GetLevel(Led) == PinValue.High;

    public bool BuzzerOn => Chip.GetLevel(Buzzer) == PinValue.High;

    public static DoorOptions StandardOptions() => new()
    {
        Relay = new OutputLineOptions { Line = Relay, ActiveLevel = GpioLevel.Low },
        Contact = new ContactLineOptions { Line = Contact, ClosedLevel = GpioLevel.Low, Bias = InputBias.PullUp },
        ExitButton = new InputLineOptions { Line = Exit, ActiveLevel = GpioLevel.Low, Bias = InputBias.PullUp },
        Buzzer = new OutputLineOptions { Line = Buzzer, ActiveLevel = GpioLevel.High },
        Led = new OutputLineOptions { Line = Led, ActiveLevel = GpioLevel.High },
        DebounceMs = 50,
        PulseMs = 3000,
        ExitPulseMs = 5000,
        ExitGraceMs = 10000,
        HeldOpenMs = 30000,
        MaxUnlockMs = 10000,
        CapLockoutMs = 5000,
        ReadbackGraceMs = 200,
    };

    /// <summary>Moves the clock to <paramref name="ms"/> after the start, firing timers on the way.</summary>
    public DoorRig At(int ms)
    {
        Clock.AdvanceTo(TimeSpan.FromMilliseconds(ms));
        return this;
    }

    public void OpenDoor() => Chip.DriveInput(Contact, PinValue.High);

    public void CloseDoor() => Chip.DriveInput(Contact, PinValue.Low);

    public void PressExit() => Chip.DriveInput(Exit, PinValue.Low);

    public void ReleaseExit() => Chip.DriveInput(Exit, PinValue.High);

    /// <summary>Presses and releases the exit button, held long enough to count.</summary>
    public void PushExit(int atMs)
    {
        At(atMs).PressExit();
        At(atMs + 200).ReleaseExit();
    }

    /// <summary>The longest time the relay was energised, from the chip's record of every change.</summary>
    public TimeSpan LongestEnergised() => LongestEnergised(Chip, Relay, Options.Relay.ActiveLevel.ToPinValue());

    public static TimeSpan LongestEnergised(SimulatedGpioChip chip, int relay, PinValue active)
    {
        var changes = chip.OutputHistory.Where(c => c.Offset == relay).ToList();
        var longest = TimeSpan.Zero;
        for (var i = 0; i < changes.Count; i++)
        {
            if (changes[i].Level != active)
            {
                continue;
            }

            var end = i + 1 < changes.Count ? changes[i + 1].Timestamp : chip.Time.GetTimestamp();
            var span = chip.Time.GetElapsedTime(changes[i].Timestamp, end);
            longest = span > longest ? span : longest;
        }

        return longest;
    }

    public void Dispose()
    {
        Door.Dispose();
        Driver.Dispose();
    }

    private static string Describe(DoorEvent e)
    {
        var at = TimeSpan.FromTicks(e.Timestamp).TotalMilliseconds;
        string Until(DateTimeOffset until) => (at + (until - e.At).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        var what = e switch
        {
            DoorStarted s => s.DoorOpen ? "started door-open" : "started",
            DoorGranted g => $"granted {g.By}",
            DoorGrantRefused r => $"refused {r.By} {r.Reason}",
            DoorUnlocked u => $"unlocked until {Until(u.Until)}",
            DoorUnlockExtended x => $"extended until {Until(x.Until)}",
            DoorOpened => "opened",
            DoorClosed => "closed",
            DoorRelocked r => $"relocked {r.Reason}",
            DoorAlarmRaised a => $"alarm {a.Alarm}",
            DoorAlarmCleared a => $"cleared {a.Alarm}",
            DoorPresenceChanged p => p.Detected ? "presence" : "presence-gone",
            DoorStopped s => s.LeftUnlocked ? "stopped left-unlocked" : "stopped",
            _ => e.GetType().Name,
        };
        return $"{at.ToString(CultureInfo.InvariantCulture)} {what}";
    }
}
