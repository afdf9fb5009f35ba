namespace StationEdge.Cli.Tests.Records;

/// <summary><c>keeper cert</c> writes key material only its owner can read, and refuses a data folder others may enter.</summary>
public sealed class KeeperCertTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task OverAnExistingWorldReadableFile_TheNewKeyIs0600()
    {
        var data = Directory.CreateDirectory(_folder.File("data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var pfx = Path.Combine(data, "keeper-site.pfx");
        File.WriteAllText(pfx, "an old certificate");
        File.SetUnixFileMode(pfx, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var result = await CliRunner.PublishedAsync(["keeper", "cert", "--data", data]);

        Assert.True(result.Exit == 0, result.Stderr);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(pfx));
        Assert.NotEqual("an old certificate", File.ReadAllText(pfx));
        Assert.Equal(["keeper-site.pfx"], Directory.GetFiles(data).Select(Path.GetFileName));
    }

    [Fact]
    public async Task InADataFolderOthersMayEnter_NothingIsWritten()
    {
        var data = Directory.CreateDirectory(_folder.File("open"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute).FullName;

        var result = await CliRunner.PublishedAsync(["keeper", "cert", "--data", data]);

        result.AssertOneLineError(2, $"station-edge: keeper: the data folder {data} is open to others (mode 0755): run chmod 700 {data}");
        Assert.Empty(Directory.GetFileSystemEntries(data));
    }
}
