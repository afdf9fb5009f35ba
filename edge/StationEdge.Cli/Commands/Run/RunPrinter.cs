using System.Buffers;
using System.Device.Gpio;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Cli.Commands.Run;

/// <summary>
/// What <c>run</c> prints on stdout as it happens: every decision, door event, camera event and greeting, and on the
/// simulated chip every output change (the relay lines as door-sim prints them). With <c>--json</c> one object per line
/// with <c>at_ms</c> since start on the monotonic clock; without, one readable line each. Lines come from several threads
/// (the loop, the door's reader, the chip under the door's lock), so they pass a short reorder buffer and leave in the
/// order they happened.
/// </summary>
internal sealed class RunPrinter
{
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    // How long a line waits for an earlier one still on its way from another thread. 40 ms was enough on an idle
    // machine; on a loaded 2-core one a thread holding an earlier timestamp can be descheduled for longer, and a
    // quarter second is still immediate for someone watching.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly bool _json;
    private readonly TextWriter _output;
    private readonly ChannelReader<StationEvent> _events;
    private readonly TimeProvider _time;
    private readonly long _start;
    private readonly DateTimeOffset _startWall;
    private readonly Dictionary<int, (string Name, PinValue Active, bool Relay)> _outputs;
    private readonly SortedSet<(long Timestamp, long Order, string Line)> _pending = [];
    private long _order;

    public RunPrinter(bool json, TextWriter output, StationEvents events, TimeProvider time, DoorOptions door, SimulatedGpioChip? chip)
        : this(json, output, Subscribe(events), time, door, chip)
    {
    }

    /// <summary>Prints what <paramref name="events"/> delivers (the station's subscription, or a test's reader).</summary>
    internal RunPrinter(bool json, TextWriter output, ChannelReader<StationEvent> events, TimeProvider time, DoorOptions door, SimulatedGpioChip? chip)
    {
        _json = json;
        _output = output;
        _time = time;
        _start = time.GetTimestamp();
        _startWall = time.GetUtcNow();
        _outputs = DoorJsonLines.OutputNames(door);
        _events = events;
        if (chip is not null)
        {
            chip.OutputChanged += OnOutput;
        }
    }

    private static ChannelReader<StationEvent> Subscribe(StationEvents events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return events.Subscribe(capacity: 4096).Reader;
    }

    /// <summary>Prints until the station's event stream completes (the host has stopped).</summary>
    public async Task RunAsync()
    {
        var reader = _events;
        // One wait on the channel at a time, kept across ticks until it completes: the channel holds every wait it was
        // asked for until an event comes, and a station may see none for hours (a night), 50 ticks a second.
        Task<bool>? more = null;
        while (true)
        {
            more ??= reader.WaitToReadAsync().AsTask();
            await Task.WhenAny(more, Task.Delay(Settle / 2, _time));
            while (reader.TryRead(out var stationEvent))
            {
                if (Format(stationEvent) is { } line)
                {
                    Add(stationEvent.Timestamp, line);
                }
            }

            if (more.IsCompleted)
            {
                if (!await more)
                {
                    break;
                }

                more = null;
            }

            await FlushAsync(all: false);
        }

        await FlushAsync(all: true);
    }

    /// <summary>The closing line: what the loop did.</summary>
    public async Task SummaryAsync(AccessStatistics stats, int waiting)
    {
        var line = _json
            ? Json(_time.GetTimestamp(), j =>
            {
                j.WriteString("event", "summary");
                j.WriteNumber("frames", stats.Frames);
                j.WriteNumber("frames_detected", stats.FramesDetected);
                j.WriteNumber("seconds", Math.Round(stats.Running.TotalSeconds, 2));
                j.WriteNumber("fps", Math.Round(stats.FramesPerSecond, 2));
                j.WriteNumber("walkups", stats.WalkUps);
                j.WriteNumber("grants", stats.Grants);
                j.WriteNumber("grants_recorded", stats.GrantsRecorded);
                j.WriteNumber("refusals", stats.Refusals);
                j.WriteNumber("visits_waiting", waiting);
            })
            : F($"{"summary",-9}{stats.Frames} frames in {stats.Running.TotalSeconds:0.0} s ({stats.FramesPerSecond:0.0} per second), {stats.WalkUps} walk-ups, {stats.Grants} grants ({stats.GrantsRecorded} recorded), {stats.Refusals} refusals")
              + (waiting > 0 ? $", {waiting} visits not written" : "");
        await _output.WriteLineAsync(line);
        await _output.FlushAsync();
    }

    private void OnOutput(object? sender, GpioOutputChange change)
    {
        // Called under the door's lock: format and queue, nothing more.
        if (!_outputs.TryGetValue(change.Offset, out var output))
        {
            return;
        }

        Add(change.Timestamp, _json
            ? Json(change.Timestamp, j => DoorJsonLines.WriteOutput(j, change, output))
            : Text(change.Timestamp, output.Name, Describe(change, output)));
    }

