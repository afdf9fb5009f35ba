using System.Globalization;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Control;

/// <summary>
/// A door on the simulated chip with virtual time: an active-low relay on line 17, a reed contact on 27 (closed =
/// low), an exit button on 22 (pressed = low), buzzer 24 and LED 25 (active high), cap 10 s.
/// Events are recorded as "ms what" lines so that tests can compare whole sequences.
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

    public DoorRig(Action<DoorOptions>? configure = null, bool start = true)
    {
        Options = StandardOptions();
        configure?.Invoke(Options);
        Chip = new SimulatedGpioDriver("gpiochip0", Clock);
        SimulatedDoorWiring.Wire(Chip, Options);
        Door = new DoorController(Chip, Options, Clock);
        Door.EventRaised += (_, e) => _events.Add(e);
        if (start)
        {
            Door.Start();
        }
    }

    public VirtualTimeProvider Clock { get; } = new();

    public SimulatedGpioDriver Chip { get; }

    public DoorController Door { get; }

    public DoorOptions Options { get; }

    public IReadOnlyList<DoorEvent> Events => _events;

    /// <summary>The events as "ms what" lines, e.g. "3000 relocked PulseEnded".</summary>
    public IReadOnlyList<string> Log => [.. _events.Select(Describe)];

    public bool RelayEnergised => Chip.GetLevel(Relay) == Options.Relay.ActiveLevel;

    public bool LedOn => Chip.GetLevel(Led) == GpioLevel.High;

    public bool BuzzerOn => Chip.GetLevel(Buzzer) == GpioLevel.High;

    public static DoorOptions StandardOptions() => new()
    {
        Relay = new OutputLineOptions { Line = Relay, ActiveLevel = GpioLevel.Low },
        Contact = new ContactLineOptions { Line = Contact, ClosedLevel = GpioLevel.Low, Bias = GpioBias.PullUp },
        ExitButton = new InputLineOptions { Line = Exit, ActiveLevel = GpioLevel.Low, Bias = GpioBias.PullUp },
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
        Clock.AdvanceTo(Clock.Start.AddMilliseconds(ms));
        return this;
    }

    public void OpenDoor() => Chip.DriveInput(Contact, GpioLevel.High);

    public void CloseDoor() => Chip.DriveInput(Contact, GpioLevel.Low);

    public void PressExit() => Chip.DriveInput(Exit, GpioLevel.Low);

    public void ReleaseExit() => Chip.DriveInput(Exit, GpioLevel.High);

    /// <summary>Presses and releases the exit button, held long enough to count.</summary>
    public void PushExit(int atMs)
    {
        At(atMs).PressExit();
        At(atMs + 200).ReleaseExit();
    }

    public void Dispose()
    {
        Door.Dispose();
        Chip.Dispose();
    }

    private string Describe(DoorEvent e)
    {
        var ms = (e.At - Clock.Start).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        string Ms(DateTimeOffset at) => (at - Clock.Start).TotalMilliseconds.ToString(CultureInfo.InvariantCulture);
        var what = e switch
        {
            DoorStarted s => s.DoorOpen ? "started door-open" : "started",
            DoorGranted g => $"granted {g.By}",
            DoorGrantRefused r => $"refused {r.By} {r.Reason}",
            DoorUnlocked u => $"unlocked until {Ms(u.Until)}",
            DoorUnlockExtended x => $"extended until {Ms(x.Until)}",
            DoorOpened => "opened",
            DoorClosed => "closed",
            DoorRelocked r => $"relocked {r.Reason}",
            DoorAlarmRaised a => $"alarm {a.Alarm}",
            DoorAlarmCleared a => $"cleared {a.Alarm}",
            DoorStopped s => s.LeftUnlocked ? "stopped left-unlocked" : "stopped",
            _ => e.GetType().Name,
        };
        return $"{ms} {what}";
    }
}
