using System.Diagnostics;

namespace StationEdge.Cli.Tests.Records;

/// <summary>
/// --data and $STATIONEDGE_DATA on the published executable: the record commands read or change an existing
/// station, so a missing folder or database, or a FIFO or file in their place, is exit 2 naming it, and nothing is
/// created (a FIFO is never opened, so nothing can hang).
/// </summary>
public sealed class DataFolderTests : IDisposable
{
    public static readonly TheoryData<string[]> Commands = new()
    {
        new[] { "workers", "list" },
        new[] { "workers", "suspend", "W001" },
        new[] { "visits" },
        new[] { "store", "check" },
        new[] { "store", "recover" },
        new[] { "reembed" },
    };

    private static readonly Dictionary<string, string?> NoDataVariable = new() { ["STATIONEDGE_DATA"] = null };

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task MissingDataFolder_ExitsTwoNamingIt_AndCreatesNothing(string[] command)
    {
        var data = _folder.File("nowhere");

        var result = await CliRunner.PublishedAsync([.. command, "--data", data], NoDataVariable);

        result.AssertOneLineError(2,
            $"station-edge: {command[0]}: the data folder {data} (--data) does not exist: point --data or $STATIONEDGE_DATA at the station's data folder");
        Assert.False(Directory.Exists(data));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task FifoAsDataFolder_ExitsTwoAtOnceSayingWhatItIs(string[] command)
    {
        var fifo = _folder.Fifo("data");

        var result = await CliRunner.PublishedAsync([.. command, "--data", fifo], NoDataVariable);

        result.AssertOneLineError(2, $"station-edge: {command[0]}: the data folder {fifo} (--data) is a FIFO, not a folder");
    }

    [Fact]
    public async Task FileAsDataFolder_ExitsTwoSayingWhatItIs()
    {
        var file = _folder.File("station.db");
        File.WriteAllText(file, "");

        var result = await CliRunner.PublishedAsync(["visits", "--data", file], NoDataVariable);

        result.AssertOneLineError(2, $"station-edge: visits: the data folder {file} (--data) is a file, not a folder");
    }

    [Fact]
    public async Task FolderWithoutADatabase_ExitsTwo_AndNoDatabaseIsCreated()
    {
        var result = await CliRunner.PublishedAsync(["workers", "list", "--data", _folder.Path], NoDataVariable);

        result.AssertOneLineError(2, $"station-edge: workers: the data folder {_folder.Path} (--data) holds no station database (station.db is missing)");
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task DatabaseThatIsAFifo_ExitsTwoAtOnceNamingIt()
    {
        var fifo = _folder.Fifo("station.db");

        var result = await CliRunner.PublishedAsync(["store", "check", "--data", _folder.Path], NoDataVariable);

        result.AssertOneLineError(2, $"station-edge: store: {fifo}: is a FIFO, not a regular file");
    }

    [Fact]
    public async Task DataVariable_NamesTheFolder_WhenThereIsNoDataFlag()
    {
        using var station = new StationData();
        await station.SeedAsync(visits: 3);
        var missing = _folder.File("gone");

        var found = await CliRunner.PublishedAsync(["visits", "--json"], new Dictionary<string, string?> { ["STATIONEDGE_DATA"] = station.DataPath });
        var notFound = await CliRunner.PublishedAsync(["visits"], new Dictionary<string, string?> { ["STATIONEDGE_DATA"] = missing });

        Assert.True(found.Exit == 0, found.Stderr);
        Assert.Equal(3, found.Json().GetArrayLength());
        notFound.AssertOneLineError(2, $"station-edge: visits: the data folder {missing} ($STATIONEDGE_DATA) does not exist");
    }

    [Fact]
    public async Task UnknownWorker_OnThePublishedExecutable_ExitsTwo()
    {
        using var station = new StationData();
        await station.SeedAsync(visits: 0);

        var result = await CliRunner.PublishedAsync(["workers", "delete", "W404", .. station.DataArgs]);

        result.AssertOneLineError(2, "station-edge: workers: no worker W404 is enrolled");
        Assert.Equal(3, station.Sql("SELECT count(*) FROM workers"));
    }

    [Fact]
    public async Task KeeperDefault_IsTheUserWhoRanSudo_ElseTheOsUser()
    {
        using var station = new StationData();
        await station.SeedAsync(visits: 0);

        var viaSudo = await CliRunner.PublishedAsync(["workers", "suspend", "W001", .. station.DataArgs], new Dictionary<string, string?> { ["SUDO_USER"] = "pi" });
        var direct = await CliRunner.PublishedAsync(["workers", "resume", "W001", .. station.DataArgs], new Dictionary<string, string?> { ["SUDO_USER"] = null });

        Assert.True(viaSudo.Exit == 0 && direct.Exit == 0, viaSudo.Stderr + direct.Stderr);
        Assert.Equal("pi", station.Scalar("SELECT keeper FROM audit WHERE action = 'worker.suspend' AND target = 'W001'"));
        Assert.Equal(Environment.UserName, station.Scalar("SELECT keeper FROM audit WHERE action = 'worker.resume'"));
        Assert.EndsWith("(was active; recorded as pi)", viaSudo.Stdout.TrimEnd(), StringComparison.Ordinal);
    }

    [RootFact]
    public async Task AsRoot_ADataFolderOwnedByTheServiceUser_IsRefused_SoRootMakesNoFileTheDaemonCannotOpen()
    {
        using var station = new StationData();
        await station.SeedAsync(visits: 1);
        using (var chown = Process.Start("chown", ["-R", "65534", station.DataPath]))
        {
            await chown.WaitForExitAsync();
            Assert.Equal(0, chown.ExitCode);
        }

        var before = Directory.GetFileSystemEntries(station.DataPath).Order().ToList();

        var result = await CliRunner.PublishedAsync(["store", "recover", .. station.DataArgs]);

        var user = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f[2] == "65534")?[0] ?? "'#65534'";
        result.AssertOneLineError(2,
            $"station-edge: store: the data folder {station.DataPath} belongs to {user}, and files root makes in it would lock the daemon out: run the command as {user} (sudo -u {user} station-edge store …)");
        Assert.Equal(before, Directory.GetFileSystemEntries(station.DataPath).Order());
    }

}

/// <summary>A fact that needs root (to give a folder to another user): skipped, saying so, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root, to give the data folder to another user";
        }
    }
}
