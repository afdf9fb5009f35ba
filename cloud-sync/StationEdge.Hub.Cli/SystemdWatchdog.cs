using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;

namespace StationEdge.Hub.Cli;

/// <summary>
/// systemd's watchdog (<c>WatchdogSec=</c> in county-hub.service): <c>WATCHDOG=1</c> through <see cref="ISystemdNotifier"/>,
/// at half the interval systemd gives in <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) advises. AddSystemd sends
/// READY=1 and STOPPING=1 itself but no watchdog pings; these come from the ingest loop's heartbeat, so a stuck ingest
/// stops them. The datagram is sent off the loop's thread, as the station's is: a notify socket whose queue is full
/// blocks its sender, and that must not hold up the ingest (a ping still queued when the next is due is dropped).
/// </summary>
internal sealed class SystemdWatchdog(ISystemdNotifier notifier) : IHubWatchdog
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");
    private int _sending;

    public TimeSpan? Interval { get; } = notifier.IsEnabled ? HalfOfWatchdogUsec() : null;

    public void Ping()
    {
        if (Interlocked.CompareExchange(ref _sending, 1, 0) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(
            state =>
            {
                try
                {
                    state.notifier.Notify(Watchdog);
                }
                finally
                {
                    Volatile.Write(ref state.self._sending, 0);
                }
            },
            (notifier, self: this),
            preferLocal: false);
    }

    /// <summary>Half of WATCHDOG_USEC, when it is set and meant for this process (WATCHDOG_PID, when set, is ours).</summary>
    internal static TimeSpan? HalfOfWatchdogUsec()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (pid is not null && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var forPid) || forPid != Environment.ProcessId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(microseconds / 2);
    }
}
