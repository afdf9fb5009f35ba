using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;

namespace StationEdge.Door.Control;

/// <summary>Both door sections, bound and validated the same way the daemon's options are (for the command line).</summary>
public sealed record DoorSettings(GpioOptions Gpio, DoorOptions Door)
{
    /// <summary>
    /// Binds <c>Gpio</c> and <c>Door</c> from <paramref name="configuration"/>; unknown keys are errors, and so are
    /// top-level sections outside <paramref name="knownSections"/> when it is given (a misspelled "Dor" must not leave
    /// the door on its defaults).
    /// </summary>
    /// <exception cref="OptionsValidationException">A section or key is unknown, has the wrong type or fails validation; the message names it.</exception>
    public static DoorSettings Load(IConfiguration configuration, IReadOnlyCollection<string>? knownSections = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (knownSections is not null)
        {
            StrictConfiguration.RefuseUnknownSections(configuration, knownSections);
        }

        return new DoorSettings(
            StrictConfiguration.Load(configuration.GetSection(GpioOptions.SectionName), new GpioOptionsValidator()),
            StrictConfiguration.Load(configuration.GetSection(DoorOptions.SectionName), new DoorOptionsValidator()));
    }
}
