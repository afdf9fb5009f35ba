using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;
using StationEdge.Station;
using StationEdge.Store;

namespace StationEdge.Cli.Commands;

/// <summary>What the station commands (run, enroll, identify) share: their configuration, the data folder and the store.</summary>
internal static class StationCli
{
    public const string DataHelp = "  --data DIR     the station's data folder (default $STATIONEDGE_DATA, else /var/lib/station-edge)";
    public const string ConfigHelp = "  --config F     the station's configuration (JSON, as /etc/station-edge/appsettings.json)";

    public static readonly string[] Flags = ["--config", "--data", "--models"];

    /// <summary>The configuration sources, with --data and --models (and the command's own <paramref name="overrides"/>) on top.</summary>
    public static StationSources Sources(CliArgs args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var values = new Dictionary<string, string?>(overrides ?? []);
        if (args.Value("--data") is { } data)
        {
            values["Store:DataPath"] = Path.GetFullPath(data);
        }

        if (args.Value("--models") is not null)
        {
            values["Vision:ModelsPath"] = VisionCli.ModelsPath(args);
        }

        return new StationSources(args.Value("--config")) { Overrides = values };
    }

    /// <summary>Store, Vision and Access from the same sources as the daemon; a bad file or value is bad input naming it.</summary>
    public static StationSettings Settings(CliArgs args)
    {
        var sources = Sources(args);
        try
        {
            return StationSettings.Load(StationConfiguration.Build(sources));
        }
        catch (ConfigFileException failure)
        {
            throw CliError.BadInput($"--config {failure.Message}");
        }
        catch (OptionsValidationException failure)
        {
            throw CliError.BadInput((sources.ConfigFile is { } file ? $"--config {file}: " : "") + failure.Message);
        }
    }

    public static async Task<StationStore> OpenStoreAsync(StoreOptions options, CancellationToken ct)
    {
        try
        {
            return await StationStore.OpenAsync(options, NullLogger<StationStore>.Instance, TimeProvider.System, ct);
        }
        catch (StoreException failure)
        {
            throw Error(failure);
        }
    }

    /// <summary>A store failure as the command's error: the caller's input (exit 2) or the station's fault (exit 3).</summary>
    public static CliError Error(StoreException failure) =>
        new(failure.IsBadInput ? CliError.BadInputCode : CliError.FaultCode, failure.Message);

    /// <summary>Who acts, for the audit log: the user running the command.</summary>
    public static KeeperContext Keeper => new($"cli:{Environment.UserName}", "cli");
}
