using System.Globalization;

namespace StationEdge.Vision.Recognition;

/// <summary>
/// A security level: the share of stranger walk-ups the calibrated threshold may let in. The three named levels are
/// what a county chooses between on the pages and in <c>eval --open-set</c>; <c>Access:StrangerRate</c> also takes a
/// rate of its own (<c>1/N</c> or a decimal), shown as "custom".
/// </summary>
public sealed record StrangerRateLevel(string Key, double Rate, string NameZh, string NameEn)
{
    /// <summary>The loosest rate a station may be set to: more than 1 stranger in 10 let in is no door.</summary>
    public const double MaxRate = 0.1;

    public static readonly StrangerRateLevel Strict = new("strict", 0.0001, "严格", "strict");

    public static readonly StrangerRateLevel Standard = new("standard", GalleryOptions.DefaultStrangerRate, "标准", "standard");

    public static readonly StrangerRateLevel Convenient = new("convenient", 0.01, "便利", "convenient");

    /// <summary>The named levels, strictest first.</summary>
    public static IReadOnlyList<StrangerRateLevel> Named { get; } = [Strict, Standard, Convenient];

    public bool IsNamed => Named.Any(l => l.Key == Key);

    /// <summary>"1/1,000" for 0.001; a rate that is no whole 1/N is written as a decimal.</summary>
    public string RateText
    {
        get
        {
            var n = 1 / Rate;
            return Math.Abs(n - Math.Round(n)) < 1e-6 * n
                ? "1/" + Math.Round(n).ToString("#,0", CultureInfo.InvariantCulture)
                : Rate.ToString("0.######", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The named level with exactly this rate, else a custom one.</summary>
    public static StrangerRateLevel ForRate(double rate) =>
        Named.FirstOrDefault(l => l.Rate == rate) ?? new StrangerRateLevel("custom", rate, "自定义", "custom");

    /// <summary>
    /// A level name (strict, standard, convenient; case-insensitive), <c>1/N</c>, or a decimal in (0, 0.1].
    /// On failure <paramref name="error"/> says what was wrong (without the key, which the caller names).
    /// </summary>
    public static bool TryParse(string? text, out StrangerRateLevel level, out string error)
    {
        level = Standard;
        error = "";
        var t = text?.Trim() ?? "";
        if (Named.FirstOrDefault(l => string.Equals(l.Key, t, StringComparison.OrdinalIgnoreCase)) is { } named)
        {
            level = named;
            return true;
        }

        double rate;
        var slash = t.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (t[..slash].Trim() != "1"
                || !double.TryParse(t[(slash + 1)..].Replace(",", "", StringComparison.Ordinal), NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var n)
                || !(n >= 10) || double.IsInfinity(n))
            {
                error = $"must be strict, standard, convenient, 1/N with N at least 10, or a decimal above 0 and at most {MaxRate} (was '{text}')";
                return false;
            }

            rate = 1 / n;
        }
        else if (!double.TryParse(t, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out rate) || !(rate is > 0 and <= MaxRate))
        {
            error = $"must be strict, standard, convenient, 1/N with N at least 10, or a decimal above 0 and at most {MaxRate} (was '{text}')";
            return false;
        }

        level = ForRate(rate);
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> with the one-line reason.</summary>
    public static StrangerRateLevel Parse(string? text) =>
        TryParse(text, out var level, out var error) ? level : throw new FormatException(error);
}
