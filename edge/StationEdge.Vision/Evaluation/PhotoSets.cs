using StationEdge.Configuration;

namespace StationEdge.Vision.Evaluation;

/// <summary>One photo of a known person, in the order the set lists it (enrolment takes the first ones).</summary>
public sealed record LabelledPhoto(string Person, string Path);

/// <summary>
/// The photo sets a door simulation reads: a folder of <c>person/photo.jpg</c>, a pairs file (people are the groups its
/// same-person pairs join), or a CSV with header <c>photo,person</c> (paths relative to the CSV's folder).
/// </summary>
public static class PhotoSets
{
    /// <summary>A folder with one subfolder per person; photos in name order; hidden files and folders left out.</summary>
    public static IReadOnlyList<LabelledPhoto> FromFolder(string folder)
    {
        var people = Directory.GetDirectories(folder).Where(d => !System.IO.Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (people.Count == 0)
        {
            throw new PairsFileException($"{folder}: no person folders (expected {folder}/PERSON/PHOTO.jpg, or a pairs.csv in it)");
        }

        var photos = people
            .SelectMany(d => Directory.GetFiles(d).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)
                .Select(f => new LabelledPhoto(System.IO.Path.GetFileName(d), f)))
            .ToList();
        return photos.Count > 0 ? photos : throw new PairsFileException($"{folder}: the person folders hold no files");
    }

    /// <summary>
    /// People from a pairs file: photos joined by same-person pairs are one person (named after their first photo);
    /// a photo in no same-person pair is a person of its own. Photos in the order the file first names them.
    /// </summary>
    public static IReadOnlyList<LabelledPhoto> FromPairs(IReadOnlyList<PhotoPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var order = new List<string>();
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        string Root(string x)
        {
            while (parent[x] != x)
            {
                x = parent[x] = parent[parent[x]];
            }

            return x;
        }

        void Touch(string photo)
        {
            if (parent.TryAdd(photo, photo))
            {
                order.Add(photo);
            }
        }

        foreach (var pair in pairs)
        {
            Touch(pair.Left);
            Touch(pair.Right);
            if (pair.Same && Root(pair.Left) != Root(pair.Right))
            {
                // The earlier-named photo's group gives the name, so names do not depend on the pair order within a group.
                var (a, b) = (Root(pair.Left), Root(pair.Right));
                var keep = order.IndexOf(a) <= order.IndexOf(b) ? a : b;
                parent[keep == a ? b : a] = keep;
            }
        }

        return order.Select(p => new LabelledPhoto(System.IO.Path.GetFileNameWithoutExtension(Root(p)), p)).ToList();
    }

    /// <summary>A CSV with header <c>photo,person</c>; paths relative to its folder.</summary>
    public static IReadOnlyList<LabelledPhoto> FromCsv(string csvPath)
    {
        if (FileInspector.NotRegularReason(csvPath) is { } notRegular)
        {
            throw new PairsFileException($"{csvPath}: {notRegular}");
        }

        if (!File.Exists(csvPath))
        {
            throw new PairsFileException($"{csvPath}: file not found");
        }

        var baseDir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(csvPath))!;
        using var reader = new StreamReader(csvPath);
        var header = reader.ReadLine()?.TrimStart('\uFEFF');
        if (header is null || header.Any(c => c == '\uFFFD' || (char.IsControl(c) && c != '\t')))
        {
            throw new PairsFileException($"{csvPath}:1: {(header is null ? "empty file" : "binary content, not a CSV text file")}; expected the header photo,person");
        }

        var columns = PairsFile.SplitCsv(header).Select(c => c.Trim().ToLowerInvariant()).ToList();
        int photo = columns.IndexOf("photo"), person = columns.IndexOf("person");
        if (photo < 0 || person < 0)
        {
            throw new PairsFileException($"{csvPath}:1: header is '{(header.Length > 60 ? header[..60] + "…" : header)}', expected columns photo,person");
        }

        var photos = new List<LabelledPhoto>();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var cells = PairsFile.SplitCsv(text);
            if (cells.Count <= Math.Max(photo, person) || cells[photo].Trim().Length == 0 || cells[person].Trim().Length == 0)
            {
                throw new PairsFileException($"{csvPath}:{line}: expected a photo path and a person name");
            }

            photos.Add(new LabelledPhoto(cells[person].Trim(), System.IO.Path.GetFullPath(cells[photo].Trim(), baseDir)));
        }

        return photos.Count > 0 ? photos : throw new PairsFileException($"{csvPath}: no photos after the header");
    }
}
