using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace StationEdge.Store.Tests.Support;

/// <summary>A store in a temporary data folder, on a clock the test moves, with its log lines captured.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    public const string Sha = "1111111111111111111111111111111111111111111111111111111111111111";
    public const string OtherSha = "2222222222222222222222222222222222222222222222222222222222222222";
    public static readonly KeeperContext Keeper = new("keeper-li", "192.168.1.20");

    private readonly TempFolder _folder;
    private StationStore? _store;

    private TestStore(TempFolder folder, StoreOptions options)
    {
        _folder = folder;
        Options = options;
    }

    public StoreOptions Options { get; }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    public CapturingLogger Log { get; } = new();

    public StationStore Store => _store ?? throw new InvalidOperationException("the store is closed");

    public string DataPath => Options.DataPath!;

    public string DatabasePath => Path.Combine(DataPath, DataFolder.DatabaseFileName);

    public string KeyPath => Path.Combine(DataPath, DataFolder.KeyFileName);

    public static async Task<TestStore> OpenAsync(Action<StoreOptions>? configure = null, string? dataPath = null)
    {
        var folder = new TempFolder("stationedge-store-");
        var options = new StoreOptions { DataPath = dataPath ?? Path.Combine(folder.Path, "data") };
        configure?.Invoke(options);
        var test = new TestStore(folder, options);
        await test.ReopenAsync();
        return test;
    }

    public async Task ReopenAsync()
    {
        await CloseAsync();
        _store = await StationStore.OpenAsync(Options, Log, Clock);
    }

    /// <summary>Closes the store; its pooled connections close too, so the WAL is checkpointed into the file.</summary>
    public async Task CloseAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _folder.Dispose();
    }

    /// <summary>A connection outside the store, for tests that look at or damage rows directly.</summary>
    public SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>Changes one BLOB column of the row with <paramref name="id"/> in place.</summary>
    public void AlterBlob(string table, string column, Guid id, Action<byte[]> change)
    {
        using var connection = Raw();
        using var read = connection.CreateCommand();
        read.CommandText = $"SELECT {column} FROM {table} WHERE id = $id";
        read.Parameters.AddWithValue("$id", id.ToString());
        var bytes = (byte[])read.ExecuteScalar()!;
        change(bytes);
        using var write = connection.CreateCommand();
        write.CommandText = $"UPDATE {table} SET {column} = $value WHERE id = $id";
        write.Parameters.AddWithValue("$id", id.ToString());
        write.Parameters.AddWithValue("$value", bytes);
        if (write.ExecuteNonQuery() != 1)
        {
            throw new InvalidOperationException($"no {table} row {id}");
        }
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static NewWorker Worker(string id, string name = "张伟") => new()
    {
        Id = id,
        Name = name,
        Phone = "138 0013 8000",
        Employer = "美团",
        MemberNumber = "GH-" + id,
        ValidUntil = new DateOnly(2027, 6, 30),
        ConsentVersion = "consent-v1",
    };

    /// <summary>A unit-length vector made from <paramref name="seed"/>, with a crop when <paramref name="withCrop"/>.</summary>
    public static NewTemplate Template(int seed, string sha = Sha, bool withCrop = false)
    {
        var random = new Random(seed);
        var vector = new float[192];
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }

        byte[]? crop = null;
        if (withCrop)
        {
            crop = new byte[Input.CropBytes];
            random.NextBytes(crop);
        }

        return new NewTemplate(sha, vector, new TemplateQuality(62.5, 4.2, 180.0, 121.0, 0.97)) { Crop = crop };
    }

    public static VisitDraft Granted(string workerId) => new(VisitDecision.Granted, "matched") { WorkerId = workerId, Score = 0.81f, Margin = 0.3f, Liveness = 0.92f };

    public static VisitDraft Unknown() => new(VisitDecision.Refused, "unknown") { Score = 0.21f, Margin = 0.02f, Liveness = 0.9f };
}

/// <summary>A clock that moves only when the test says.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Keeps every log line, so a test can see that a refusal was logged.</summary>
internal sealed class CapturingLogger : ILogger<StationStore>
{
    private readonly List<(LogLevel Level, string Message)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
        {
            _lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
