namespace StationEdge.Hub;

/// <summary>What keeps a service manager's watchdog fed (systemd's WATCHDOG=1, sent by <c>county-hub run</c>).</summary>
public interface IHubWatchdog
{
    /// <summary>How often a ping is due; null when nobody is watching (no watchdog configured).</summary>
    TimeSpan? Interval { get; }

    void Ping();
}

/// <summary>
/// The ingest loop's pulse. The loop beats once per turn — after each message it handled, at least once a second while
/// it waits for one (a tick queued behind the messages, so a loop stuck on a message never sees it), and while it waits
/// for the broker or PostgreSQL to come back — and a beat pings the watchdog when a ping is due. So the watchdog is fed
/// by the loop's progress: an ingest that hangs stops the pings and systemd restarts the hub, while a broker or database
/// that is away does not (a restart would not bring it back, and the loop still turns).
/// </summary>
public sealed class IngestHeartbeat(TimeProvider time, IEnumerable<IHubWatchdog> watchdogs)
{
    private readonly IHubWatchdog? _watchdog = watchdogs.FirstOrDefault(w => w.Interval is not null);
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
        if (_watchdog?.Interval is { } interval && (_lastPing == 0 || time.GetElapsedTime(_lastPing, now) >= interval))
        {
            _lastPing = now;
            _watchdog.Ping();
        }
    }
}
