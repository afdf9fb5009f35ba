using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Cli.Commands;

/// <summary>What door-sim and door --pulse share: loading --config and the JSON lines they print.</summary>
internal static class DoorCommandLine
{
    /// <summary>Reads the <c>Gpio</c> and <c>Door</c> sections (appsettings shape) from the file, or the defaults without one.</summary>
    public static DoorSettings LoadSettings(string command, string? path)
    {
        var builder = new ConfigurationBuilder();
        if (path is not null)
        {
            if (!File.Exists(path))
            {
                throw CliError.BadInput($"{command}: --config {path}: file not found");
            }

            builder.AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false);
        }

        IConfiguration configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception failure) when (failure is InvalidDataException or FormatException or JsonException)
        {
            var innermost = failure;
            while (innermost.InnerException is not null)
            {
                innermost = innermost.InnerException;
            }

            throw CliError.BadInput($"{command}: --config {path}: not valid JSON ({innermost.Message.ReplaceLineEndings(" ")})");
        }

        try
        {
            return DoorSettings.Load(configuration);
        }
        catch (OptionsValidationException failure)
        {
            throw CliError.BadInput($"{command}: {(path is null ? "defaults" : $"--config {path}")}: {failure.Message}");
        }
    }
}

/// <summary>Writes door outputs and events as one JSON object per line, each with at_ms since <c>start</c>.</summary>
internal sealed class DoorJsonWriter(TextWriter output, DateTimeOffset start, DoorOptions door)
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Dictionary<int, (string Name, OutputLineOptions Line)> _outputs = OutputNames(door);
    private readonly Lock _gate = new();

    public void Write(GpioOutputChange change)
    {
        if (!_outputs.TryGetValue(change.Offset, out var output))
        {
            return;
        }

        var active = change.Level == output.Line.ActiveLevel;
        var state = output.Name == "relay" ? (active ? "energised" : "de-energised") : (active ? "on" : "off");
        Line(change.At, json =>
        {
            json.WriteString("output", output.Name);
            json.WriteNumber("line", change.Offset);
            json.WriteString("level", change.Level == GpioLevel.High ? "high" : "low");
            json.WriteString("state", state);
            if (!change.Driven)
            {
                json.WriteBoolean("released", true);
            }
        });
    }

    public void Write(DoorEvent doorEvent) => Line(doorEvent.At, json =>
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
                json.WriteNumber("until_ms", Ms(e.Until));
                break;
            case DoorUnlockExtended e:
                json.WriteString("event", "unlock_extended");
                json.WriteNumber("until_ms", Ms(e.Until));
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
            case DoorStopped e:
                json.WriteString("event", "stopped");
                json.WriteBoolean("left_unlocked", e.LeftUnlocked);
                break;
            default:
                json.WriteString("event", Snake(doorEvent.GetType().Name));
                break;
        }
    });

    /// <summary>Names the output lines the door uses, for printing the simulated chip's changes.</summary>
    private static Dictionary<int, (string Name, OutputLineOptions Line)> OutputNames(DoorOptions door)
    {
        var names = new Dictionary<int, (string, OutputLineOptions)> { [door.Relay.Line!.Value] = ("relay", door.Relay) };
        if (door.Led is { Line: { } led })
        {
            names[led] = ("led", door.Led);
        }

        if (door.Buzzer is { Line: { } buzzer })
        {
            names[buzzer] = ("buzzer", door.Buzzer);
        }

        return names;
    }

    private static string Snake<T>(T value) => JsonNamingPolicy.SnakeCaseLower.ConvertName(value!.ToString()!);

    private long Ms(DateTimeOffset at) => (long)Math.Round((at - start).TotalMilliseconds);

    private void Line(DateTimeOffset at, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteNumber("at_ms", Ms(at));
            body(json);
            json.WriteEndObject();
        }

        // Events come from timer threads in real time; keep whole lines whole.
        lock (_gate)
        {
            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }
}