    private static string Describe(GpioOutputChange change, (string Name, PinValue Active, bool Relay) output)
    {
        var active = change.Level == output.Active;
        var state = output.Relay ? (active ? "energised" : "de-energised") : (active ? "on" : "off");
        return $"{state} (line {change.Offset}, {(change.Level == PinValue.High ? "high" : "low")}{(change.Driven ? "" : ", released")})";
    }

    private void Add(long timestamp, string line)
    {
        lock (_pending)
        {
            _pending.Add((timestamp, _order++, line));
        }
    }

    private async Task FlushAsync(bool all)
    {
        var due = new List<string>();
        var now = _time.GetTimestamp();
        lock (_pending)
        {
            while (_pending.Count > 0 && _pending.Min is var first && (all || _time.GetElapsedTime(first.Timestamp, now) >= Settle))
            {
                _pending.Remove(first);
                due.Add(first.Line);
            }
        }

        foreach (var line in due)
        {
            await _output.WriteLineAsync(line);
        }

        if (due.Count > 0)
        {
            await _output.FlushAsync();
        }
    }

    private string? Format(StationEvent stationEvent) => stationEvent switch
    {
        AccessGranted g => Granted(g),
        AccessRefused r => Refused(r),
        PassDecided p => Pass(p),
        // The loop's granted line says who: the door's own "granted" for a worker would say it twice.
        DoorActivity { Event: DoorGranted granted } when granted.By is not DoorController.ExitButton && !granted.By.StartsWith("keeper:", StringComparison.Ordinal) => null,
        DoorActivity d => _json
            ? Json(d.Timestamp, j => DoorJsonLines.Describe(j, d.Event, AtMs(d.Timestamp)))
            : Text(d.Timestamp, "door", DoorText(d.Event)),
        CameraActivity c => Camera(c),
        GreetingPlayed p => _json
            ? Json(p.Timestamp, j =>
            {
                j.WriteString("event", "greeting");
                j.WriteString("for", p.For == AccessDecision.Granted ? "granted" : "refused");
                j.WriteString("sound", p.Sound);
                if (p.Text is not null)
                {
                    j.WriteString("text", p.Text);
                }
            })
            : Text(p.Timestamp, "greeting", p.Text is { } text ? $"🔊 {text} ({Path.GetFileName(p.Sound)})" : $"🔊 ({Path.GetFileName(p.Sound)})"),
        _ => null,
    };

    private string Granted(AccessGranted g)
    {
        var d = g.Decision;
        if (!_json)
        {
            var parts = new List<string>
            {
                F($"{d.WorkerId} {d.WorkerName} · score {d.Score:0.00} · margin {d.Margin:0.00}"),
                g.Recorded ? "visit recorded" : "in cooldown: the door opens, no second visit",
                F($"{g.WalkUpToGrant.TotalMilliseconds:0} ms ({g.WalkUpFrames} frames) after the walk-up began"),
            };
            if (!g.DoorOpened)
            {
                parts.Add("the door refused the grant");
            }

            return Text(g.Timestamp, "granted", string.Join(" · ", parts));
        }

        return Json(g.Timestamp, j =>
        {
            j.WriteString("event", "granted");
            j.WriteString("method", "face");
            Decision(j, d);
            j.WriteBoolean("recorded", g.Recorded);
            j.WriteBoolean("door_opened", g.DoorOpened);
            if (g.FrameToRelay is { } relay)
            {
                j.WriteNumber("frame_to_relay_ms", Math.Round(relay.TotalMilliseconds, 2));
            }
            else
            {
                j.WriteNull("frame_to_relay_ms");
            }

            j.WriteNumber("walkup_to_grant_ms", Math.Round(g.WalkUpToGrant.TotalMilliseconds, 2));
            j.WriteNumber("walkup_frames", g.WalkUpFrames);
        });
    }

    private string Refused(AccessRefused r)
    {
        var d = r.Decision;
        return _json
            ? Json(r.Timestamp, j =>
            {
                j.WriteString("event", "refused");
                j.WriteString("method", "face");
                Decision(j, d);
                j.WriteNumber("walkup_to_decision_ms", Math.Round(r.WalkUpToDecision.TotalMilliseconds, 2));
            })
            : Text(r.Timestamp, "refused", d.Detail);
    }

