using System.Globalization;

namespace StationEdge.Hub.Cli;

/// <summary>A command's flags: <c>--name value</c> or <c>--name=value</c>, switches, and positional words.</summary>
internal sealed class HubArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);
    private readonly List<string> _words = [];

    private HubArgs()
    {
    }

    public IReadOnlyList<string> Words => _words;

    public bool Json => _switches.Contains("--json");

    public static HubArgs Parse(IReadOnlyList<string> args, IEnumerable<string> valueFlags, IEnumerable<string>? switches = null)
    {
        var values = valueFlags.Append("--config").ToHashSet(StringComparer.Ordinal);
        var bools = (switches ?? []).Append("--json").ToHashSet(StringComparer.Ordinal);
        var parsed = new HubArgs();
        for (var i = 0; i < args.Count; i++)
        {
            var (arg, inline) = args[i].StartsWith("--", StringComparison.Ordinal) && args[i].IndexOf('=', StringComparison.Ordinal) is > 2 and var eq
                ? (args[i][..eq], args[i][(eq + 1)..])
                : (args[i], null);
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                parsed._words.Add(arg);
                continue;
            }

            if (parsed._values.ContainsKey(arg) || parsed._switches.Contains(arg))
            {
                throw HubCliError.BadInput($"{arg} is given more than once");
            }

            if (bools.Contains(arg) && inline is null)
            {
                parsed._switches.Add(arg);
            }
            else if (values.Contains(arg))
            {
                var value = inline ?? (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null);
                // An empty value is always a slip (an unset shell variable).
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw HubCliError.BadInput($"{arg} needs a value");
                }

                parsed._values[arg] = value;
            }
            else
            {
                throw HubCliError.BadInput($"unknown argument '{args[i]}'");
            }
        }

        return parsed;
    }

    public bool Has(string flag) => _switches.Contains(flag) || _values.ContainsKey(flag);

    public string? Value(string flag) => _values.GetValueOrDefault(flag);

    public string Require(string flag) => Value(flag) ?? throw HubCliError.BadInput($"{flag} is required");

    public double? Double(string flag, double min, double max)
    {
        if (Value(flag) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x) || x < min || x > max)
        {
            throw HubCliError.BadInput($"{flag} must be a number from {min} to {max} (was '{text}')");
        }

        return x;
    }

    public int Int(string flag, int fallback, int min, int max)
    {
        if (Value(flag) is not { } text)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
        {
            throw HubCliError.BadInput($"{flag} must be a whole number from {min} to {max} (was '{text}')");
        }

        return n;
    }
}
