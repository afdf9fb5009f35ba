using System.Text.Json;
using StationEdge.Broker;
using StationEdge.Sync.Contracts;
using HubProgram = StationEdge.Hub.Cli.Program;

namespace StationEdge.Hub.Tests;

/// <summary><c>county-hub</c>'s commands, in process (the same entry point as the published binary), against a real PostgreSQL.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder _folder = new("stationedge-hubcli-");

    [Fact]
    public async Task Help_version_and_an_unknown_command()
    {
        var help = await RunAsync("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("stations add ID --name NAME", help.Stdout, StringComparison.Ordinal);
        var version = await RunAsync("--version");
        Assert.Equal((0, "county-hub 0.2.0"), (version.Code, version.Stdout.Trim()));
        var stationsHelp = await RunAsync("stations", "--help");
        Assert.Contains("Hub:MosquittoPasswordFile", stationsHelp.Stdout, StringComparison.Ordinal);
        var unknown = await RunAsync("frobnicate");
        Assert.Equal((2, "county-hub: frobnicate: unknown command (try: county-hub --help)"), (unknown.Code, unknown.Stderr.Trim()));
    }

    [Fact]
    public async Task A_bad_configuration_is_one_line_naming_the_key_or_file()
    {
        var typo = await RunAsync("migrate", "--config", Config(new() { ["Databse"] = "x", ["County"] = "c1" }));
        Assert.Equal(2, typo.Code);
        Assert.Contains("Hub:Databse is not a known key", typo.Stderr, StringComparison.Ordinal);
        Assert.Single(typo.Stderr.Trim().Split('\n'));

        var section = _folder.File("section.json");
        File.WriteAllText(section, """{"Hub": {"County": "c1"}, "Hubb": {}}""");
        Assert.Contains("'Hubb' is not a known section", (await RunAsync("migrate", "--config", section)).Stderr, StringComparison.Ordinal);

        var missing = await RunAsync("migrate", "--config", _folder.File("nope.json"));
        Assert.Equal(2, missing.Code);
        Assert.Contains(_folder.File("nope.json"), missing.Stderr, StringComparison.Ordinal);

        var broker = await RunAsync("run", "--config", Config(new() { ["Database"] = "Host=127.0.0.1;Port=1", ["County"] = "c1", ["Broker"] = "http://x:1" }));
        Assert.Equal(2, broker.Code);
        Assert.Contains("Hub:Broker must be mqtt://host:port", broker.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_is_a_fault_naming_where()
    {
        var port = LoopbackPort.Free();
        var result = await RunAsync("migrate", "--config", Config(new() { ["Database"] = $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2", ["County"] = "c1" }));
        Assert.Equal(3, result.Code);
        Assert.StartsWith($"county-hub: migrate: PostgreSQL at 127.0.0.1:{port} (Hub:Database):", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_applies_the_schema_once()
    {
        var config = Config(new() { ["Database"] = await pg.NewDatabaseAsync(), ["County"] = "c1" });
        var first = await RunAsync("migrate", "--config", config);
        Assert.Equal((0, $"schema migrated from version 0 to {HubDatabase.LatestVersion}"), (first.Code, first.Stdout.Trim()));
        var second = await RunAsync("migrate", "--config", config);
        Assert.Equal((0, $"schema at version {HubDatabase.LatestVersion}; nothing to do"), (second.Code, second.Stdout.Trim()));
    }

    [Fact]
    public async Task Stations_add_prints_the_password_once_and_writes_the_brokers_line_and_acl_block()
    {
        var database = await pg.NewDatabaseAsync();
        var config = Config(new()
        {
            ["Database"] = database,
            ["County"] = "c1",
            ["MosquittoPasswordFile"] = _folder.File("passwd"),
            ["MosquittoAclFile"] = _folder.File("acl"),
        });
        Assert.Equal(0, (await RunAsync("migrate", "--config", config)).Code);

        var add = await RunAsync("stations", "add", "S1", "--name", "骑手之家 东门", "--address", "东门路 1 号", "--lat", "30.25", "--lon", "120.16", "--hours", "06:00-22:00", "--config", config, "--json");
        Assert.Equal(0, add.Code);
        var answer = JsonDocument.Parse(add.Stdout).RootElement;
        var password = answer.GetProperty("password").GetString()!;
        Assert.Equal("st-S1", answer.GetProperty("username").GetString());
        var line = Assert.Single(File.ReadAllLines(_folder.File("passwd")));
        Assert.StartsWith("st-S1:$7$", line, StringComparison.Ordinal);
        Assert.True(MosquittoPassword.Matches(line, password), "the password file's line accepts the printed password");
        Assert.False(MosquittoPassword.Matches(line, password + "x"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.File("passwd")));
        var acl = File.ReadAllText(_folder.File("acl"));
        Assert.Contains("user st-S1\n", acl, StringComparison.Ordinal);
        Assert.Contains("topic write stations/S1/visits\n", acl, StringComparison.Ordinal);
        Assert.Contains("topic read counties/c1/roster\n", acl, StringComparison.Ordinal);

        await using (var db = new HubDatabase(database))
        {
            Assert.Equal(0, await db.CountAsync($"SELECT count(*) FROM stations WHERE mqtt_password_hash LIKE '%{password}%'"));
            Assert.Equal(1, await db.CountAsync("SELECT count(*) FROM stations WHERE id = 'S1' AND mqtt_password_hash LIKE '$7$%' AND lat = 30.25"));
        }

        var again = await RunAsync("stations", "add", "S1", "--name", "x", "--config", config);
        Assert.Equal((2, "county-hub: stations: station S1 is registered already (county-hub stations list)"), (again.Code, again.Stderr.Trim()));
        Assert.Single(File.ReadAllLines(_folder.File("passwd")));

        var badLat = await RunAsync("stations", "add", "S2", "--name", "x", "--lat", "91", "--lon", "0", "--config", config);
        Assert.Equal((2, "county-hub: stations: --lat must be a number from -90 to 90 (was '91')"), (badLat.Code, badLat.Stderr.Trim()));

        var list = await RunAsync("stations", "list", "--config", config, "--json");
        var station = Assert.Single(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray());
        Assert.Equal(("S1", "骑手之家 东门", false), (station.GetProperty("id").GetString(), station.GetProperty("name").GetString(), station.GetProperty("online").GetBoolean()));
        Assert.Contains("S1", (await RunAsync("stations", "list", "--config", config)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_init_writes_a_private_key_0600_and_never_replaces_it()
    {
        var config = Config(new() { ["County"] = "c1", ["SigningKeyFile"] = _folder.File("county.key") });
        var init = await RunAsync("keys", "init", "--config", config);
        Assert.Equal(0, init.Code);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.File("county.key")));
        using var signer = CountySigner.FromPem(File.ReadAllText(_folder.File("county.key")));
        using var verifier = CountyVerifier.FromPem(File.ReadAllText(_folder.File("county.key.pub")));
        Assert.Equal(signer.KeyId, verifier.KeyId);
        Assert.Contains(signer.KeyId, init.Stdout, StringComparison.Ordinal);

        var again = await RunAsync("keys", "init", "--config", config);
        Assert.Equal(2, again.Code);
        Assert.Contains("exists already", again.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_stores_a_stations_visits_and_prints_one_line_per_batch()
    {
        await using var bed = await TestBed.StartAsync(pg);
        var config = Config(new()
        {
            ["Database"] = bed.Database,
            ["Broker"] = bed.Broker.Uri,
            ["County"] = TestBed.County,
            ["Username"] = "hub",
            ["PasswordFile"] = bed.Folder.File("hub-password"),
            ["ClientId"] = "hub-cli",
        });
        // The first batches go before the hub's session exists (the broker drops them): a short ack timeout resends.
        var a = await bed.StartStationAsync("A", ackTimeoutSeconds: 3);
        await a.MakeVisitsAsync(120);
        using var stop = new CancellationTokenSource();
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var run = HubProgram.RunAsync(["run", "--config", config], stdout, stderr, stop.Token);
        await bed.WaitForAllAsync(120, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));

        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches(@"^stored (\d+|\d+ of \d+) visits .*from A \(seq \d+-\d+\), \d+ ms after the first was made; acked \d+$", l));
        var stored = lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^stored (\d+)")).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(120, stored);
        Assert.Contains(lines, l => l.EndsWith("acked 120", StringComparison.Ordinal));
        Assert.Equal(120, await bed.CountAsync("SELECT count(*) FROM visits"));
    }

    public void Dispose() => _folder.Dispose();

    private string Config(Dictionary<string, string> hub)
    {
        var path = _folder.File($"hub-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["Hub"] = hub }));
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await HubProgram.RunAsync(args, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
