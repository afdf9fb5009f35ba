using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using StationEdge.Access;

namespace StationEdge.Station;

/// <summary>
/// systemd's watchdog (<c>WatchdogSec=</c> in the unit): <c>WATCHDOG=1</c> through <see cref="ISystemdNotifier"/>, at half
/// the interval systemd gives in <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) advises. UseSystemd sends READY=1 and
/// STOPPING=1 itself but no watchdog pings; these come from the access loop's heartbeat, so a stuck loop stops them.
/// </summary>
public sealed class SystemdWatchdog(ISystemdNotifier notifier) : IWatchdogPing
{
    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    public TimeSpan? Interval { get; } = notifier.IsEnabled ? HalfOfWatchdogUsec() : null;

    public void Ping() => notifier.Notify(Watchdog);

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
