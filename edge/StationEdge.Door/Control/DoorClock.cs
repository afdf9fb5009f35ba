namespace StationEdge.Door.Control;

/// <summary>Deadlines on a <see cref="TimeProvider"/>'s monotonic timestamps, which stepping the wall clock never moves.</summary>
internal static class DoorClock
{
    public static long After(this TimeProvider time, long timestamp, TimeSpan span) =>
        timestamp + (long)(span.Ticks * (time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    public static TimeSpan Until(this TimeProvider time, long deadline, long now) =>
        now >= deadline ? TimeSpan.Zero : time.GetElapsedTime(now, deadline);

    public static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);
}
