using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StationEdge.Configuration;

/// <summary>
/// Binds configuration sections so that nothing is silently ignored: an unknown top-level section ("Dor" for
/// "Door") or key, a section where a value belongs, and a value of the wrong type are each reported by its full key
/// ("Door:Relay:ActiveLevel must be one of Low, High (was 'sideways')") instead of the binder's type names or, worse,
/// the defaults being used.
/// </summary>
public static class StrictConfiguration
{
    /// <summary>Refuses top-level sections outside <paramref name="knownSections"/>, naming them and the known ones.</summary>
    /// <exception cref="OptionsValidationException">A section is unknown.</exception>
    public static void RefuseUnknownSections(IConfiguration configuration, IReadOnlyCollection<string> knownSections)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(knownSections);
        var unknown = configuration.GetChildren()
            .Where(section => !knownSections.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            .Select(section => $"'{section.Key}' is not a known section (known: {string.Join(", ", knownSections)})")
            .ToList();
        if (unknown.Count > 0)
        {
            throw new OptionsValidationException(string.Empty, typeof(IConfiguration), unknown);
        }
    }

    /// <summary>Binds <paramref name="section"/> into <paramref name="options"/> after checking its keys and value types.</summary>
    /// <exception cref="OptionsValidationException">An unknown key, a section where a value belongs, or a value of the wrong type.</exception>
    public static void Bind<T>(IConfigurationSection section, T options)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(section, typeof(T), failures);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(section.Path, typeof(T), failures);
        }

        section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
    }

    /// <summary>Binds a fresh <typeparamref name="T"/> from <paramref name="section"/> and validates it.</summary>
    /// <exception cref="OptionsValidationException">The shape is wrong or <paramref name="validator"/> failed; the message names the key.</exception>
    public static T Load<T>(IConfigurationSection section, IValidateOptions<T>? validator = null)
        where T : class, new()
    {
        var options = new T();
        Bind(section, options);
        if (validator?.Validate(null, options) is { Failed: true } result)
        {
            throw new OptionsValidationException(section.Path, typeof(T), result.Failures);
        }

        return options;
    }

    private static void Check(IConfigurationSection section, Type type, List<string> failures)
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

            CheckValue(child, property.PropertyType, failures);
        }
    }

    private static void CheckValue(IConfigurationSection child, Type declared, List<string> failures)
    {
        var target = Nullable.GetUnderlyingType(declared) ?? declared;
        var nullable = target != declared || !target.IsValueType;
        var value = child.Value;
        var isSection = child.GetChildren().Any();
        if (ElementType(target) is { } element)
        {
            if (!isSection && !string.IsNullOrEmpty(value))
            {
                failures.Add($"{child.Path} must be a list (was '{value}')");
                return;
            }

            foreach (var item in child.GetChildren())
            {
                CheckValue(item, element, failures);
            }

            return;
        }

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

            return;
        }

        if (isSection)
        {
            failures.Add($"{child.Path} must be a single value, not a section");
            return;
        }

        if (string.IsNullOrEmpty(value) && nullable)
        {
            return;
        }

        if (TypeProblem(target, value ?? "") is { } problem)
        {
            failures.Add($"{child.Path} must be {problem} (was '{value}')");
        }
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>))
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static string? TypeProblem(Type type, string value)
    {
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            return names.Any(n => n.Equals(value, StringComparison.OrdinalIgnoreCase)) ? null : "one of " + string.Join(", ", names);
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)
                && (type == typeof(long) || whole is >= int.MinValue and <= int.MaxValue) ? null : "a whole number";
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? null : "a number";
        }

        if (type == typeof(bool))
        {
            return bool.TryParse(value, out _) ? null : "true or false";
        }

        if (type == typeof(TimeOnly))
        {
            return TimeOnly.TryParse(value, CultureInfo.InvariantCulture, out _) ? null : "a time of day such as 07:30";
        }

        if (type == typeof(DateOnly))
        {
            return DateOnly.TryParse(value, CultureInfo.InvariantCulture, out _) ? null : "a date such as 2026-12-31";
        }

        return null;
    }
}
