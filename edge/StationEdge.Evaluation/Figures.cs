using System.Globalization;

namespace StationEdge.Evaluation;

/// <summary>
/// How the text output writes numbers: a value that rounds to zero has no sign ("0", never "-0" or "-+0"), signed
/// figures carry one sign, and a figure that makes a promise rounds the way that keeps it: a threshold or an upper
/// bound up, an accept rate or a lower bound down, an error rate up.
/// </summary>
public static class Figures
{
    /// <summary>Rounded to the nearest at <paramref name="decimals"/> places.</summary>
    public static string Fixed(double value, int decimals)
    {
        var text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.StartsWith('-') && text.AsSpan(1).TrimStart("0.").IsEmpty ? text[1..] : text;
    }

    /// <summary>"+3", "-2", and "0" for anything that rounds to zero.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "a signed figure, as the text prints it")]
    public static string Signed(double value, int decimals)
    {
        var text = Fixed(value, decimals);
        return value > 0 && text.AsSpan().TrimStart("0.").Length > 0 ? "+" + text : text;
    }

    /// <summary>The least value with <paramref name="decimals"/> places that is at least <paramref name="value"/>.</summary>
    public static double Up(double value, int decimals)
    {
        var scale = Math.Pow(10, decimals);
        var k = Math.Ceiling(value * scale);

        // value × scale is itself rounded, so the first guess can be one step off either way.
        while (k / scale < value)
        {
            k++;
        }

        while ((k - 1) / scale >= value)
        {
            k--;
        }

        return k / scale;
    }

    /// <summary>The greatest value with <paramref name="decimals"/> places that is at most <paramref name="value"/>.</summary>
    public static double Down(double value, int decimals) => -Up(-value, decimals);

    public static string UpText(double value, int decimals) => Fixed(Up(value, decimals), decimals);

    public static string DownText(double value, int decimals) => Fixed(Down(value, decimals), decimals);

    /// <summary>A rate as a percentage with <paramref name="decimals"/> places, rounded up (an error rate) or down (an accept rate).</summary>
    public static string Percent(double rate, int decimals, bool roundUp)
    {
        var rounded = roundUp ? Up(rate, decimals + 2) : Down(rate, decimals + 2);
        return Fixed(rounded * 100, decimals) + "%";
    }
}
