using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;

namespace StationEdge.Hub.Cli;

/// <summary>
/// The hub's configuration file: <c>--config F</c>, else <c>$COUNTY_HUB_CONFIG</c>, else /etc/county-hub/hub.json.
/// Sections <c>Hub</c>, <c>CountySite</c> (the county site, optional) and <c>Logging</c>; any other section, and any unknown key, is refused by name.
/// </summary>
internal static class HubConfig
{
    public const string DefaultPath = "/etc/county-hub/hub.json";

    public static readonly IReadOnlyCollection<string> KnownSections = [HubOptions.SectionName, CountySite.CountySiteOptions.SectionName, "Logging"];

    public static string PathOf(HubArgs args) =>
        args.Value("--config") ?? (Environment.GetEnvironmentVariable("COUNTY_HUB_CONFIG") is { Length: > 0 } env ? env : DefaultPath);

    /// <summary>The file's configuration, its sections checked.</summary>
    public static IConfiguration Read(string path)
    {
        try
        {
            var configuration = new ConfigurationBuilder().AddStationConfigFile(path).Build();
            StrictConfiguration.RefuseUnknownSections(configuration, KnownSections);
            return configuration;
        }
        catch (ConfigFileException e)
        {
            throw HubCliError.BadInput($"--config {e.Message}");
        }
        catch (OptionsValidationException e)
        {
            throw HubCliError.BadInput($"{path}: {string.Join("; ", e.Failures)}");
        }
    }

    /// <summary>The <c>Hub</c> section bound strictly and checked by <paramref name="validator"/>.</summary>
    public static HubOptions Load(string path, HubOptionsValidator? validator)
    {
        var configuration = Read(path);
        try
        {
            return StrictConfiguration.Load(configuration.GetSection(HubOptions.SectionName), validator);
        }
        catch (OptionsValidationException e)
        {
            throw HubCliError.BadInput($"{path}: {string.Join("; ", e.Failures)}");
        }
    }
}
