using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StationEdge.Store;

namespace StationEdge.Access.Tests.Support;

/// <summary>A real store in a temporary data folder, for gallery and recorder tests.</summary>
internal sealed class TestRecords : IAsyncDisposable
{
    public static readonly KeeperContext Keeper = new("keeper-test", "cli");

    private readonly TempFolder _folder;

    private TestRecords(TempFolder folder, StoreOptions options, StationStore store)
    {
        _folder = folder;
        Options = options;
        Store = store;
    }

    public StoreOptions Options { get; }

    public StationStore Store { get; }

    public string DataPath => Options.DataPath!;

    public static async Task<TestRecords> OpenAsync(Action<StoreOptions>? configure = null)
    {
        var folder = new TempFolder("stationedge-access-");
        var options = new StoreOptions { DataPath = Path.Combine(folder.Path, "data") };
        configure?.Invoke(options);
        try
        {
            return new TestRecords(folder, options, await StationStore.OpenAsync(options, NullLogger<StationStore>.Instance));
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    /// <summary>A logger that writes into <paramref name="collector"/>, for a class under test.</summary>
    public static ILogger<T> Logger<T>(LogCollector collector) => LoggerFactory.Create(b => b.AddProvider(collector)).CreateLogger<T>();

    public Task<Enrollment> EnrollAsync(string id, params float[][] vectors) =>
        Store.EnrollAsync(
            new NewWorker { Id = id, Name = "工人" + id, ConsentVersion = "1" },
            [.. vectors.Select(v => new NewTemplate(Vectors.Sha, v, new TemplateQuality(80, 0, 300, 120, 0.9)))],
            Keeper);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _folder.Dispose();
    }
}
