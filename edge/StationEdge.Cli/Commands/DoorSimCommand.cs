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
/// (follow: a healthy relay; the default), or high|low for any of them. After the last line the clock runs until
/// nothing is pending, then the controller stops. A malformed line gets a one-line error on stderr naming its number
/// and is skipped.
/// </summary>
internal static partial class DoorSimCommand
{
    private const string Name = "door-sim";

    // Every timer the controller sets is one-shot, so the clock always goes idle; this only bounds a bug.
    private static readonly TimeSpan IdleLimit = TimeSpan.FromDays(1);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var parsed = CliArgs.Parse(Name, args, ["--config"]);
        var settings = DoorCommandLine.LoadSettings(Name, parsed.Value("--config"));
        var door = settings.Door;
        var clock = new VirtualTimeProvider();
        var printer = new DoorJsonWriter(stdout, clock.Start, door);
        using var chip = new SimulatedGpioDriver(settings.Gpio.Chip, clock);
        SimulatedDoorWiring.Wire(chip, door);
        chip.OutputChanged += (_, change) => printer.Write(change);
        using var controller = new DoorController(chip, door, clock);
        controller.EventRaised += (_, e) => printer.Write(e);
        controller.Start();

        var lineNumber = 0;
        long lastAt = 0;
        while (await stdin.ReadLineAsync(cancellationToken) is { } text)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            if (!TryParseStep(text, door, out var step, out var problem))
            {
                await stderr.WriteLineAsync($"{Name}: line {lineNumber}: {problem}; skipped");
                continue;
            }

            if (step.AtMs < lastAt)
            {
                await stderr.WriteLineAsync($"{Name}: line {lineNumber}: at_ms {step.AtMs} is earlier than the line before ({lastAt}); skipped");
                continue;
            }

            lastAt = step.AtMs;
            clock.AdvanceTo(clock.Start.AddMilliseconds(step.AtMs));
            Apply(step, chip, controller, door);
        }

        clock.RunUntilIdle(IdleLimit);
        controller.Dispose();
        await stdout.FlushAsync(cancellationToken);
        return 0;
    }

    private static void Apply(Step step, SimulatedGpioDriver chip, DoorController controller, DoorOptions door)
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

    private static bool TryParseStep(string text, DoorOptions door, out Step step, out string problem)
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
            problem = $"not valid JSON ({reason})";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "expected a JSON object like {\"at_ms\":0,\"grant\":\"worker-17\"}";
                return false;
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("at_ms" or "grant" or "input" or "level"))
                {
                    problem = $"unknown property '{property.Name}' (expected at_ms, grant, input, level)";
                    return false;
                }
            }

            if (!root.TryGetProperty("at_ms", out var at))
            {
                problem = "at_ms is missing";
                return false;
            }

            if (at.ValueKind != JsonValueKind.Number || !at.TryGetInt64(out var atMs) || atMs < 0)
            {
                problem = $"at_ms must be a whole number of milliseconds, 0 or more (was {at.GetRawText()})";
                return false;
            }

            var hasGrant = root.TryGetProperty("grant", out var grant);
            var hasInput = root.TryGetProperty("input", out var input);
            var hasLevel = root.TryGetProperty("level", out var level);
            if (hasGrant && (hasInput || hasLevel))
            {
                problem = "a line has either grant or input and level, not both";
                return false;
            }

            if (hasGrant)
            {
                if (grant.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(grant.GetString()))
                {
                    problem = $"grant must name who grants, e.g. \"worker-17\" (was {grant.GetRawText()})";
                    return false;
                }

                step = new Step(atMs, grant.GetString(), null, default, false);
                problem = "";
                return true;
            }

            if (!hasInput && !hasLevel)
            {
                step = new Step(atMs, null, null, default, false);
                problem = "";
                return true;
            }

            if (!hasInput || !hasLevel || input.ValueKind != JsonValueKind.String || level.ValueKind != JsonValueKind.String)
            {
                problem = "input and level go together, both strings (e.g. \"input\":\"door_contact\",\"level\":\"open\")";
                return false;
            }

            return TryInput(input.GetString()!, level.GetString()!, atMs, door, out step, out problem);
        }
    }

    private static bool TryInput(string input, string level, long atMs, DoorOptions door, out Step step, out string problem)
    {
        step = default;
        problem = "";
        (int? line, Dictionary<string, GpioLevel> words) = input switch
        {
            "door_contact" => (door.Contact.Line, new Dictionary<string, GpioLevel>
            {
                ["closed"] = door.Contact.ClosedLevel,
                ["open"] = door.Contact.ClosedLevel.Invert(),
            }),
            "exit_button" => (door.ExitButton.Line, new Dictionary<string, GpioLevel>
            {
                ["pressed"] = door.ExitButton.ActiveLevel,
                ["released"] = door.ExitButton.ActiveLevel.Invert(),
            }),
            "relay_readback" => (door.RelayReadback?.Line, new Dictionary<string, GpioLevel>
            {
                ["energised"] = door.RelayReadback?.ActiveLevel ?? GpioLevel.High,
                ["de-energised"] = (door.RelayReadback?.ActiveLevel ?? GpioLevel.High).Invert(),
            }),
            _ => ((int?)null, new Dictionary<string, GpioLevel>()),
        };

        if (words.Count == 0)
        {
            problem = $"unknown input '{input}' (expected door_contact, exit_button, relay_readback)";
            return false;
        }

        if (line is null)
        {
            problem = $"{input} is not configured (Door:RelayReadback:Line)";
            return false;
        }

        if (input == "relay_readback" && level == "follow")
        {
            step = new Step(atMs, null, line, default, true);
            return true;
        }

        words["high"] = GpioLevel.High;
        words["low"] = GpioLevel.Low;
        if (!words.TryGetValue(level, out var value))
        {
            var expected = string.Join(", ", words.Keys) + (input == "relay_readback" ? ", follow" : "");
            problem = $"unknown level '{level}' for {input} (expected {expected})";
            return false;
        }

        step = new Step(atMs, null, line, value, false);
        return true;
    }

    [GeneratedRegex(@"\s*LineNumber: \d+ \| BytePositionInLine: \d+\.")]
    private static partial Regex JsonPosition();

    private readonly record struct Step(long AtMs, string? Grant, int? Line, GpioLevel Level, bool Follow);
}
