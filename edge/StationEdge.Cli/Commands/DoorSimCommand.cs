using System.Device.Gpio;
using System.Text.Json;
using System.Text.RegularExpressions;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Door.Timing;

namespace StationEdge.Cli.Commands;

/// <summary>
/// <c>station-edge door-sim [--config F]</c>: the door controller on a simulated chip with virtual time. Reads a
/// scenario from stdin, one JSON object per line, and prints every output change and door event as JSON lines:
/// <code>
/// {"at_ms":0,"grant":"worker-17"}
/// {"at_ms":1200,"input":"door_contact","level":"open"}
/// {"at_ms":9000,"input":"exit_button","level":"pressed"}
/// {"at_ms":20000}                                   (just let time pass)
/// </code>
/// Inputs: door_contact open|closed, exit_button pressed|released, relay_readback energised|de-energised|follow
/// (follow: a healthy relay; the default), presence detected|clear, or high|low for any of them. After the last line
/// the clock runs until nothing is pending, then the controller stops. A malformed line gets a one-line error on
/// stderr naming its number and is skipped; the rest still runs, and the exit code is then 2.
/// </summary>
internal static partial class DoorSimCommand
{
    private const string Name = "door-sim";

    /// <summary>The latest at_ms: a hundred years of virtual time (the clock and its wall time stay representable).</summary>
    public const long MaxAtMs = 100L * 365 * 24 * 3600 * 1000;

    // Every timer the controller sets is one-shot, so the clock always goes idle; this only bounds a bug.
    private static readonly TimeSpan IdleLimit = TimeSpan.FromDays(1);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArgs.Parse(Name, args, ["--config"]);
        var settings = DoorCommandLine.LoadSettings(Name, parsed.Value("--config"));
        var door = settings.Door;
        var clock = new VirtualTimeProvider();
        var chip = new SimulatedGpioChip(clock, settings.Gpio.Chip);
        using var driver = new SimulatedGpioDriver(chip);
        SimulatedDoorWiring.Wire(chip, door);
        using var controller = new DoorController(driver, door, clock);
        var lines = new DoorJsonLines(controller.Events, clock, door, chip);
        async Task FlushAsync()
        {
            foreach (var line in lines.Take())
            {
                await stdout.WriteLineAsync(line);
            }
        }

        controller.Start();
        var lineNumber = 0;
        var skipped = 0;
        long lastAt = 0;
        try
        {
            while (await stdin.ReadLineAsync(cancellationToken) is { } text)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                var problem = TryParseStep(text, door, out var step);
                if (problem is null && step.AtMs < lastAt)
                {
                    problem = $"at_ms {step.AtMs} is earlier than the line before ({lastAt})";
                }

                if (problem is not null)
                {
                    skipped++;
                    await stderr.WriteLineAsync($"station-edge: {Name}: line {lineNumber}: {problem}; skipped");
                    continue;
                }

                lastAt = step.AtMs;
                clock.AdvanceTo(TimeSpan.FromMilliseconds(step.AtMs));
                await FlushAsync();
                Apply(step, chip, controller, door);
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            controller.Dispose();
            await FlushAsync();
            throw new CliError(CliError.InterruptedCode, $"{Name}: interrupted at line {lineNumber}");
        }

