using System.Buffers;
using System.Device.Gpio;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Station;

namespace StationEdge.Cli.Commands;

/// <summary>What door-sim and door share: loading --config, --gpio, and the JSON lines they print.</summary>
internal static class DoorCommandLine
{
    /// <summary>The top-level sections a station's config file may have: the daemon's list, so door-sim reads its file too.</summary>
    public static IReadOnlyList<string> KnownSections => StationConfiguration.KnownSections;

    /// <summary>Reads the <c>Gpio</c> and <c>Door</c> sections (appsettings shape) from the file, or the defaults without one.</summary>
    public static DoorSettings LoadSettings(string command, string? path)
    {
        var builder = new ConfigurationBuilder();
        try
        {
            if (path is not null)
            {
                builder.AddStationConfigFile(path);
            }

            return DoorSettings.Load(builder.Build(), [.. KnownSections]);
        }
        catch (ConfigFileException failure)
        {
            throw CliError.BadInput($"{command}: --config {failure.Message}");
        }
        catch (OptionsValidationException failure)
        {
            throw CliError.BadInput($"{command}: {(path is null ? "defaults" : $"--config {path}")}: {failure.Message}");
        }
    }

    /// <summary>--gpio overrides Gpio:Driver.</summary>
    public static void OverrideDriver(string command, DoorSettings settings, string? flag)
    {
        if (flag is null)
        {
            return;
        }

        settings.Gpio.Driver = flag switch
        {
            "auto" => GpioDriverKind.Auto,
            "libgpiod" => GpioDriverKind.Libgpiod,
            "libgpiod2" => GpioDriverKind.Libgpiod2,
            "sim" => GpioDriverKind.Sim,
            _ => throw CliError.BadInput($"{command}: --gpio must be auto, libgpiod, libgpiod2 or sim (was '{flag}')"),
        };
    }

}

