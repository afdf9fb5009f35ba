using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;

namespace StationEdge.Camera;

/// <summary>Binds the <c>Camera</c> section with every problem reported by its full key, and validates it.</summary>
public static class CameraSettings
{
    /// <summary>Binds and validates <c>Camera</c> from <paramref name="configuration"/> (the command line's path).</summary>
    /// <exception cref="OptionsValidationException">A key is unknown, has the wrong type or a wrong value; the message names it.</exception>
    public static CameraOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return StrictConfiguration.Load(configuration.GetSection(CameraOptions.SectionName), new CameraOptionsValidator());
    }

    /// <summary>Binds <paramref name="section"/> into <paramref name="options"/> after checking its keys and value types.</summary>
    /// <exception cref="OptionsValidationException">An unknown key, a section where a value belongs, or a value of the wrong type.</exception>
    public static void Bind(IConfigurationSection section, CameraOptions options) => StrictConfiguration.Bind(section, options);
}
