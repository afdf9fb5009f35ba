using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StationEdge.Camera;

/// <summary>Binds the <c>Camera</c> section with every problem reported by its full key, and validates it.</summary>
public static class CameraSettings
{
    private static readonly Dictionary<string, PropertyInfo> Keys = typeof(CameraOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>Binds and validates <c>Camera</c> from <paramref name="configuration"/> (the command line's path).</summary>
    /// <exception cref="OptionsValidationException">A key is unknown, has the wrong type or a wrong value; the message names it.</exception>
    public static CameraOptions Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new CameraOptions();
        Bind(configuration.GetSection(CameraOptions.SectionName), options);
        var result = new CameraOptionsValidator().Validate(null, options);
        return result.Failed
            ? throw new OptionsValidationException(CameraOptions.SectionName, typeof(CameraOptions), result.Failures)
            : options;
    }

    /// <summary>Binds <paramref name="section"/> into <paramref name="options"/> after checking its keys and value types.</summary>
    /// <exception cref="OptionsValidationException">An unknown key, a section where a value belongs, or a value of the wrong type.</exception>
    public static void Bind(IConfigurationSection section, CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        var failures = new List<string>();
        foreach (var child in section.GetChildren())
        {
            if (!Keys.TryGetValue(child.Key, out var property))
            {
                failures.Add($"{child.Path} is not a known key (known: {string.Join(", ", Keys.Keys)})");
            }
            else if (child.GetChildren().Any())
            {
                failures.Add($"{child.Path} must be a single value, not a section");
            }
            else if (TypeProblem(property.PropertyType, child.Value ?? "") is { } problem)
            {
                failures.Add($"{child.Path} must be {problem} (was '{child.Value}')");
            }
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(CameraOptions), failures);
        }

        section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
    }

    private static string? TypeProblem(Type type, string value)
    {
        if (type == typeof(int))
        {
            return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ? null : "a whole number";
        }

        if (type == typeof(double))
        {
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? null : "a number";
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _) ? null : "true or false";
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return names.Any(n => n.Equals(value, StringComparison.OrdinalIgnoreCase)) ? null : "one of " + string.Join(", ", names);
        }

        return null;
    }
}
