namespace StationEdge.Access;

/// <summary><c>Access:UnknownFacesFolder</c>: a folder of face images, so its owner's alone (0700), and kept only <c>Access:UnknownFacesRetentionDays</c>.</summary>
public static class UnknownFaces
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the folder 0700, or narrows an existing one to 0700 (face images are personal data).</summary>
    public static void EnsurePrivate(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        Directory.CreateDirectory(folder, Private);
        if (File.GetUnixFileMode(folder) != Private)
        {
            File.SetUnixFileMode(folder, Private);
        }
    }

    /// <summary>Deletes the unknown faces (<c>unknown-*.jpg</c>) last written before <paramref name="cutoff"/>; returns how many.</summary>
    public static int DeleteOlderThan(string folder, DateTimeOffset cutoff)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        EnsurePrivate(folder);
        var deleted = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("unknown-*.jpg"))
        {
            if (file.LastWriteTimeUtc < cutoff.UtcDateTime)
            {
                file.Delete();
                deleted++;
            }
        }

        return deleted;
    }
}
