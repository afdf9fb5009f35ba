namespace StationEdge.Tests.Shared;

/// <summary>
/// A temporary folder that a test removes when it is done. Shared by the test projects (linked in by
/// Directory.Build.props), so each does not keep its own copy.
/// </summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "stationedge-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A FIFO (named pipe) named <paramref name="name"/> in the folder, made by mkfifo(1); its path.</summary>
    public string Fifo(string name)
    {
        var path = File(name);
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, $"mkfifo {path} failed ({mkfifo.ExitCode})");
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open in a child process (ffmpeg killed on a timeout) must not fail the test that passed.
        }
    }
}
