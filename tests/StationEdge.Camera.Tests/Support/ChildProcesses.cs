using System.Runtime.InteropServices;

namespace StationEdge.Camera.Tests.Support;

/// <summary>The process table as the tests need it: this process's children, their state, signals.</summary>
internal static partial class ChildProcesses
{
    public const int SigKill = 9;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>Children of this test process with the given command name (zombies included: a zombie is not reaped).</summary>
    public static IReadOnlyList<int> Named(string command)
    {
        var self = Environment.ProcessId;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || Stat(pid) is not { } stat)
            {
                continue;
            }

            if (stat.ParentId == self && stat.Command == command)
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>The process's state letter (R, S, T stopped, Z zombie), or null when it no longer exists.</summary>
    public static char? State(int pid) => Stat(pid)?.State;

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static (string Command, char State, int ParentId)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
        var open = text.IndexOf('(', StringComparison.Ordinal);
        var close = text.LastIndexOf(')');
        var rest = text[(close + 2)..].Split(' ');
        return (text[(open + 1)..close], rest[0][0], int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