        clock.RunUntilIdle(IdleLimit);
        controller.Dispose();
        await FlushAsync();
        await stdout.FlushAsync(CancellationToken.None);
        return skipped == 0 ? 0 : CliError.BadInputCode;
    }

    private static void Apply(Step step, SimulatedGpioChip chip, DoorController controller, DoorOptions door)
    {
        if (step.Grant is { } by)
        {
            controller.Grant(by);
            return;
        }

        if (step.Line is not { } line)
        {
            return;
        }

        if (step.Follow)
        {
            chip.Loop(door.Relay.Line!.Value, line, invert: door.RelayReadback!.ActiveLevel != door.Relay.ActiveLevel);
            return;
        }

        if (line == door.RelayReadback?.Line)
        {
            // A level given for the read-back means the relay no longer moves it: stuck.
            chip.Unloop(door.Relay.Line!.Value);
        }

        chip.DriveInput(line, step.Level);
    }

    /// <returns>Null when the line parsed, else what is wrong with it.</returns>
    private static string? TryParseStep(string text, DoorOptions door, out Step step)
    {
        step = default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException failure)
        {
            // The parser's own "LineNumber: 0" would contradict the scenario line number given in front.
            var reason = JsonPosition().Replace(failure.Message.ReplaceLineEndings(" "), "").Trim();
            return $"not valid JSON ({reason})";
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "expected a JSON object like {\"at_ms\":0,\"grant\":\"worker-17\"}";
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("at_ms" or "grant" or "input" or "level"))
                {
                    return $"unknown property '{property.Name}' (expected at_ms, grant, input, level)";
                }
            }

            if (!root.TryGetProperty("at_ms", out var at))
            {
                return "at_ms is missing";
            }

            if (at.ValueKind != JsonValueKind.Number || !at.TryGetInt64(out var atMs) || atMs < 0)
            {
                return at.ValueKind == JsonValueKind.Number && at.GetDouble() > MaxAtMs
                    ? $"at_ms must be at most {MaxAtMs} (100 years) (was {at.GetRawText()})"
                    : $"at_ms must be a whole number of milliseconds, 0 or more (was {at.GetRawText()})";
            }

            if (atMs > MaxAtMs)
            {
                return $"at_ms must be at most {MaxAtMs} (100 years) (was {at.GetRawText()})";
            }

            var hasGrant = root.TryGetProperty("grant", out var grant);
            var hasInput = root.TryGetProperty("input", out var input);
            var hasLevel = root.TryGetProperty("level", out var level);
            if (hasGrant && (hasInput || hasLevel))
            {
                return "a line has either grant or input and level, not both";
            }

            if (hasGrant)
            {
                if (grant.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(grant.GetString()))
                {
                    return $"grant must name who grants, e.g. \"worker-17\" (was {grant.GetRawText()})";
                }

                step = new Step(atMs, grant.GetString(), null, default, false);
                return null;
            }

            if (!hasInput && !hasLevel)
            {
                step = new Step(atMs, null, null, default, false);
                return null;
            }

            if (!hasInput || !hasLevel || input.ValueKind != JsonValueKind.String || level.ValueKind != JsonValueKind.String)
            {
                return "input and level go together, both strings (e.g. \"input\":\"door_contact\",\"level\":\"open\")";
            }

            return TryInput(input.GetString()!, level.GetString()!, atMs, door, out step);
        }
    }

    private static string? TryInput(string input, string level, long atMs, DoorOptions door, out Step step)
    {
        step = default;
        (int? line, string key, Dictionary<string, GpioLevel> words) = input switch
        {
            "door_contact" => (door.Contact.Line, "Door:Contact:Line", new Dictionary<string, GpioLevel>
            {
                ["closed"] = door.Contact.ClosedLevel,
                ["open"] = door.Contact.ClosedLevel.Invert(),
            }),
            "exit_button" => (door.ExitButton.Line, "Door:ExitButton:Line", new Dictionary<string, GpioLevel>
            {
                ["pressed"] = door.ExitButton.ActiveLevel,
                ["released"] = door.ExitButton.ActiveLevel.Invert(),
            }),
            "relay_readback" => (door.RelayReadback?.Line, "Door:RelayReadback:Line", new Dictionary<string, GpioLevel>
            {
                ["energised"] = door.RelayReadback?.ActiveLevel ?? GpioLevel.High,
                ["de-energised"] = (door.RelayReadback?.ActiveLevel ?? GpioLevel.High).Invert(),
            }),
            "presence" => (door.Presence?.Line, "Door:Presence:Line", new Dictionary<string, GpioLevel>
            {
                ["detected"] = GpioLevel.High,
                ["clear"] = GpioLevel.Low,
            }),
            _ => ((int?)null, "", new Dictionary<string, GpioLevel>()),
        };

        if (words.Count == 0)
        {
            return $"unknown input '{input}' (expected door_contact, exit_button, relay_readback, presence)";
        }

        if (line is null)
        {
            return $"{input} is not configured ({key})";
        }

        if (input == "relay_readback" && level == "follow")
        {
            step = new Step(atMs, null, line, default, true);
            return null;
        }

        words["high"] = GpioLevel.High;
        words["low"] = GpioLevel.Low;
        if (!words.TryGetValue(level, out var value))
        {
            var expected = string.Join(", ", words.Keys) + (input == "relay_readback" ? ", follow" : "");
            return $"unknown level '{level}' for {input} (expected {expected})";
        }

        step = new Step(atMs, null, line, value.ToPinValue(), false);
        return null;
    }

    [GeneratedRegex(@"\s*LineNumber: \d+ \| BytePositionInLine: \d+\.")]
    private static partial Regex JsonPosition();

    private readonly record struct Step(long AtMs, string? Grant, int? Line, PinValue Level, bool Follow);
}
