using StationEdge.Configuration;

namespace StationEdge.Vision.Evaluation;

/// <summary>One row of a pairs file: two photos and whether they show the same person.</summary>
public sealed record PhotoPair(int Line, string Left, string Right, bool Same);

/// <summary>The format error in a pairs file, with the line it is on.</summary>
public sealed class PairsFileException(string message) : Exception(message);

/// <summary>
/// Pairs files (the design's contract): CSV with header <c>left,right,same</c>; paths relative to the CSV's folder
/// unless an images folder is given; <c>same</c> is 1 or 0.
/// </summary>
public static class PairsFile
{
    public static IReadOnlyList<PhotoPair> Load(string csvPath, string? imagesDir = null)
    {
        // Checked before opening: opening a FIFO to read would wait for a writer that may never come.
        if (FileInspector.NotRegularReason(csvPath) is { } notRegular)
        {
            throw new PairsFileException($"{csvPath}: {notRegular}");
        }

        if (!File.Exists(csvPath))
        {
            throw new PairsFileException($"{csvPath}: pairs file not found");
        }

        var baseDir = imagesDir ?? Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        using var reader = new StreamReader(csvPath);
        return Parse(reader, csvPath, baseDir);
    }

    public static IReadOnlyList<PhotoPair> Parse(TextReader reader, string source, string baseDir)
    {
        var header = reader.ReadLine()?.TrimStart('\uFEFF');
        if (header is null)
        {
            throw new PairsFileException($"{source}: empty file, expected the header left,right,same");
        }

        if (header.Any(c => c == '\uFFFD' || (char.IsControl(c) && c != '\t')))
        {
            // A photo passed as the pairs file: say so instead of printing its bytes.
            throw new PairsFileException($"{source}:1: binary content, not a CSV text file; expected the header left,right,same");
        }

        var columns = SplitCsv(header).Select(c => c.Trim().ToLowerInvariant()).ToList();
        int left = columns.IndexOf("left"), right = columns.IndexOf("right"), same = columns.IndexOf("same");
        if (left < 0 || right < 0 || same < 0)
        {
            throw new PairsFileException($"{source}:1: header is '{Excerpt(header)}', expected columns left,right,same");
        }

        var pairs = new List<PhotoPair>();
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = SplitCsv(line);
            if (cells.Count <= Math.Max(left, Math.Max(right, same)))
            {
                throw new PairsFileException($"{source}:{lineNo}: expected {columns.Count} columns, found {cells.Count}");
            }

            var flag = cells[same].Trim();
            bool isSame = flag switch
            {
                "1" => true,
                "0" => false,
                _ => throw new PairsFileException($"{source}:{lineNo}: 'same' must be 1 or 0, found '{flag}'"),
            };
            string l = cells[left].Trim(), r = cells[right].Trim();
            if (l.Length == 0 || r.Length == 0)
            {
                throw new PairsFileException($"{source}:{lineNo}: empty photo path");
            }

            pairs.Add(new PhotoPair(lineNo, Path.GetFullPath(l, baseDir), Path.GetFullPath(r, baseDir), isSame));
        }

        if (pairs.Count == 0)
        {
            throw new PairsFileException($"{source}: no pairs after the header");
        }

        return pairs;
    }

    /// <summary>At most 60 characters of a line, so a long wrong header still gives a one-line error.</summary>
    private static string Excerpt(string line) => line.Length > 60 ? line[..60] + "…" : line;

    internal static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
