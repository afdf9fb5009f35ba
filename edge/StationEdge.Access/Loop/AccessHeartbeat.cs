namespace StationEdge.Access;

/// <summary>What keeps a service manager's watchdog fed (systemd's WATCHDOG=1, sent by the station host).</summary>
public interface IWatchdogPing
{
    /// <summary>How often a ping is due; null when nobody is watching (no watchdog configured).</summary>
    TimeSpan? Interval { get; }

    void Ping();
}

/// <summary>
/// The access loop's pulse. The loop beats once per turn — after each frame, and at least once a second while it waits
/// for one — and the beat pings the watchdog when a ping is due. So the watchdog is fed by the loop itself: a loop that
/// hangs (an inference that never returns, a deadlock) stops the pings and systemd restarts the daemon, while a lost
/// camera does not (the loop still turns).
/// </summary>
public sealed class AccessHeartbeat(TimeProvider time, IWatchdogPing? watchdog = null)
{
    private long _lastBeat;
    private long _lastPing;
    private long _beats;

    public long Beats => Interlocked.Read(ref _beats);

    /// <summary>Time since the loop last beat; null before the first beat.</summary>
    public TimeSpan? SinceLastBeat => Interlocked.Read(ref _lastBeat) is var last and not 0 ? time.GetElapsedTime(last) : null;

    public void Beat()
    {
        var now = time.GetTimestamp();
        Interlocked.Exchange(ref _lastBeat, now);
        Interlocked.Increment(ref _beats);
        if (watchdog?.Interval is { } interval && (_lastPing == 0 || time.GetElapsedTime(_lastPing, now) >= interval))
        {
            _lastPing = now;
            watchdog.Ping();
        }
    }
}
