using Microsoft.Extensions.Configuration;
using StationEdge.Access;
using StationEdge.Configuration;
using StationEdge.Store;

namespace StationEdge.Station;

/// <summary>
/// The sections a station command needs besides the door (<c>enroll</c>, <c>identify</c>): bound strictly and validated
/// as the daemon does at start-up, so a command and the door decide by the same settings.
/// </summary>
public sealed record StationSettings(StoreOptions Store, StationVisionOptions Vision, AccessOptions Access)
{
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A key is unknown or a value wrong; the message names it.</exception>
    public static StationSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new StationSettings(
            StrictConfiguration.Load(configuration.GetSection(StoreOptions.SectionName), new StoreOptionsValidator()),
            StrictConfiguration.Load(configuration.GetSection(StationVisionOptions.SectionName), new StationVisionOptionsValidator()),
            StrictConfiguration.Load(configuration.GetSection(AccessOptions.SectionName), new AccessOptionsValidator()));
    }
}
