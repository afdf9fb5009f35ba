namespace StationEdge.Cli;

/// <summary>A command's flags: <c>--name value</c> (or <c>--name=value</c>), boolean switches, and repeated values for list flags.</summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    private CliArgs(string command) => Command = command;

    public string Command { get; }

    public bool Json => _switches.Contains("--json");

    /// <summary>
    /// Parses against the flags a command knows: <paramref name="valueFlags"/> take a value,
    /// <paramref name="listFlags"/> take every value up to the next flag (and may be repeated, adding more),
    /// <paramref name="switches"/> take none.
    /// </summary>
    public static CliArgs Parse(
        string command,
        IReadOnlyList<string> args,
        IEnumerable<string> valueFlags,
        IEnumerable<string>? switches = null,
        IEnumerable<string>? listFlags = null)
    {
        var values = valueFlags.ToHashSet(StringComparer.Ordinal);
        var lists = (listFlags ?? []).ToHashSet(StringComparer.Ordinal);
        var bools = (switches ?? []).Append("--json").ToHashSet(StringComparer.Ordinal);
        var parsed = new CliArgs(command);
        for (var i = 0; i < args.Count; i++)
        {
            // --flag=value is the same as --flag value.
            var (arg, inline) = args[i].StartsWith("--", StringComparison.Ordinal) && args[i].IndexOf('=', StringComparison.Ordinal) is > 2 and var eq
                ? (args[i][..eq], args[i][(eq + 1)..])
                : (args[i], null);
            // A list flag may be repeated (--photo a --photo b); any other flag given twice is a slip.
            if (parsed._values.ContainsKey(arg) && !lists.Contains(arg))
            {
                throw CliError.BadInput($"{command}: {arg} is given more than once");
            }

            if (bools.Contains(arg) && inline is null)
            {
                parsed._switches.Add(arg);
            }
            else if (values.Contains(arg))
            {
                var value = inline;
                if (value is null && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = args[++i];
                }

                // An empty value is always a slip (an unset shell variable), never a file or a number.
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw CliError.BadInput($"{command}: {arg} needs a value");
                }

                parsed._values[arg] = [value];
            }
            else if (lists.Contains(arg))
            {
                var items = new List<string>();
                if (inline is not null)
                {
                    items.Add(inline);
                }

                while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    items.Add(args[++i]);
                }

                if (items.Count == 0 || items.Any(string.IsNullOrWhiteSpace))
                {
                    throw CliError.BadInput($"{command}: {arg} needs at least one value, and no empty ones");
                }

                parsed._values[arg] = parsed._values.TryGetValue(arg, out var earlier) ? [.. earlier, .. items] : items;
            }
            else
            {
                throw CliError.BadInput($"{command}: unknown argument '{args[i]}'");
            }
        }

        return parsed;
    }

    public bool Has(string flag) => _switches.Contains(flag) || _values.ContainsKey(flag);

    public string? Value(string flag) => _values.TryGetValue(flag, out var v) ? v[0] : null;

    public string Require(string flag) =>
        Value(flag) ?? throw CliError.BadInput($"{Command}: {flag} is required");

    public IReadOnlyList<string> List(string flag) => _values.TryGetValue(flag, out var v) ? v : [];

    public int Int(string flag, int fallback, int min, int max)
    {
        var text = Value(flag);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, out var n) || n < min || n > max)
        {
            throw CliError.BadInput($"{Command}: {flag} must be a whole number from {min} to {max} (was '{text}')");
        }

        return n;
    }

    public double Double(string flag, double fallback, double min, double max)
    {
        var text = Value(flag);
        if (text is null)
        {
            return fallback;
        }

        // NaN passes every range comparison, and "1e400" parses as infinity: both are refused here.
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x)
            || !double.IsFinite(x) || x < min || x > max)
        {
            throw CliError.BadInput($"{Command}: {flag} must be a number from {min} to {max} (was '{text}')");
        }

        return x;
    }
}
