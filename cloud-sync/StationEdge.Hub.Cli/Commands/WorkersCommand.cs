using System.Globalization;
using System.Text.Json;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>workers list [--json] | suspend ID | resume ID | delete ID</c>: the county's roster. A change is a new roster
/// version in PostgreSQL; the running hub (<c>county-hub run</c>) signs it and sends it to every station.
/// </summary>
internal static class WorkersCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public const string Usage = "usage: county-hub workers list [--json] | workers suspend ID | workers resume ID | workers delete ID";

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, []);
        return args.Words switch
        {
            ["list"] => await ListAsync(args, stdout, ct),
            [var verb and ("suspend" or "resume" or "delete"), var id] => await ChangeAsync(verb, id, args, stdout, ct),
            [var verb and ("suspend" or "resume" or "delete")] => throw HubCliError.BadInput($"workers {verb} needs the worker's ID: county-hub workers {verb} ID"),
            [var verb, ..] when verb is not ("list" or "suspend" or "resume" or "delete") => throw HubCliError.BadInput($"no such workers command '{verb}' ({Usage})"),
            _ => throw HubCliError.BadInput(Usage),
        };
    }

    private static async Task<int> ListAsync(HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        var options = HubConfig.Load(HubConfig.PathOf(args), HubOptionsValidator.DatabaseOnly);
        var (workers, head) = await DatabaseCall.RunAsync(options, async db =>
            (await CountyRoster.ListAsync(db.DataSource, options.County!, ct), await CountyRoster.HeadAsync(db.DataSource, options.County!, ct)), ct);
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                county = options.County,
                roster_version = head.Version,
                published_version = head.Published,
                workers = workers.Select(w => new
                {
                    id = w.Id,
                    name = w.Name,
                    status = w.Status,
                    home_station = w.HomeStation,
                    consent_scope = w.ConsentScope,
                    templates = w.Templates,
                    version = w.Version,
                    updated_at = w.UpdatedAt,
                }),
            }, Json));
            return 0;
        }

        stdout.WriteLine($"county {options.County}: roster version {head.Version} ({head.Published} published), {workers.Count} workers");
        if (workers.Count == 0)
        {
            return 0;
        }

        stdout.WriteLine($"{"id",-16} {"name",-16} {"status",-10} {"home",-12} {"consent",-8} {"templates",9} {"version",7}");
        foreach (var w in workers)
        {
            stdout.WriteLine($"{w.Id,-16} {w.Name,-16} {w.Status,-10} {w.HomeStation,-12} {w.ConsentScope,-8} {w.Templates,9} {w.Version.ToString(CultureInfo.InvariantCulture),7}");
        }

        return 0;
    }

    private static async Task<int> ChangeAsync(string verb, string id, HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        if (!Ids.IsValid(id))
        {
            throw HubCliError.BadInput($"worker ID '{id}' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        var options = HubConfig.Load(HubConfig.PathOf(args), HubOptionsValidator.DatabaseOnly);
        var op = verb switch { "suspend" => RosterDelta.Suspend, "resume" => RosterDelta.Resume, _ => RosterDelta.Delete };
        long? version;
        try
        {
            version = await DatabaseCall.RunAsync(options, db => CountyRoster.ChangeAsync(db.DataSource, options.County!, op, id, "county-hub", ct), ct);
        }
        catch (KeyNotFoundException e)
        {
            throw HubCliError.BadInput(e.Message);
        }

        var done = verb switch { "suspend" => "suspended", "resume" => "resumed", _ => "deleted" };
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { worker = id, op, changed = version is not null, roster_version = version }, Json));
        }
        else
        {
            stdout.WriteLine(version is { } v
                ? $"worker {id} {done}: roster version {v}; the running hub signs it and sends it to every station of {options.County}"
                : $"worker {id} is {(op == RosterDelta.Suspend ? "suspended" : "active")} already; the roster is unchanged");
        }

        return 0;
    }
}
