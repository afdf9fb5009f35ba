using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>The <c>Gpio</c> configuration section: which driver and which chip.</summary>
public sealed class GpioOptions
{
    public const string SectionName = "Gpio";

    /// <summary><c>auto</c> (the station: libgpiod 2.x or 1.6, whichever the machine has), <c>libgpiod</c>, <c>libgpiod2</c> or <c>sim</c> (no hardware).</summary>
    public GpioDriverKind Driver { get; set; } = GpioDriverKind.Auto;

    /// <summary>The chip's name under /dev, e.g. <c>gpiochip0</c> (the 40-pin header on a Pi 4 and, since kernel 6.6, a Pi 5).</summary>
    public string Chip { get; set; } = "gpiochip0";
}

/// <summary>An output line (relay, buzzer, LED) and the level that switches it on.</summary>
public sealed class OutputLineOptions
{
    /// <summary>The line offset on the chip (the BCM GPIO number on a Raspberry Pi).</summary>
    public int? Line { get; set; }

    /// <summary>The level that energises the relay or turns the buzzer/LED on; many relay boards are active-low.</summary>
    public GpioLevel ActiveLevel { get; set; } = GpioLevel.High;
}

/// <summary>An input line (exit button, relay read-back), the level that means "active" and the internal bias.</summary>
public sealed class InputLineOptions
{
    public int? Line { get; set; }

    /// <summary>The level while the button is pressed, or while the read-back sees the relay energised.</summary>
    public GpioLevel ActiveLevel { get; set; } = GpioLevel.Low;

    public InputBias Bias { get; set; } = InputBias.PullUp;
}

/// <summary>The door contact (reed switch) and the level it reads while the door is closed.</summary>
public sealed class ContactLineOptions
{
    public int? Line { get; set; }

    /// <summary>A reed switch to ground with a pull-up reads low while the door is closed.</summary>
    public GpioLevel ClosedLevel { get; set; } = GpioLevel.Low;

    public InputBias Bias { get; set; } = InputBias.PullUp;
}

/// <summary>How the beeper makes its sound.</summary>
public enum BeeperKind
{
    /// <summary>An active buzzer (its own oscillator) on a plain GPIO line: the line on is the tone.</summary>
    Line,

    /// <summary>A passive buzzer on a hardware PWM channel, played by Iot.Device.Buzzer at <see cref="BeeperOptions.FrequencyHz"/>.</summary>
    Pwm,
}

/// <summary>The beeper: one short tone on a grant, two on a refusal (the station's "嘀" before "欢迎回家").</summary>
public sealed class BeeperOptions
{
    /// <summary>The GPIO line the buzzer is on (for PWM, the pin the PWM overlay routes the channel to, e.g. 18).</summary>
    public int? Line { get; set; }

    public BeeperKind Kind { get; set; } = BeeperKind.Line;

    /// <summary>For <see cref="BeeperKind.Line"/>: the level that sounds the buzzer.</summary>
    public GpioLevel ActiveLevel { get; set; } = GpioLevel.High;

    /// <summary>For <see cref="BeeperKind.Pwm"/>: /sys/class/pwm/pwmchipN and its channel.</summary>
    public int PwmChip { get; set; }

    public int PwmChannel { get; set; }

    public int FrequencyHz { get; set; } = 2700;

    public int ToneMs { get; set; } = 80;

    public int GapMs { get; set; } = 80;
}

/// <summary>A PIR presence sensor (HC-SR501: its output is high while it sees someone), for waking the camera loop.</summary>
public sealed class PresenceOptions
{
    public int? Line { get; set; }
}

/// <summary>
/// The <c>Door</c> configuration section: pin map, timings and the fail-safe flag. Defaults describe the reference
/// wiring in edge/StationEdge.Door/README.md; all times are milliseconds.
/// </summary>
public sealed class DoorOptions
{
    public const string SectionName = "Door";

    public OutputLineOptions Relay { get; set; } = new() { Line = 17, ActiveLevel = GpioLevel.High };

    public ContactLineOptions Contact { get; set; } = new() { Line = 27 };

    public InputLineOptions ExitButton { get; set; } = new() { Line = 22 };

    /// <summary>Optional: a line that reads the relay's state back (an auxiliary contact or the lock's supply).</summary>
    public InputLineOptions? RelayReadback { get; set; }

    /// <summary>Optional: sounds while the door is forced or held open.</summary>
    public OutputLineOptions? Buzzer { get; set; }

    /// <summary>Optional: lit while the door is unlocked.</summary>
    public OutputLineOptions? Led { get; set; }

    /// <summary>Optional: tones on grants and refusals.</summary>
    public BeeperOptions? Beeper { get; set; }

    /// <summary>Optional: a PIR sensor whose presence events can wake the camera loop.</summary>
    public PresenceOptions? Presence { get; set; }

    /// <summary>An input must stay at a new level this long before it counts.</summary>
    public int DebounceMs { get; set; } = 50;

    /// <summary>
    /// An input that keeps changing this long without settling counts anyway: a chattering door contact counts as
    /// open; a chattering exit button or read-back keeps its last level.
    /// </summary>
    public int MaxSettleMs { get; set; } = 1000;

    /// <summary>How long a grant unlocks the door.</summary>
    public int PulseMs { get; set; } = 3000;

    /// <summary>How long the exit button unlocks the door.</summary>
    public int ExitPulseMs { get; set; } = 5000;

    /// <summary>The door opening this soon after an exit press is not "forced" even if the door had relocked.</summary>
    public int ExitGraceMs { get; set; } = 10000;

    /// <summary>The door open longer than this raises the held-open alarm.</summary>
    public int HeldOpenMs { get; set; } = 30000;

    /// <summary>
    /// The hard cap on one unlock, however many grants extend it (in fail-secure wiring, the longest the relay is ever
    /// energised). Must be at least <see cref="PulseMs"/> and <see cref="ExitPulseMs"/>.
    /// </summary>
    public int MaxUnlockMs { get; set; } = 15000;

    /// <summary>After the cap relocks the door, grants other than the exit button are refused this long.</summary>
    public int CapLockoutMs { get; set; } = 5000;

    /// <summary>How long the relay read-back may lag a relay change before the relay-stuck alarm.</summary>
    public int ReadbackGraceMs { get; set; } = 200;

    /// <summary>
    /// False (fail-secure, e.g. an electric strike): relay energised = unlocked. True (fail-safe, a maglock that fire
    /// code requires to release on power loss): relay energised = locked. See README for what each does on a crash.
    /// </summary>
    public bool FailSafe { get; set; }
}
