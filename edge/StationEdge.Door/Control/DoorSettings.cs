using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

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
            var unknown = configuration.GetChildren()
                .Where(section => !knownSections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
                .Select(section => $"'{section.Key}' is not a known section (known: {string.Join(", ", knownSections)})")
                .ToList();
            if (unknown.Count > 0)
            {
                throw new OptionsValidationException(string.Empty, typeof(DoorSettings), unknown);
            }
        }

        var gpio = Bind<GpioOptions>(configuration.GetSection(GpioOptions.SectionName));
        var door = Bind<DoorOptions>(configuration.GetSection(DoorOptions.SectionName));
        Check<GpioOptions>(new GpioOptionsValidator().Validate(null, gpio));
        Check<DoorOptions>(new DoorOptionsValidator().Validate(null, door));
        return new DoorSettings(gpio, door);
    }

    /// <summary>Binds a section into <paramref name="options"/> after checking its keys and value types.</summary>
    /// <exception cref="OptionsValidationException">The section has an unknown key or a value of the wrong type.</exception>
    internal static void Bind<T>(IConfigurationSection section, T options)
        where T : class
    {
        var failures = new List<string>();
        ConfigurationShape.Check(section, typeof(T), failures);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(T), failures);
        }

        section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
    }

    private static T Bind<T>(IConfigurationSection section)
        where T : class, new()
    {
        var options = new T();
        Bind(section, options);
        return options;
    }

    private static void Check<T>(ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            throw new OptionsValidationException(typeof(T).Name, typeof(T), result.Failures);
        }
    }
}
