using System.Collections;
using Microsoft.Extensions.Configuration;
using StationEdge.Access;
using StationEdge.Camera;
using StationEdge.Configuration;
using StationEdge.Door.Control;
using StationEdge.KeeperSite;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.Station;

/// <summary>
/// Where a station's configuration comes from, in this order, later ones winning: <c>appsettings.json</c> in the working
/// folder (when there is one), the <c>--config</c> file, environment variables <c>STATIONEDGE_Section__Key</c>
/// (<c>STATIONEDGE_Door__PulseMs=4000</c>), and the command line's own flags (<see cref="Overrides"/>: <c>--camera</c>,
/// <c>--gpio</c>, <c>--data</c>, <c>--models</c>).
/// </summary>
public sealed record StationSources(string? ConfigFile = null)
{
    public IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Values under every source, for keys none of them sets (the daemon's defaults for the web server's logs).</summary>
    public IReadOnlyDictionary<string, string?> Defaults { get; init; } = new Dictionary<string, string?>();

    /// <summary>The working folder's appsettings.json; null to read none (tests).</summary>
    public string? AppSettingsFolder { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>The environment to read <c>STATIONEDGE_Section__Key</c> variables from; null: the process's.</summary>
    public IDictionary? Environment { get; init; }
}

/// <summary>The station's configuration: its sources and the one list of sections a config file may have.</summary>
public static class StationConfiguration
{
    public const string EnvironmentPrefix = "STATIONEDGE_";

    /// <summary>
    /// Every top-level section a station's configuration may have; anything else is refused, so a misspelled "Dor" never
    /// leaves the door on its defaults. The door commands check the same list.
    /// </summary>
    public static IReadOnlyList<string> KnownSections { get; } =
    [
        GpioOptions.SectionName,
        DoorOptions.SectionName,
        CameraOptions.SectionName,
        StoreOptions.SectionName,
        AccessOptions.SectionName,
        StationVisionOptions.SectionName,
        GreetingOptions.SectionName,
        KeeperSiteOptions.SectionName,
        PassOptions.SectionName,
        StationEdge.Sync.SyncOptions.SectionName,
        "Logging",
    ];

    /// <summary>Adds the station's sources to <paramref name="builder"/>, in order.</summary>
    /// <exception cref="ConfigFileException">The config file (or appsettings.json) cannot be used; the message names it.</exception>
    public static IConfigurationBuilder AddStationSources(this IConfigurationBuilder builder, StationSources sources)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sources);
        builder.AddInMemoryCollection(sources.Defaults);
        if (sources.AppSettingsFolder is { } folder && Path.Combine(folder, "appsettings.json") is var appSettings && File.Exists(appSettings))
        {
            builder.AddStationConfigFile(appSettings);
        }

        if (sources.ConfigFile is { } file)
        {
            builder.AddStationConfigFile(file);
        }

        builder.AddInMemoryCollection(FromEnvironment(sources.Environment ?? System.Environment.GetEnvironmentVariables()));
        return builder.AddInMemoryCollection(sources.Overrides);
    }

    /// <summary>The configuration of a command that is not the daemon (enroll, identify), from the same sources.</summary>
    /// <exception cref="ConfigFileException">A config file cannot be used.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A section is unknown.</exception>
    public static IConfiguration Build(StationSources sources)
    {
        var configuration = new ConfigurationBuilder().AddStationSources(sources).Build();
        StrictConfiguration.RefuseUnknownSections(configuration, KnownSections);
        return configuration;
    }

    /// <summary>
    /// <c>STATIONEDGE_Section__Key=value</c> as <c>Section:Key</c>. Only names with a <c>__</c> are configuration: the plain
    /// <c>STATIONEDGE_DATA</c> and <c>STATIONEDGE_MODELS</c> name the data and models folders and are read as such.
    /// </summary>
    internal static IEnumerable<KeyValuePair<string, string?>> FromEnvironment(IDictionary environment)
    {
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.Ordinal)
                && name.Length > EnvironmentPrefix.Length && name.IndexOf("__", EnvironmentPrefix.Length, StringComparison.Ordinal) > EnvironmentPrefix.Length)
            {
                yield return new(name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), entry.Value as string);
            }
        }
    }
}
