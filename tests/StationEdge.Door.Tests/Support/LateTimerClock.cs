using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Support;

/// <summary>
/// Virtual time whose timer callbacks can be held back and run later, as a busy thread pool delivers them: the
/// callback of a timer that came due waits while other code runs first.
/// </summary>
internal sealed class LateTimerClock : TimeProvider
{
    private readonly Queue<Action> _held = new();

    public VirtualTimeProvider Virtual { get; } = new();

    /// <summary>While true, timers that come due queue their callbacks instead of running them.</summary>
    public bool Hold { get; set; }

    public int HeldCount => _held.Count;

    public override long TimestampFrequency => Virtual.TimestampFrequency;

    /// <summary>Runs the oldest <paramref name="count"/> held callbacks.</summary>
    public void RunHeld(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _held.Dequeue()();
        }
    }

    public override DateTimeOffset GetUtcNow() => Virtual.GetUtcNow();

    public override long GetTimestamp() => Virtual.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Virtual.CreateTimer(
            s =>
            {
                if (Hold)
                {
                    _held.Enqueue(() => callback(s));
                }
                else
                {
                    callback(s);
                }
            },
            state,
            dueTime,
            period);
}
