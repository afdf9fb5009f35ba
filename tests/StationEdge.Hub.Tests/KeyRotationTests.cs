using StationEdge.Store;
using StationEdge.Sync.Contracts;
using HubProgram = StationEdge.Hub.Cli.Program;

namespace StationEdge.Hub.Tests;

/// <summary>
/// The county's signing key rotated end to end: <c>county-hub keys rotate</c> and <c>--commit</c> in process, the hub
/// as <c>county-hub run</c> builds it, two real stations (SQLite stores, the real agent), Mosquitto and PostgreSQL.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeyRotationTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Keys_rotate_reaches_every_station_commit_waits_for_all_of_them_and_the_restarted_hub_moves_them_to_the_next_key()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await using (var db = new HubDatabase(bed.Database))
        {
            await db.AddStationAsync(new StationRow("A", TestBed.County, "东站"));
            await db.AddStationAsync(new StationRow("B", TestBed.County, "西站"));
            // Registered, never online: it cannot take the next key.
            await db.AddStationAsync(new StationRow("C", TestBed.County, "北站"));
        }

        var hub = await bed.StartHubAsync();
        var a = await bed.StartStationAsync("A", withGallery: true);
        var b = await bed.StartStationAsync("B", withGallery: true);
        await WaitForAsync(async () => await bed.CountAsync("SELECT count(*) FROM stations WHERE online") == 2, "A and B online at the hub");

        var early = await CliAsync(bed, "command", "rotate_keys", "A");
        Assert.Equal(2, early.Code);
        Assert.Contains("county-hub keys rotate makes it", early.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, (await CliAsync(bed, "keys", "rotate", "--force")).Code);

        var rotate = await CliAsync(bed, "keys", "rotate", "--reason", "yearly rotation");
        Assert.Equal(0, rotate.Code);
        var nextFile = bed.SigningKeyFile + ".next";
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(nextFile));
        using var next = CountySigner.FromPem(File.ReadAllText(nextFile));
        Assert.Contains($"rotate_keys sent to 3 station(s), signed with key {bed.Signer.KeyId}", rotate.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, await bed.CountAsync("SELECT count(*) FROM county_commands WHERE type = 'rotate_keys' AND published_at IS NOT NULL"));
        await WaitForAsync(async () => await bed.CountAsync("SELECT count(*) FROM events WHERE type = 'command_done'") == 2, "A and B answered command_done");
        foreach (var s in new[] { a, b })
        {
            Assert.Contains(await s.Store.ListAuditAsync(), e => e.Action == "county_key.next" && e.Target == next.KeyId);
        }

        // C never took the key: committing would cut it off, so it is refused naming C, and nothing moves.
        var refused = await CliAsync(bed, "keys", "rotate", "--commit");
        Assert.Equal(2, refused.Code);
        Assert.Contains($"1 station(s) have not taken key {next.KeyId}: C ", refused.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(nextFile));
        using (var still = CountySigner.FromPem(File.ReadAllText(bed.SigningKeyFile)))
        {
            Assert.Equal(bed.Signer.KeyId, still.KeyId);
        }

        // Sent again, the same next key (not a new one): the stations that took it stay right.
        var again = await CliAsync(bed, "keys", "rotate");
        Assert.Equal(0, again.Code);
        Assert.Contains("sent again", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(next.KeyId, CountySigner.FromPem(File.ReadAllText(nextFile)).KeyId);

        var commit = await CliAsync(bed, "keys", "rotate", "--commit", "--force");
        Assert.Equal(0, commit.Code);
        Assert.Contains("forced: C did not take it", commit.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(nextFile));
        using (var now = CountySigner.FromPem(File.ReadAllText(bed.SigningKeyFile)))
        {
            Assert.Equal(next.KeyId, now.KeyId);
        }

        using (var published = CountyVerifier.FromPem(File.ReadAllText(bed.SigningKeyFile + ".pub")))
        {
            Assert.Equal(next.KeyId, published.KeyId);
        }

        var retired = $"{bed.SigningKeyFile}.retired-{bed.Signer.KeyId}";
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(retired));

        // The restarted hub signs with the next key; its roster head at connect moves both stations to it.
        await bed.StopHubAsync(hub);
        await bed.StartHubAsync();
        foreach (var s in new[] { a, b })
        {
            await WaitForAsync(async () => (await s.Store.ListAuditAsync()).Any(e => e.Action == "county_key.rotated" && e.Target == next.KeyId), $"{s.Id} moved to the next key");
        }

        // A roster change signed by the next key reaches B.
        await a.Store.EnrollAsync(new NewWorker { Id = "L1", Name = "本站", ConsentVersion = "v2" }, [], new KeeperContext("站长", "cli"));
        await WaitForAsync(async () => await b.Store.GetWorkerAsync("L1") is not null, "L1 at B under the next key");
        var unlock = await CliAsync(bed, "command", "unlock", "A", "--by", "李主任", "--reason", "after the rotation");
        Assert.Equal(0, unlock.Code);
        Assert.Contains($"signed with key {next.KeyId}", unlock.Stdout, StringComparison.Ordinal);
        await WaitForAsync(() => Task.FromResult(a.Control!.Unlocks.Contains("李主任")), "A opened for a command signed by the next key");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> CliAsync(TestBed bed, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HubProgram.RunAsync([.. args, "--config", bed.HubConfigFile()], stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Bound.TotalSeconds:0} s: {what}");
            await Task.Delay(100);
        }
    }
}
