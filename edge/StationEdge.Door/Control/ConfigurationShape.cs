using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace StationEdge.Door.Control;

/// <summary>
/// Checks a configuration section against an options type before binding, so that a typo or a wrong value is
/// reported by its full key ("Door:Relay:ActiveLevel must be one of Low, High (was 'sideways')") instead of the
/// binder's type names.
/// </summary>
internal static class ConfigurationShape
{
    public static void Check(IConfigurationSection section, Type type, List<string> failures)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                failures.Add($"{child.Path} is not a known key (known: {string.Join(", ", properties.Keys)})");
                continue;
            }

            var target = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var nullable = target != property.PropertyType || !target.IsValueType;
            var value = child.Value;
            var isSection = child.GetChildren().Any();
            if (target != typeof(string) && target.IsClass)
            {
                if (!isSection && !string.IsNullOrEmpty(value))
                {
                    failures.Add($"{child.Path} must be a section with keys {string.Join(", ", target.GetProperties().Select(p => p.Name))} (was '{value}')");
                }
                else
                {
                    Check(child, target, failures);
                }

                continue;
            }

            if (isSection)
            {
                failures.Add($"{child.Path} must be a single value, not a section");
                continue;
            }

            if (string.IsNullOrEmpty(value) && nullable)
            {
                continue;
            }

            if (target.IsEnum && !Enum.GetNames(target).Any(name => string.Equals(name, value, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"{child.Path} must be one of {string.Join(", ", Enum.GetNames(target))} (was '{value}')");
            }
            else if (target == typeof(int) && !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                failures.Add($"{child.Path} must be a whole number (was '{value}')");
            }
            else if (target == typeof(bool) && !bool.TryParse(value, out _))
            {
                failures.Add($"{child.Path} must be true or false (was '{value}')");
            }
        }
    }
}
