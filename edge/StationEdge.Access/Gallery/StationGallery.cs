using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using StationEdge.Store;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access;

/// <summary>A gallery answer with the matched worker's record (null when no worker came closest, or it was just deleted).</summary>
public sealed record GalleryMatch(Match Match, Worker? Worker);

/// <summary>What a load of the gallery found: workers, templates, the template rows refused, and those of other embedders.</summary>
public sealed record GalleryLoadReport(int Workers, int Templates, int Added, int Removed, IReadOnlyList<UnreadableTemplate> Unreadable, int OtherEmbedderCount);

/// <summary>
/// The enrolled workers' templates of the current embedder, loaded from the store into one Vision
/// <see cref="FaceGallery"/>, with every worker's record beside them, so a frame is matched and judged without touching the
/// database. <see cref="ReloadAsync"/> brings it up to date (the daemon's refresher calls
/// <see cref="ReloadIfChangedAsync"/> every <c>Access:RosterPollMs</c>; a command or the keeper site that changed the roster
/// in-process calls <see cref="ReloadAsync"/> at once). A reload only adds and removes the templates that changed, in an
/// order that never lets a search see a template without its worker. Template rows that fail authentication are
/// reported (<see cref="Unreadable"/>, a warning) and never matched. Thread-safe: matches run while a reload is under way.
/// </summary>
public sealed partial class StationGallery : IDisposable
{
    private readonly StationStore _store;
    private readonly ILogger _logger;
    private readonly FaceGallery _gallery;
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    private readonly Dictionary<Guid, string> _loaded = [];
    private FrozenDictionary<string, Worker> _workers = FrozenDictionary<string, Worker>.Empty;
    private RosterStamp? _stamp;
    private GalleryLoadReport _last = new(0, 0, 0, 0, [], 0);

    public StationGallery(StationStore store, string embedderSha256, int dimensions, GalleryOptions options, ILogger<StationGallery> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _logger = logger;
        _gallery = new FaceGallery(embedderSha256, dimensions, options);
    }

    public string EmbedderSha256 => _gallery.ModelSha256;

    /// <summary>The threshold a match needs now (calibrated for the workers enrolled, unless fixed).</summary>
    public float Threshold => _gallery.CurrentThreshold;

    /// <summary>Enrolled workers (with or without a template of this embedder).</summary>
    public int WorkerCount => Volatile.Read(ref _workers).Count;

    public int TemplateCount => _gallery.Count;

    /// <summary>Template rows the last load refused (altered, moved, or sealed with another key): never matched.</summary>
    public IReadOnlyList<UnreadableTemplate> Unreadable => Volatile.Read(ref _last).Unreadable;

    /// <summary>Templates made by another embedder at the last load (run <c>station-edge reembed</c>).</summary>
    public int OtherEmbedderCount => Volatile.Read(ref _last).OtherEmbedderCount;

    /// <summary>Opens a gallery and loads it once.</summary>
    public static async Task<StationGallery> LoadAsync(StationStore store, string embedderSha256, int dimensions, GalleryOptions options, ILogger<StationGallery> logger, CancellationToken ct)
    {
        var gallery = new StationGallery(store, embedderSha256, dimensions, options, logger);
        try
        {
            await gallery.ReloadAsync(ct);
            return gallery;
        }
        catch
        {
            gallery.Dispose();
            throw;
        }
    }

    public Worker? FindWorker(string workerId) => Volatile.Read(ref _workers).GetValueOrDefault(workerId);

    /// <summary>The best worker for a probe embedding, with their record.</summary>
    public GalleryMatch Match(ReadOnlySpan<float> embedding)
    {
        var match = _gallery.Search(embedding);
        return new GalleryMatch(match, match.WorkerId is { } id ? FindWorker(id) : null);
    }

    /// <summary>Reloads when the store's roster stamp moved since the last load; null when nothing changed.</summary>
    public async Task<GalleryLoadReport?> ReloadIfChangedAsync(CancellationToken ct)
    {
        var stamp = await _store.GetRosterStampAsync(ct);
        return stamp == Volatile.Read(ref _stamp) ? null : await ReloadAsync(ct);
    }

