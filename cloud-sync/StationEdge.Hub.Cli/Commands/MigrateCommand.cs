namespace StationEdge.Hub.Cli.Commands;

/// <summary><c>migrate [--config F]</c>: brings the county database's schema to this build's version (safe to run again).</summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, []);
        var options = HubConfig.Load(HubConfig.PathOf(args), HubOptionsValidator.DatabaseOnly);
        var (from, to) = await DatabaseCall.RunAsync(options, db => db.MigrateAsync(ct), ct);
        stdout.WriteLine(args.Json
            ? $"{{\"from_version\":{from},\"to_version\":{to}}}"
            : from == to ? $"schema at version {to}; nothing to do" : $"schema migrated from version {from} to {to}");
        return 0;
    }
}
