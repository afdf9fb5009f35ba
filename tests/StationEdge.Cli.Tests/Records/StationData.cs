using System.Text.Json;
using Microsoft.Data.Sqlite;
using StationEdge.Store;

namespace StationEdge.Cli.Tests.Records;

/// <summary>
/// A real station data folder in a temporary folder, filled through <see cref="StationStore"/>'s own API, closed
/// before a command runs (as a keeper's command meets a store that no other process holds, unless a test says so).
/// </summary>
internal sealed class StationData : IDisposable
{
    /// <summary>The embedder sha of templates made before a model change: not the installed embedder's.</summary>
    public const string OldSha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    /// <summary>When the seeded visits start: 2026-12-01 08:00 UTC, one every 90 seconds.</summary>
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    public static readonly KeeperContext Keeper = new("keeper-li", "192.168.1.20");

    private readonly TempFolder _folder = new("stationedge-records-");

    public StationData(bool keepCrops = false)
    {
        Options = new StoreOptions { DataPath = Path.Combine(_folder.Path, "data"), KeepCrops = keepCrops };
    }

    public StoreOptions Options { get; }

    public string DataPath => Options.DataPath!;

    public string DatabasePath => Path.Combine(DataPath, DataFolder.DatabaseFileName);

    public string[] DataArgs => ["--data", DataPath];

    public Task<StationStore> OpenAsync(bool keepCrops) => StationStore.OpenAsync(new StoreOptions { DataPath = DataPath, KeepCrops = keepCrops });

    public Task<StationStore> OpenAsync() => StationStore.OpenAsync(Options);

    /// <summary>
    /// Three workers — W001 张伟 (two templates, phone 138 0013 8000, 美团), W002 李娜 (one, suspended), W003 Wang Qiang
    /// (one, valid until 2026-01-31, expired) — and <paramref name="visits"/> visits from <see cref="Start"/>, every
    /// fourth an unknown face, the others granted to W001 or W003 in turn.
    /// </summary>
    public async Task SeedAsync(int visits = 8)
    {
        await using var store = await OpenAsync();
        await store.EnrollAsync(Worker("W001", "张伟") with { Phone = "138 0013 8000", Employer = "美团", MemberNumber = "GH-0001" }, [Template(1), Template(2)], Keeper);
        await store.EnrollAsync(Worker("W002", "李娜") with { Employer = "饿了么" }, [Template(3)], Keeper);
        await store.EnrollAsync(Worker("W003", "Wang Qiang") with { ValidUntil = new DateOnly(2026, 1, 31) }, [Template(4)], Keeper);
        await store.SetWorkerStatusAsync("W002", WorkerStatus.Suspended, Keeper);
        for (var i = 0; i < visits; i++)
        {
            var time = Start + TimeSpan.FromSeconds(90 * i);
            await store.RecordVisitAsync(i % 4 == 0
                ? new VisitDraft(VisitDecision.Refused, "unknown") { Score = 0.21f, Margin = 0.02f, Time = time }
                : new VisitDraft(VisitDecision.Granted, "matched") { WorkerId = i % 2 == 0 ? "W003" : "W001", Score = 0.8f + (i / 100f), Margin = 0.3f, Liveness = 0.1f, Time = time });
        }
    }

    public static NewWorker Worker(string id, string name) => new() { Id = id, Name = name, ConsentVersion = "consent-v1" };

    /// <summary>A unit vector from <paramref name="seed"/>; the quality figures are fixed.</summary>
    public static NewTemplate Template(int seed, string sha = OldSha)
    {
        var random = new Random(seed);
        var vector = Enumerable.Range(0, 192).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        return new NewTemplate(sha, vector.Select(v => v / norm).ToArray(), new TemplateQuality(61.5, -3.4, 180.4, 121.6, 0.97));
    }

    /// <summary>A count (or any whole number) read with SQL outside the store.</summary>
    public long Sql(string sql) => Convert.ToInt64(Scalar(sql), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A SQL statement on the database outside the store, to look at or damage rows; its first value.</summary>
    public object? Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Fills the table leaf page (b-tree type 0x0D) holding <paramref name="text"/> with random bytes, as a failing SD card might.</summary>
    public void DamagePageHolding(string text)
    {
        var bytes = File.ReadAllBytes(DatabasePath);
        var needle = System.Text.Encoding.UTF8.GetBytes(text);

        // The text is also in the UNIQUE index's pages (type 0x0A): the table's own page is the one to damage.
        for (var from = 0; bytes.AsSpan(from).IndexOf(needle) is >= 0 and var found;)
        {
            var page = (from + found) / 4096 * 4096;
            if (bytes[page] == 0x0D)
            {
                new Random(7).NextBytes(bytes.AsSpan(page, 4096));
                File.WriteAllBytes(DatabasePath, bytes);
                return;
            }

            from += found + 1;
        }

        Assert.Fail($"no table page of {DatabasePath} holds {text}");
    }

    /// <summary>Overwrites the 100-byte file header.</summary>
    public void DamageHeader()
    {
        using var file = new FileStream(DatabasePath, FileMode.Open, FileAccess.Write);
        file.Write(Enumerable.Repeat((byte)0xA5, 100).ToArray());
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>Assertions on the commands' JSON.</summary>
internal static class JsonKeys
{
    public static string[] Of(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