    /// <summary>Loads the workers and templates again and applies the difference.</summary>
    public async Task<GalleryLoadReport> ReloadAsync(CancellationToken ct)
    {
        await _reloadGate.WaitAsync(ct);
        try
        {
            // The stamp is read first: a change that lands during the load moves it again, so it is not missed.
            var stamp = await _store.GetRosterStampAsync(ct);
            var workers = await _store.ListWorkersAsync(ct);
            var load = await _store.LoadTemplatesAsync(EmbedderSha256, ct);
            var report = Apply(workers, load);
            Volatile.Write(ref _stamp, stamp);
            Report(report);
            Volatile.Write(ref _last, report);
            return report;
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    public void Dispose()
    {
        _gallery.Dispose();
        _reloadGate.Dispose();
    }

    private GalleryLoadReport Apply(IReadOnlyList<Worker> workers, GalleryLoad load)
    {
        var byId = workers.ToFrozenDictionary(w => w.Id, StringComparer.Ordinal);
        var wanted = load.Templates.Where(t => byId.ContainsKey(t.WorkerId)).ToDictionary(t => t.Id);
        var unreadable = load.Unreadable.ToList();

        // Templates of deleted workers go before their records, new workers' records come before their templates:
        // a search never finds a template whose worker it cannot look up.
        // In two batches, each calibrated once by this thread (the reload's, never the access loop's search).
        var gone = _loaded.Keys.Where(id => !wanted.ContainsKey(id)).ToList();
        var removed = _gallery.RemoveRange(gone);
        gone.ForEach(id => _loaded.Remove(id));

        Volatile.Write(ref _workers, byId);
        var adding = wanted.Values.Where(t => !_loaded.ContainsKey(t.Id)).ToList();
        var refused = _gallery.AddRange(adding.Select(t => new FaceTemplate(t.Id, t.WorkerId, t.Embedding, t.EmbedderSha256)))
            .ToDictionary(r => r.Template.Id, r => r.Problem.Message);
        var added = 0;
        foreach (var template in adding)
        {
            if (refused.TryGetValue(template.Id, out var problem))
            {
                // Authenticated but unusable (a zero vector, another dimension count): refused like an altered row.
                unreadable.Add(new UnreadableTemplate(template.Id, template.WorkerId, problem));
            }
            else
            {
                _loaded[template.Id] = template.WorkerId;
                added++;
            }
        }

        return new GalleryLoadReport(byId.Count, _gallery.Count, added, removed, unreadable, load.OtherEmbedderCount);
    }

    private void Report(GalleryLoadReport report)
    {
        if (report.Added > 0 || report.Removed > 0 || report.Workers != _last.Workers)
        {
            LogLoaded(_logger, report.Workers, report.Templates, report.Added, report.Removed, EmbedderSha256[..12]);
        }

        var refused = report.Unreadable.Select(u => u.Id).Order().ToList();
        if (refused.Count > 0 && !refused.SequenceEqual(_last.Unreadable.Select(u => u.Id).Order()))
        {
            LogRefused(_logger, refused.Count, string.Join(", ", report.Unreadable.Select(u => $"{u.Id} ({u.WorkerId})")), _store.DataPath);
        }

        if (report.OtherEmbedderCount > 0 && report.OtherEmbedderCount != _last.OtherEmbedderCount)
        {
            LogOtherEmbedder(_logger, report.OtherEmbedderCount, _store.DataPath);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Gallery: {Workers} workers, {Templates} templates of embedder {Embedder}… ({Added} added, {Removed} removed)")]
    private static partial void LogLoaded(ILogger logger, int workers, int templates, int added, int removed, string embedder);

    [LoggerMessage(2, LogLevel.Warning, "Gallery: {Count} template rows refused and never matched (they fail AES-GCM authentication: altered, moved or sealed with another key): {Templates}; see 'station-edge store check --data {DataPath}'")]
    private static partial void LogRefused(ILogger logger, int count, string templates, string dataPath);

    [LoggerMessage(3, LogLevel.Warning, "Gallery: {Count} templates were made by another embedder or alignment (Vision:Alignment) and are not used: run 'station-edge reembed --data {DataPath}'; templates aligned the other way cannot be re-embedded: enrol those workers again, or set Vision:Alignment back")]
    private static partial void LogOtherEmbedder(ILogger logger, int count, string dataPath);
}
