using System.Formats.Tar;
using System.IO.Compression;

namespace StationEdge.ModelTools.Supply;

/// <summary>Reads chosen members out of an npm .tgz without unpacking the rest (the ORT tarball is 110 MB).</summary>
internal static class TarballExtractor
{
    public static Dictionary<string, byte[]> Extract(string tarballPath, IReadOnlySet<string> members)
    {
        var found = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var file = File.OpenRead(tarballPath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (found.Count < members.Count && reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null || !members.Contains(entry.Name))
            {
                continue;
            }

            using var buffer = new MemoryStream();
            entry.DataStream.CopyTo(buffer);
            found[entry.Name] = buffer.ToArray();
        }

        return found;
    }
}
