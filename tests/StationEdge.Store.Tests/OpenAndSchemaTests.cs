using Microsoft.Data.Sqlite;
using StationEdge.Store.Sqlite;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class OpenAndSchemaTests
{
    [Fact]
    public async Task NewDatabase_IsWal_AtTheLatestSchema_AndEveryConnectionHasTheStoreSettings()
    {
        await using var test = await TestStore.OpenAsync(o => o.BusyTimeoutMs = 2500);
        Assert.Equal(Schema.LatestVersion, test.Store.SchemaVersion);

        using (var raw = test.Raw())
        {
            using var mode = raw.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", mode.ExecuteScalar());
            Assert.Equal(Schema.ApplicationId, TestStore.Scalar(raw, "PRAGMA application_id"));
        }

        using var db = new StoreDatabase(test.DataPath, test.DatabasePath, 2500);
        for (var i = 0; i < 3; i++)
        {
            await using var connection = await db.OpenAsync(CancellationToken.None);
            Assert.Equal(1, TestStore.Scalar(connection, "PRAGMA synchronous"));
            Assert.Equal(1, TestStore.Scalar(connection, "PRAGMA foreign_keys"));
            Assert.Equal(2500, TestStore.Scalar(connection, "PRAGMA busy_timeout"));
        }
    }

    [Fact]
    public async Task Migrations_ApplyOnlyThePendingSteps_InOrder_KeepingRows()
    {
        using var folder = new TempFolder();
        await using var connection = new SqliteConnection($"Data Source={folder.File("m.db")};Pooling=False");
        await connection.OpenAsync();
        Migration[] v1 = [new(1, "t", "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (7)")];
        Migration[] v3 = [.. v1, new(2, "add b", "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'"), new(3, "index", "CREATE INDEX t_b ON t (b)")];

        Assert.Equal([1], await Schema.MigrateAsync(connection, "m.db", v1, CancellationToken.None));
        Assert.Equal([2, 3], await Schema.MigrateAsync(connection, "m.db", v3, CancellationToken.None));
        Assert.Empty(await Schema.MigrateAsync(connection, "m.db", v3, CancellationToken.None));

        Assert.Equal(3, TestStore.Scalar(connection, "PRAGMA user_version"));
        Assert.Equal(7, TestStore.Scalar(connection, "SELECT a FROM t WHERE b = 'x'"));
    }

    [Fact]
    public async Task FailingMigrationStep_RollsBackEveryPendingStep_AndTheVersionStays()
    {
        using var folder = new TempFolder();
        await using var connection = new SqliteConnection($"Data Source={folder.File("m.db")};Pooling=False");
        await connection.OpenAsync();
        Migration[] steps = [new(1, "t", "CREATE TABLE t (a INTEGER)"), new(2, "broken", "CREATE TABLE u (a INTEGER); INSERT INTO nowhere VALUES (1)")];

        await Assert.ThrowsAsync<SqliteException>(() => Schema.MigrateAsync(connection, "m.db", steps, CancellationToken.None));

        Assert.Equal(0, TestStore.Scalar(connection, "PRAGMA user_version"));
        Assert.Equal(0, TestStore.Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE name IN ('t', 'u')"));
    }

    [Fact]
    public async Task Upgrade_KeepsACopyOfTheOldDatabase_UntilEveryStepCommitted()
    {
        using var folder = new TempFolder();
        var path = folder.File("m.db");
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        Migration[] v1 = [new(1, "t", "CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (7)")];
        await Schema.MigrateAsync(connection, path, v1, CancellationToken.None);
        var copy = Schema.BeforeMigrationCopyPath(path, 1);
        Assert.False(File.Exists(copy));

        // A new version whose second step fails: its first step must not stay applied, and the old file's copy stays.
        Migration[] broken = [.. v1, new(2, "add b", "ALTER TABLE t ADD COLUMN b TEXT"), new(3, "broken", "INSERT INTO nowhere VALUES (1)")];
        await Assert.ThrowsAsync<SqliteException>(() => Schema.MigrateAsync(connection, path, broken, CancellationToken.None));
        Assert.Equal(1, TestStore.Scalar(connection, "PRAGMA user_version"));
        Assert.Equal(0, TestStore.Scalar(connection, "SELECT count(*) FROM pragma_table_info('t') WHERE name = 'b'"));
        Assert.True(File.Exists(copy));
        await using (var old = new SqliteConnection($"Data Source={copy};Mode=ReadOnly;Pooling=False"))
        {
            await old.OpenAsync();
            Assert.Equal(1, TestStore.Scalar(old, "PRAGMA user_version"));
            Assert.Equal(7, TestStore.Scalar(old, "SELECT a FROM t"));
        }

        Migration[] fixedSteps = [.. v1, new(2, "add b", "ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'")];
        Assert.Equal([2], await Schema.MigrateAsync(connection, path, fixedSteps, CancellationToken.None));
        Assert.Equal(7, TestStore.Scalar(connection, "SELECT a FROM t WHERE b = 'x'"));
        Assert.False(File.Exists(copy));
    }

    [Fact]
    public async Task DatabaseFromANewerVersion_IsRefusedNamingBothVersions()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        using (var raw = test.Raw())
        {
            using var bump = raw.CreateCommand();
            bump.CommandText = "PRAGMA user_version = 99";
            bump.ExecuteNonQuery();
        }

        var e = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);

        Assert.Equal(StoreFault.SchemaTooNew, e.Fault);
        Assert.Equal($"{test.DatabasePath} has schema version 99, newer than this station-edge knows ({Schema.LatestVersion}): run the station-edge that wrote it, or restore a backup", e.Message);
    }

    [Fact]
    public async Task ADataFolderOthersMayEnter_IsRefused_SayingHowToFixIt_AndNothingIsCreated()
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        // As `mkdir` makes it under the usual umask.
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var e = await Assert.ThrowsAsync<StoreException>(() => StationStore.OpenAsync(new StoreOptions { DataPath = data }));

        Assert.Equal($"the data folder {data} is open to others (mode 0755): run chmod 700 {data}", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(data));
    }

    [Fact]
    public async Task ForeignSqliteFile_IsRefused()
    {
        using var folder = new TempFolder();
        var data = folder.File("data");
        Directory.CreateDirectory(data, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using (var other = new SqliteConnection($"Data Source={Path.Combine(data, "station.db")};Pooling=False"))
        {
            await other.OpenAsync();
            using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE photos (x)";
            create.ExecuteNonQuery();
        }

        var e = await Assert.ThrowsAsync<StoreException>(() => StationStore.OpenAsync(new StoreOptions { DataPath = data }));

        Assert.Equal($"{Path.Combine(data, "station.db")} is not a StationEdge database (application_id 0x00000000): point --data at the station's data folder", e.Message);
    }

    [Fact]
    public async Task DataFolderThatIsAFile_IsRefusedNamingIt()
    {
        using var folder = new TempFolder();
        await File.WriteAllTextAsync(folder.File("data"), "x");

        var e = await Assert.ThrowsAsync<StoreException>(() => StationStore.OpenAsync(new StoreOptions { DataPath = folder.File("data") }));

        Assert.Equal($"the data folder {folder.File("data")} is a file, not a folder", e.Message);
    }

    [Fact]
    public async Task ReadsRunWhileTheAccessLoopWrites()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        using var readersStarted = new CountdownEvent(3);
        var writer = Task.Run(async () =>
        {
            readersStarted.Wait(TimeSpan.FromSeconds(30));
            var written = new List<long>();
            for (var i = 0; i < 300; i++)
            {
                written.Add((await test.Store.RecordVisitAsync(TestStore.Granted("W001"))).Seq);
            }

            return written;
        });
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var reads = 0;
            do
            {
                await test.Store.ListVisitsAsync(limit: 20);
                await test.Store.LoadTemplatesAsync(TestStore.Sha);
                await test.Store.SearchWorkersAsync("张");
                if (reads++ == 0)
                {
                    readersStarted.Signal();
                }
            }
            while (!writer.IsCompleted);

            return reads;
        })).ToArray();

        var seqs = await writer;
        var reads = await Task.WhenAll(readers);

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), seqs);
        Assert.Equal(300, (await test.Store.ListVisitsAsync(limit: 1000)).Count);
    }

    [Fact]
    public async Task WritesFromTwoStoresOnOneFile_BothLand()
    {
        await using var daemon = await TestStore.OpenAsync();
        await using var command = await StationStore.OpenAsync(daemon.Options);
        var fromDaemon = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await daemon.Store.RecordVisitAsync(TestStore.Unknown());
            }
        });
        for (var i = 0; i < 20; i++)
        {
            await command.EnrollAsync(TestStore.Worker($"W{i:D3}"), [TestStore.Template(i)], TestStore.Keeper);
        }

        await fromDaemon;

        Assert.Equal(100, (await command.ListVisitsAsync(limit: 1000)).Count);
        Assert.Equal(20, (await daemon.Store.LoadTemplatesAsync(TestStore.Sha)).Templates.Count);
    }
}
