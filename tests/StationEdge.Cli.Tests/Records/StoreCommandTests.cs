namespace StationEdge.Cli.Tests.Records;

/// <summary><c>store check|recover</c> on a real store, healthy and damaged by the test.</summary>
public sealed class StoreCommandTests : IAsyncLifetime, IDisposable
{
    private const int Visits = 600;
    private readonly StationData _station = new();

    public async Task InitializeAsync() => await _station.SeedAsync(Visits);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _station.Dispose();

    [Fact]
    public async Task Check_OfAHealthyStore_ExitsZero_WithTheCounts()
    {
        var text = await Run("store", "check");
        var json = await Run("store", "check", "--json");
        // The version the store itself migrated to, so a new migration does not break this test's wording check.
        int schema;
        await using (var store = await _station.OpenAsync())
            schema = store.SchemaVersion;

        Assert.Equal((0, ""), (text.Exit, text.Stderr));
        Assert.Equal($"{_station.DatabasePath}: healthy", text.StdoutLines[0]);
        Assert.Equal(
            $"  schema version {schema}; 3 workers, 4 templates, 0 crops, 600 visits, 0 door events, 0 passes, 4 in the audit log, 0 queued for the sync",
            text.StdoutLines[1]);
        Assert.Equal(2, text.StdoutLines.Length);
        Assert.True(json.Exit == 0, json.Stderr);
        var report = json.Json();
        Assert.Equal(
            ["database_path", "healthy", "schema_version", "counts", "unreadable_templates", "unreadable_crops", "problems", "database_damaged"],
            JsonKeys.Of(report));
        Assert.True(report.GetProperty("healthy").GetBoolean());
        Assert.Equal(schema, report.GetProperty("schema_version").GetInt32());
        Assert.Equal(Visits, report.GetProperty("counts").GetProperty("visits").GetInt32());
    }

    [Theory]
    [InlineData("page")]
    [InlineData("header")]
    public async Task Check_OfADamagedDatabase_ExitsThree_WithTheProblemsAndWhatToDo(string damage)
    {
        Damage(damage);
        var recover = $"station-edge store recover --data {_station.DataPath}";

        var result = await Run("store", "check");

        Assert.Equal(3, result.Exit);
        Assert.Matches($"^{_station.DatabasePath}: \\d+ problems?$", result.StdoutLines[0]);
        Assert.Contains(result.StdoutLines, l => l.StartsWith("  problem: ", StringComparison.Ordinal));
        Assert.Equal($"what to do: stop the daemon (systemctl stop station-edge), run '{recover}' (it keeps a copy of the damaged files), then start it again", result.StdoutLines[^1]);
        var error = Assert.Single(result.StderrLines);
        Assert.Matches($"^station-edge: store: {_station.DatabasePath} is damaged \\(\\d+ problems?\\): stop the daemon and run '{recover}'$", error);
    }

    [Fact]
    public async Task Check_WithTheDeviceKeyMissing_ExitsThreeNamingTheKey_NotAsDamage()
    {
        var key = Path.Combine(_station.DataPath, "device.key");
        File.Delete(key);

        var result = await Run("store", "check", "--json");

        Assert.Equal(3, result.Exit);
        Assert.False(result.Json().GetProperty("database_damaged").GetBoolean());
        Assert.StartsWith($"station-edge: store: {_station.DatabasePath} has 1 problem: device key {key} is missing", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recover_AfterADamagedVisitsPage_ThenVisits_ShowsTheRowsKept()
    {
        var seq300 = (string)_station.Scalar("SELECT id FROM visits WHERE seq = 300")!;
        _station.DamagePageHolding(seq300);
        var damaged = await File.ReadAllBytesAsync(_station.DatabasePath);
        Assert.Equal(3, (await Run("visits")).Exit);

        var recover = await Run("store", "recover", "--json");
        var visits = await Run("visits", "--limit", "100000", "--json");
        var check = await Run("store", "check");

        Assert.True(recover.Exit == 0, recover.Stderr);
        var report = recover.Json();
        var table = report.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "visits");
        var kept = table.GetProperty("recovered").GetInt32();
        Assert.InRange(kept, Visits - 80, Visits - 1);
        Assert.True(table.GetProperty("unreadable_stretches").GetInt32() >= 1);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(Path.Combine(report.GetProperty("damaged_copy_folder").GetString()!, "station.db")));
        Assert.True(visits.Exit == 0, visits.Stderr);
        var seqs = visits.Json().EnumerateArray().Select(v => v.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(kept, seqs.Count);
        Assert.Contains(1L, seqs);
        Assert.Contains((long)Visits, seqs);
        Assert.DoesNotContain(300L, seqs);
        Assert.Equal((0, ""), (check.Exit, check.Stderr));
    }

    [Fact]
    public async Task Recover_Text_SaysWhereTheDamagedFilesAre_WhatWasKept_AndWhatNext()
    {
        Damage("header");

        var result = await Run("store", "recover");

        Assert.True(result.Exit == 0, result.Stderr);
        var lines = result.StdoutLines;
        Assert.Equal($"{_station.DatabasePath} rebuilt", lines[0]);
        Assert.Matches($"^  the damaged files, untouched: {_station.DataPath}/broken-\\d{{8}}T\\d{{6}}Z \\(station.db\\)$", lines[1]);
        Assert.Equal("  the file header was damaged and was rewritten", lines[2]);
        Assert.Matches("^  TABLE +ROWS KEPT +UNREADABLE STRETCHES \\(rows in them lost\\)$", lines[3]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^  visits +600 +0$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^  workers +3 +0$"));
        Assert.Contains("  the next visit is number 601 or higher: no visit number is reused", lines);
        Assert.Equal($"next: station-edge store check --data {_station.DataPath}, then start the daemon (systemctl start station-edge)", lines[^1]);
    }

    [Fact]
    public async Task Recover_WhileAnotherProcessHasTheStoreOpen_IsRefusedSayingSo_AndChangesNothing()
    {
        _station.DamageHeader();
        var before = await File.ReadAllBytesAsync(_station.DatabasePath);

        // The daemon's stand-in: this test process holds the store's shared lock, as an open StationStore does.
        await using (var daemon = new FileStream(Path.Combine(_station.DataPath, "station.lock"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            var result = await CliRunner.PublishedAsync(["store", "recover", .. _station.DataArgs]);

            result.AssertOneLineError(3,
                $"station-edge: store: {_station.DatabasePath} is open in another process (is station-edge run active? stop it first: systemctl stop station-edge)");
        }

        Assert.Empty(Directory.GetDirectories(_station.DataPath));
        Assert.Equal(before, await File.ReadAllBytesAsync(_station.DatabasePath));
    }

    [Theory]
    [InlineData(new[] { "store" }, "store: say what to do: check, recover")]
    [InlineData(new[] { "store", "repair" }, "store: unknown subcommand 'repair' (try: check, recover)")]
    [InlineData(new[] { "store", "check", "--force" }, "store: unknown argument '--force'")]
    public async Task BadCommandLine_ExitsTwoWithOneLine(string[] args, string expected)
    {
        var result = await Run(args);

        Assert.Equal("station-edge: " + expected, result.AssertOneLineError(2, "store"));
    }

    private void Damage(string what)
    {
        if (what == "header")
        {
            _station.DamageHeader();
        }
        else
        {
            _station.DamagePageHolding((string)_station.Scalar("SELECT id FROM visits WHERE seq = 300")!);
        }
    }

    private Task<CliResult> Run(params string[] args) => CliRunner.InProcessAsync([.. args, .. _station.DataArgs]);
}
