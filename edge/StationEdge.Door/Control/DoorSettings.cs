using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StationEdge.Door.Control;

/// <summary>Both door sections, bound and validated the same way the daemon's options are (for the command line).</summary>
public sealed record DoorSettings(GpioOptions Gpio, DoorOptions Door)
{
    /// <summary>Binds <c>Gpio</c> and <c>Door</c> from <paramref name="configuration"/>; unknown keys are errors.</summary>
    /// <exception cref="OptionsValidationException">A key is unknown, has the wrong type or fails validation; the message names it.</exception>
    public static DoorSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
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
