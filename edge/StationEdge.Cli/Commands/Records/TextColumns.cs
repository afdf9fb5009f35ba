using System.Text;

namespace StationEdge.Cli.Commands.Records;

/// <summary>
/// Rows as aligned columns for a terminal. Chinese names take two columns per character on screen, so cells are
/// padded by display width (East Asian wide and fullwidth characters count two), not by string length.
/// </summary>
internal static class TextColumns
{
    private static readonly (int First, int Last)[] Wide =
    [
        (0x1100, 0x115F), (0x2E80, 0x303E), (0x3041, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xA000, 0xA4CF),
        (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFF60), (0xFFE0, 0xFFE6), (0x20000, 0x3FFFD),
    ];

    /// <summary>The header and the rows, columns two spaces apart; the last column is not padded.</summary>
    public static void Write(TextWriter output, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = header.Select(Width).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], Width(row[i]));
            }
        }

        foreach (var row in rows.Prepend(header))
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Count; i++)
            {
                line.Append(row[i]);
                if (i < row.Count - 1)
                {
                    line.Append(' ', widths[i] - Width(row[i]) + 2);
                }
            }

            output.WriteLine(line.ToString().TrimEnd());
        }
    }

    /// <summary>Columns <paramref name="text"/> takes on a terminal.</summary>
    public static int Width(string text)
    {
        var width = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            width += Wide.Any(r => rune.Value >= r.First && rune.Value <= r.Last) ? 2 : 1;
        }

        return width;
    }
}
