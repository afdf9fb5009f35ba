using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using StationEdge.Access;

namespace StationEdge.Station;

/// <summary>
/// systemd's watchdog (<c>WatchdogSec=</c> in the unit): <c>WATCHDOG=1</c> through <see cref="ISystemdNotifier"/>, at half
/// the interval systemd gives in <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) advises. UseSystemd sends READY=1 and
/// STOPPING=1 itself but no watchdog pings; these come from the access loop's heartbeat, so a stuck loop stops them.
/// The datagram is sent off the loop's thread: a notify socket whose queue is full blocks its sender, and that must never
/// hold up the door (a ping still queued when the next one is due is dropped; systemd needs only one per interval).
/// </summary>
public sealed class SystemdWatchdog(ISystemdNotifier notifier) : IWatchdogPing
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
