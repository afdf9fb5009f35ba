using System.Runtime.Versioning;
using StationEdge.Store.Tests.Faults;

// The store runs on the station (Linux); the tests check file modes, FIFOs, SIGKILL and tmpfs.
[assembly: SupportedOSPlatform("linux")]

namespace StationEdge.Store.Tests;

/// <summary>
/// The test assembly doubles as a small program (<c>dotnet exec StationEdge.Store.Tests.dll VERB …</c>): the child
/// process the kill -9 test starts, and the store bench whose figures the README quotes.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["write-visits", var dataPath]:
                await VisitWriterChild.RunAsync(dataPath);
                return 0;
            case ["bench", .. var rest]:
                return await StoreBench.RunAsync(rest, Console.Out);
            default:
                await Console.Error.WriteLineAsync("usage: StationEdge.Store.Tests write-visits DATA | bench [--templates N] [--visits N]");
                return 2;
        }
    }
}
