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
        var gpio = Bind<GpioOptions>(configuration, GpioOptions.SectionName);
        var door = Bind<DoorOptions>(configuration, DoorOptions.SectionName);
        Check<GpioOptions>(new GpioOptionsValidator().Validate(null, gpio));
        Check<DoorOptions>(new DoorOptionsValidator().Validate(null, door));
        return new DoorSettings(gpio, door);
    }

    internal static void ConfigureBinder(BinderOptions binder) => binder.ErrorOnUnknownConfiguration = true;

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        var options = new T();
        try
        {
            configuration.GetSection(section).Bind(options, ConfigureBinder);
        }
        catch (InvalidOperationException failure)
        {
            throw new OptionsValidationException(section, typeof(T), [OneLine(failure)]);
        }

        return options;
    }

    private static void Check<T>(ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            throw new OptionsValidationException(typeof(T).Name, typeof(T), result.Failures);
        }
    }

    // The binder nests the real reason (e.g. "Failed to convert configuration value 'x' at 'Door:Relay:Line'...") inside.
    private static string OneLine(Exception failure)
    {
        var messages = new List<string>();
        for (var e = failure; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message.ReplaceLineEndings(" ").Trim());
        }

        return string.Join(": ", messages.Distinct());
    }
}
