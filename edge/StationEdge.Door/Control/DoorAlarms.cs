namespace StationEdge.Door.Control;

/// <summary>
/// The raised alarms: each raised once and cleared once, with its event, and the alarm buzzer on while any is
/// raised. What raises or clears an alarm is the controller's business; this keeps the set, the events and the
/// buzzer in step. Called under the controller's lock.
/// </summary>
internal sealed class DoorAlarms
{
    private readonly List<DoorAlarm> _raised = [];
    private readonly DoorLines _lines;
    private readonly OutputLineOptions? _buzzer;
    private readonly TimeProvider _time;
    private readonly Action<DoorEvent> _emit;

    public DoorAlarms(DoorLines lines, OutputLineOptions? buzzer, TimeProvider time, Action<DoorEvent> emit)
    {
        _lines = lines;
        _buzzer = buzzer;
        _time = time;
        _emit = emit;
    }

    public bool IsRaised(DoorAlarm alarm) => _raised.Contains(alarm);

    public IReadOnlyList<DoorAlarm> Snapshot() => [.. _raised];

    public void Raise(DoorAlarm alarm)
    {
        if (_raised.Contains(alarm))
        {
            return;
        }

        _raised.Add(alarm);
        _emit(new DoorAlarmRaised(_time.GetUtcNow(), alarm));

        // Raised from the fault path too: a buzzer that cannot be written must not stop the fault's handling.
        _lines.Quietly(() => _lines.SetOutput(_buzzer, on: true));
    }

    public void Clear(DoorAlarm alarm)
    {
        if (!_raised.Remove(alarm))
        {
            return;
        }

        _emit(new DoorAlarmCleared(_time.GetUtcNow(), alarm));
        _lines.SetOutput(_buzzer, on: _raised.Count > 0);
    }
}
