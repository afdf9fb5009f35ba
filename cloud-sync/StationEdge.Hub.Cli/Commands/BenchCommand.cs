namespace StationEdge.Hub.Cli.Commands;

/// <summary><c>bench</c>: not built yet.</summary>
internal static class BenchCommand
{
    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        throw HubCliError.Fault("not built yet");
}