    /// <summary>A pass at the door, as a face decision is printed: the same event names, with <c>method</c> telling them apart.</summary>
    private string Pass(PassDecided p)
    {
        var v = p.Visit;
        var granted = v.Decision == StationEdge.Store.VisitDecision.Granted;
        var who = p.VisitorName is { } guest ? $"visitor {guest}" : v.WorkerId is { } id ? $"{id} {p.WorkerName}".TrimEnd() : "no pass the station issued";
        if (!_json)
        {
            return Text(p.Timestamp, granted ? "granted" : "refused", $"pass {p.PassId?.ToString() ?? "-"} · {who} · {v.Reason} · visit {v.Seq} recorded");
        }

        return Json(p.Timestamp, j =>
        {
            j.WriteString("event", granted ? "granted" : "refused");
            j.WriteString("method", "pass");
            j.WriteString("reason", v.Reason);
            Nullable(j, "worker_id", v.WorkerId);
            Nullable(j, "worker_name", p.WorkerName);
            Nullable(j, "pass_id", p.PassId?.ToString());
            Nullable(j, "visitor_name", p.VisitorName);
            j.WriteString("time", v.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            j.WriteNumber("visit_seq", v.Seq);
            j.WriteBoolean("recorded", true);
            if (granted)
            {
                j.WriteBoolean("door_opened", true);
            }
        });
    }

    private static void Decision(Utf8JsonWriter j, FrameDecision d)
    {
        j.WriteString("reason", d.Reason);
        Nullable(j, "worker_id", d.WorkerId);
        Nullable(j, "worker_name", d.WorkerName);
        Number(j, "score", d.Score);
        Number(j, "margin", d.Margin);
        Number(j, "liveness", d.Liveness);
        j.WriteString("time", d.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        j.WriteString("detail", d.Detail);
    }

    private string Camera(CameraActivity c) => c.Event switch
    {
        CameraLost lost => _json
            ? Json(c.Timestamp, j =>
            {
                j.WriteString("event", lost.Name);
                j.WriteString("reason", JsonNamingPolicy.SnakeCaseLower.ConvertName(lost.Reason.ToString()));
                if (lost.ExitCode is { } code)
                {
                    j.WriteNumber("exit_code", code);
                }

                j.WriteString("detail", lost.Detail);
            })
            : Text(c.Timestamp, "camera", $"lost: {lost.Detail}"),
        CameraBack back => _json
            ? Json(c.Timestamp, j =>
            {
                j.WriteString("event", back.Name);
                j.WriteNumber("downtime_ms", Math.Round(back.Downtime.TotalMilliseconds));
                j.WriteNumber("restarts", back.Restarts);
            })
            : Text(c.Timestamp, "camera", F($"back after {back.Downtime.TotalSeconds:0.0} s ({back.Restarts} restarts)")),
        CameraEnded ended => _json
            ? Json(c.Timestamp, j =>
            {
                j.WriteString("event", ended.Name);
                j.WriteNumber("frames", ended.Frames);
            })
            : Text(c.Timestamp, "camera", $"the source ended after {ended.Frames} frames"),
        var other => _json ? Json(c.Timestamp, j => j.WriteString("event", other.Name)) : Text(c.Timestamp, "camera", other.Name),
    };

    private static string DoorText(DoorEvent e) => e switch
    {
        DoorStarted s => $"started ({(s.DoorOpen ? "open" : "closed")})",
        DoorGranted g => $"unlock by {g.By}",
        DoorGrantRefused r => $"grant by {r.By} refused: {r.Reason}",
        DoorUnlocked u => F($"unlocked for {(u.Until - u.At).TotalSeconds:0.#} s"),
        DoorUnlockExtended x => F($"unlock extended to {(x.Until - x.At).TotalSeconds:0.#} s from now"),
        DoorOpened => "opened",
        DoorClosed => "closed",
        DoorRelocked r => $"relocked ({JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Reason.ToString())})",
        DoorAlarmRaised a => $"ALARM {JsonNamingPolicy.SnakeCaseLower.ConvertName(a.Alarm.ToString())}",
        DoorAlarmCleared a => $"alarm cleared: {JsonNamingPolicy.SnakeCaseLower.ConvertName(a.Alarm.ToString())}",
        DoorPresenceChanged p => p.Detected ? "someone at the door (PIR)" : "nobody at the door (PIR)",
        DoorStopped s => s.LeftUnlocked ? "stopped (fail-safe: lock released)" : "stopped (locked)",
        _ => e.GetType().Name,
    };

    private long AtMs(long timestamp) => (long)Math.Round(_time.GetElapsedTime(_start, timestamp).TotalMilliseconds);

    private string Json(long timestamp, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            // Lines leave sorted by timestamp, so at_ms never goes backwards from one line to the next, like door-sim's.
            json.WriteNumber("at_ms", AtMs(timestamp));
            body(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A readable line, its time taken from the same monotonic timestamp the lines are ordered by.</summary>
    private string Text(long timestamp, string what, string detail) =>
        $"{(_startWall + _time.GetElapsedTime(_start, timestamp)).ToLocalTime():HH:mm:ss.fff}  {what,-9}{detail}";

    private static void Nullable(Utf8JsonWriter j, string name, string? value)
    {
        if (value is null)
        {
            j.WriteNull(name);
        }
        else
        {
            j.WriteString(name, value);
        }
    }

    private static void Number(Utf8JsonWriter j, string name, float? value)
    {
        if (value is { } v)
        {
            j.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            j.WriteNull(name);
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
