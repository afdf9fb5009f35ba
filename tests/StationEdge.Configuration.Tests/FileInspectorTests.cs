using System.Diagnostics;

namespace StationEdge.Configuration.Tests;

public sealed class FileInspectorTests
{
    [Fact]
    public void RegularFile_IsRegular_AndMayBeRead()
    {
        using var folder = new TempFolder();
        var path = folder.File("photo.jpg");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal(FileKind.Regular, FileInspector.KindOf(path));
        Assert.Null(FileInspector.NotRegularReason(path));
    }

    [Fact]
    public async Task Fifo_IsNamedAsOne_WithoutBlocking()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("pipe");
        using (var mkfifo = Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        // Opening it for reading would block this thread until a writer came: the check must not open it.
        var inspect = Task.Run(() => FileInspector.NotRegularReason(fifo));
        Assert.Same(inspect, await Task.WhenAny(inspect, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal("is a FIFO, not a regular file", await inspect);
    }

    [Theory]
    [InlineData("/dev/zero", FileKind.CharacterDevice, "is a character device, not a regular file")]
    [InlineData("/tmp", FileKind.Directory, "is a directory, not a regular file")]
    public void NonRegularPaths_AreNamedByKind(string path, FileKind kind, string reason)
    {
        Assert.Equal(kind, FileInspector.KindOf(path));
        Assert.Equal(reason, FileInspector.NotRegularReason(path));
    }

    [Fact]
    public void MissingFile_IsUnknown_AndLeftToTheOpenToReport()
    {
        Assert.Equal(FileKind.Unknown, FileInspector.KindOf("/nonexistent/station.json"));
        Assert.Null(FileInspector.NotRegularReason("/nonexistent/station.json"));
    }

    [Fact]
    public void TwoPathsToOneFile_HaveOneIdentity_AndACopyAnother()
    {
        using var folder = new TempFolder();
        var path = folder.File("a.jpg");
        File.WriteAllBytes(path, [1]);
        var link = folder.File("b.jpg");
        File.CreateSymbolicLink(link, path);
        var copy = folder.File("c.jpg");
        File.Copy(path, copy);

        Assert.Equal(FileInspector.Inspect(path).Identity, FileInspector.Inspect(link).Identity);
        Assert.NotEqual(FileInspector.Inspect(path).Identity, FileInspector.Inspect(copy).Identity);
    }

    [Fact]
    public void Owner_IsTheUserIdOwningThePath_OrNullWhenMissing()
    {
        using var folder = new TempFolder();
        var path = folder.File("station.db");
        File.WriteAllBytes(path, [1]);
        using var id = Process.Start(new ProcessStartInfo("id", "-u") { RedirectStandardOutput = true })!;
        var uid = uint.Parse(id.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        id.WaitForExit();

        Assert.Equal(uid, FileInspector.OwnerOf(path));
        Assert.Equal(0u, FileInspector.OwnerOf("/etc/passwd"));
        Assert.Null(FileInspector.OwnerOf("/nonexistent/station.db"));
    }
}
