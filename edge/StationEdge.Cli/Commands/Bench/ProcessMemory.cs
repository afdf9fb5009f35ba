using System.Diagnostics;
using System.Globalization;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>The process's resident memory as the kernel counts it (/proc/self/status), in MB.</summary>
internal static class ProcessMemory
{
    /// <summary>VmRSS now.</summary>
    public static double ResidentMb() => ReadMb("VmRSS:") ?? ToMb(Process.GetCurrentProcess().WorkingSet64);

    /// <summary>VmHWM: the most resident memory the process has had.</summary>
    public static double PeakResidentMb() => ReadMb("VmHWM:") ?? ToMb(Process.GetCurrentProcess().PeakWorkingSet64);

    /// <summary>A "Key:   1234 kB" line of /proc/self/status; null where there is no procfs (the fallback is .NET's figure).</summary>
    private static double? ReadMb(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal))
            {
                continue;
            }

            var parts = line[key.Length..].Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kb))
            {
                return Math.Round(kb / 1024.0, 1);
            }
        }

        return null;
    }

    private static double ToMb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);
}
