using Microsoft.Extensions.Options;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>Checks the <c>Gpio</c> section; each failure names its key.</summary>
public sealed class GpioOptionsValidator : IValidateOptions<GpioOptions>
{
    public ValidateOptionsResult Validate(string? name, GpioOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Driver))
        {
            failures.Add($"Gpio:Driver must be auto, libgpiod, libgpiod2 or sim (was {options.Driver})");
        }

        if (string.IsNullOrWhiteSpace(options.Chip))
        {
            failures.Add("Gpio:Chip must name a chip under /dev, e.g. gpiochip0 (was empty)");
        }
        else if (options.Chip.Contains('/') || options.Chip.StartsWith('.') || options.Chip.Any(char.IsWhiteSpace))
        {
            failures.Add($"Gpio:Chip must be a chip name under /dev such as gpiochip0, not a path (was '{options.Chip}')");
        }
        else if (!(options.Chip.StartsWith("gpiochip", StringComparison.Ordinal) && options.Chip.Length is > 8 and < 13 && options.Chip[8..].All(char.IsAsciiDigit)))
        {
            failures.Add($"Gpio:Chip must be gpiochipN, e.g. gpiochip0 (was '{options.Chip}')");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Checks the <c>Door</c> section; each failure names its key, e.g. "Door:PulseMs must be between 100 and 30000 (was 0)".</summary>
public sealed class DoorOptionsValidator : IValidateOptions<DoorOptions>
{
    public const int MaxLineOffset = 1023;

    public ValidateOptionsResult Validate(string? name, DoorOptions options)
    {
        var failures = new List<string>();

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Door:{key} must be between {min} and {max} (was {value})");
            }
        }

        void Level(string key, GpioLevel level)
        {
            if (!Enum.IsDefined(level))
            {
                failures.Add($"Door:{key} must be High or Low (was {level})");
            }
        }

        void Bias(string key, InputBias bias)
        {
            if (!Enum.IsDefined(bias))
            {
                failures.Add($"Door:{key} must be None, PullUp or PullDown (was {bias})");
            }
        }

        var lines = new List<(string Key, int? Line)>();
        void Line(string key, int? line, bool required)
        {
            if (line is null)
            {
                if (required)
                {
                    failures.Add($"Door:{key} is required");
                }

                return;
            }

            Range(key, line.Value, 0, MaxLineOffset);
            lines.Add((key, line));
        }

        if (options.Relay is null)
        {
            failures.Add("Door:Relay is required");
        }
        else
        {
            Line("Relay:Line", options.Relay.Line, required: true);
            Level("Relay:ActiveLevel", options.Relay.ActiveLevel);
        }

        if (options.Contact is null)
        {
            failures.Add("Door:Contact is required");
        }
        else
        {
            Line("Contact:Line", options.Contact.Line, required: true);
            Level("Contact:ClosedLevel", options.Contact.ClosedLevel);
            Bias("Contact:Bias", options.Contact.Bias);
        }

        if (options.ExitButton is null)
        {
            failures.Add("Door:ExitButton is required");
        }
        else
        {
            Line("ExitButton:Line", options.ExitButton.Line, required: true);
            Level("ExitButton:ActiveLevel", options.ExitButton.ActiveLevel);
            Bias("ExitButton:Bias", options.ExitButton.Bias);
        }

        if (options.RelayReadback is { } readback)
        {
            Line("RelayReadback:Line", readback.Line, required: true);
            Level("RelayReadback:ActiveLevel", readback.ActiveLevel);
            Bias("RelayReadback:Bias", readback.Bias);
        }

        foreach (var (key, output) in new[] { ("Buzzer", options.Buzzer), ("Led", options.Led) })
        {
            if (output is not null)
            {
                Line($"{key}:Line", output.Line, required: true);
                Level($"{key}:ActiveLevel", output.ActiveLevel);
            }
        }

        if (options.Beeper is { } beeper)
        {
            Line("Beeper:Line", beeper.Line, required: true);
            Level("Beeper:ActiveLevel", beeper.ActiveLevel);
            if (!Enum.IsDefined(beeper.Kind))
            {
                failures.Add($"Door:Beeper:Kind must be Line or Pwm (was {beeper.Kind})");
            }

            Range("Beeper:PwmChip", beeper.PwmChip, 0, 63);
            Range("Beeper:PwmChannel", beeper.PwmChannel, 0, 63);
            Range("Beeper:FrequencyHz", beeper.FrequencyHz, 100, 20000);
            Range("Beeper:ToneMs", beeper.ToneMs, 10, 2000);
            Range("Beeper:GapMs", beeper.GapMs, 10, 2000);
        }

        if (options.Presence is { } presence)
        {
            Line("Presence:Line", presence.Line, required: true);
        }

        // One function per pin: the message names both keys.
        for (var i = 0; i < lines.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (lines[i].Line == lines[j].Line)
                {
                    failures.Add($"Door:{lines[i].Key} is line {lines[i].Line}, already used by Door:{lines[j].Key}");
                }
            }
        }

        Range("DebounceMs", options.DebounceMs, 5, 1000);
        Range("MaxSettleMs", options.MaxSettleMs, 100, 10000);
        if (options.MaxSettleMs is >= 100 and <= 10000 && options.MaxSettleMs <= options.DebounceMs)
        {
            failures.Add($"Door:MaxSettleMs must be longer than Door:DebounceMs ({options.DebounceMs}) (was {options.MaxSettleMs})");
        }

        Range("PulseMs", options.PulseMs, 100, 30000);
        Range("ExitPulseMs", options.ExitPulseMs, 100, 30000);
        Range("ExitGraceMs", options.ExitGraceMs, 0, 120000);
        Range("HeldOpenMs", options.HeldOpenMs, 1000, 3600000);
        Range("MaxUnlockMs", options.MaxUnlockMs, 100, 300000);
        Range("CapLockoutMs", options.CapLockoutMs, 0, 600000);
        Range("ReadbackGraceMs", options.ReadbackGraceMs, 10, 5000);
        if (options.MaxUnlockMs < Math.Max(options.PulseMs, options.ExitPulseMs))
        {
            var (key, value) = options.PulseMs >= options.ExitPulseMs ? ("PulseMs", options.PulseMs) : ("ExitPulseMs", options.ExitPulseMs);
            failures.Add($"Door:MaxUnlockMs must be at least Door:{key} ({value}) (was {options.MaxUnlockMs})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