/// <summary>
/// The door's events (from the controller's channel) and, on the simulated chip, its output changes, as one JSON
/// object per line in the order they happened, each with <c>at_ms</c> since the start on the clock's monotonic
/// timestamps. An output change drains the events already emitted before it, so the two streams interleave exactly.
/// </summary>
internal sealed class DoorJsonLines
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ChannelReader<DoorEvent> _events;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly Dictionary<int, (string Name, PinValue Active, bool Relay)> _outputs;
    private readonly Lock _gate = new();
    private readonly Queue<string> _pending = new();
    private long _lastMs;

    public DoorJsonLines(ChannelReader<DoorEvent> events, TimeProvider time, DoorOptions door, SimulatedGpioChip? chip)
    {
        _events = events;
        _time = time;
        _start = time.GetTimestamp();
        _outputs = OutputNames(door);
        if (chip is not null)
        {
            chip.OutputChanged += OnOutput;
        }
    }

    /// <summary>Told of every event as it is printed (possibly under the controller's lock: do nothing slow).</summary>
    public Action<DoorEvent>? Seen { get; init; }

    /// <summary>The lines so far, in order.</summary>
    public IReadOnlyList<string> Take()
    {
        lock (_gate)
        {
            Drain();
            var lines = _pending.ToArray();
            _pending.Clear();
            return lines;
        }
    }

    /// <summary>Writes lines as they come until the controller stops (its event channel completes).</summary>
    public async Task WriteAllAsync(TextWriter output)
    {
        while (await _events.WaitToReadAsync())
        {
            foreach (var line in Take())
            {
                await output.WriteLineAsync(line);
            }
        }

        foreach (var line in Take())
        {
            await output.WriteLineAsync(line);
        }

        await output.FlushAsync();
    }

    /// <summary>Names the output lines the door uses, for printing the simulated chip's changes.</summary>
    internal static Dictionary<int, (string Name, PinValue Active, bool Relay)> OutputNames(DoorOptions door)
    {
        var names = new Dictionary<int, (string Name, PinValue Active, bool Relay)> { [door.Relay.Line!.Value] = ("relay", door.Relay.ActiveLevel.ToPinValue(), true) };
        if (door.Led is { Line: { } led })
        {
            names[led] = ("led", door.Led.ActiveLevel.ToPinValue(), false);
        }

        if (door.Buzzer is { Line: { } buzzer })
        {
            names[buzzer] = ("buzzer", door.Buzzer.ActiveLevel.ToPinValue(), false);
        }

        if (door.Beeper is { Line: { } beeper })
        {
            names[beeper] = ("beeper", door.Beeper.Kind == BeeperKind.Pwm ? PinValue.High : door.Beeper.ActiveLevel.ToPinValue(), false);
        }

        return names;
    }

    private static string Snake<T>(T value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value!.ToString()!);

    private void OnOutput(object? sender, GpioOutputChange change)
    {
        lock (_gate)
        {
            Drain();
            if (!_outputs.TryGetValue(change.Offset, out var output))
            {
                return;
            }

            _pending.Enqueue(Line(change.Timestamp, (json, _) => WriteOutput(json, change, output)));
        }
    }

    /// <summary>An output line's fields: which output, its line, the electrical level and what it means.</summary>
    internal static void WriteOutput(Utf8JsonWriter json, GpioOutputChange change, (string Name, PinValue Active, bool Relay) output)
    {
        var active = change.Level == output.Active;
        json.WriteString("output", output.Name);
        json.WriteNumber("line", change.Offset);
        json.WriteString("level", change.Level == PinValue.High ? "high" : "low");
        json.WriteString("state", output.Relay ? (active ? "energised" : "de-energised") : (active ? "on" : "off"));
        if (!change.Driven)
        {
            json.WriteBoolean("released", true);
        }
    }

    private void Drain()
    {
        while (_events.TryRead(out var doorEvent))
        {
            _pending.Enqueue(Line(doorEvent.Timestamp, (json, atMs) => Describe(json, doorEvent, atMs)));
            Seen?.Invoke(doorEvent);
        }
    }

    internal static void Describe(Utf8JsonWriter json, DoorEvent doorEvent, long atMs)
    {
        switch (doorEvent)
        {
            case DoorStarted e:
                json.WriteString("event", "started");
                json.WriteString("door", e.DoorOpen ? "open" : "closed");
                break;
            case DoorGranted e:
                json.WriteString("event", "granted");
                json.WriteString("by", e.By);
                break;
            case DoorGrantRefused e:
                json.WriteString("event", "grant_refused");
                json.WriteString("by", e.By);
                json.WriteString("reason", e.Reason);
                break;
            case DoorUnlocked e:
                json.WriteString("event", "unlocked");
                WriteUntil(json, atMs, e.At, e.Until);
                break;
            case DoorUnlockExtended e:
                json.WriteString("event", "unlock_extended");
                WriteUntil(json, atMs, e.At, e.Until);
                break;
            case DoorOpened:
                json.WriteString("event", "opened");
                break;
            case DoorClosed:
                json.WriteString("event", "closed");
                break;
            case DoorRelocked e:
                json.WriteString("event", "relocked");
                json.WriteString("reason", Snake(e.Reason));
                break;
            case DoorAlarmRaised e:
                json.WriteString("event", "alarm_raised");
                json.WriteString("alarm", Snake(e.Alarm));
                break;
            case DoorAlarmCleared e:
                json.WriteString("event", "alarm_cleared");
                json.WriteString("alarm", Snake(e.Alarm));
                break;
            case DoorPresenceChanged e:
                json.WriteString("event", "presence");
                json.WriteBoolean("detected", e.Detected);
                break;
            case DoorStopped e:
                json.WriteString("event", "stopped");
                json.WriteBoolean("left_unlocked", e.LeftUnlocked);
                break;
            default:
                json.WriteString("event", Snake(doorEvent.GetType().Name));
                break;
        }
    }

    // until_ms is at_ms plus the pulse: a wall-clock step between the two cannot bend it.
    private static void WriteUntil(Utf8JsonWriter json, long atMs, DateTimeOffset at, DateTimeOffset until) =>
        json.WriteNumber("until_ms", atMs + (long)Math.Round((until - at).TotalMilliseconds));

    private string Line(long timestamp, Action<Utf8JsonWriter, long> body)
    {
        // One monotonic clock, and never backwards in print order.
        var ms = Math.Max(_lastMs, (long)Math.Round(_time.GetElapsedTime(_start, timestamp).TotalMilliseconds));
        _lastMs = ms;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("at_ms", ms);
            body(json, ms);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
