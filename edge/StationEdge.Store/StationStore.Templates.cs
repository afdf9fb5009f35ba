using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using StationEdge.Store.Crypto;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

public sealed partial class StationStore
{
    private const string QualityColumns = "inter_eye_px, yaw_deg, sharpness, brightness, detector_score";

    /// <summary>Adds templates to an enrolled worker (audited); returns their ids.</summary>
    public Task<IReadOnlyList<Guid>> AddTemplatesAsync(string workerId, IReadOnlyList<NewTemplate> templates, KeeperContext by, CancellationToken ct = default)
    {
        Input.WorkerId(workerId);
        ArgumentNullException.ThrowIfNull(templates);
        Keeper(by);
        CheckTemplates(templates);
        return _db.WriteAsync($"the templates of {workerId}", async (c, t) =>
        {
            if (await FindWorkerAsync(c, t, workerId, ct) is null)
            {
                throw NoWorker(workerId);
            }

            var now = Now();
            var ids = await InsertTemplatesAsync(c, t, workerId, templates, now, ct);
            await AuditAsync(c, t, by, "worker.templates.add", workerId, $"{ids.Count} templates", now, ct);
            return ids;
        }, ct);
    }

    /// <summary>
    /// Every template of one embedder, decrypted, for the gallery (all workers, suspended ones too, so that a suspended
    /// worker is refused as suspended rather than as unknown). A row that fails authentication is left out, logged
    /// and listed in <see cref="GalleryLoad.Unreadable"/>: it is never matched.
    /// </summary>
    public Task<GalleryLoad> LoadTemplatesAsync(string embedderSha256, CancellationToken ct = default)
    {
        Input.Sha256(embedderSha256);
        return _db.ReadAsync(async c =>
        {
            var templates = new List<StoredTemplate>();
            var unreadable = new List<UnreadableTemplate>();
            using var aes = _cipher.Create();
            using var command = c.Command($"SELECT id, worker_id, dimensions, nonce, ciphertext, tag, {QualityColumns} FROM templates WHERE embedder_sha256 = $sha ORDER BY rowid")
                .With("$sha", embedderSha256);
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var id = Guid.Parse(reader.GetString(0));
                    var workerId = reader.GetString(1);
                    var value = new SealedValue(reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<byte[]>(5));
                    // The vector's size comes from the ciphertext, not the (unauthenticated) dimensions column.
                    var embedding = new float[value.Ciphertext.Length / sizeof(float)];
                    if (value.Ciphertext.Length == reader.GetInt32(2) * sizeof(float)
                        && RowCipher.TryOpen(aes, value, MemoryMarshal.AsBytes(embedding.AsSpan()), RowCipher.TemplateData(id, workerId, embedderSha256)))
                    {
                        templates.Add(new StoredTemplate(id, workerId, embedderSha256, embedding, ReadQuality(reader, 6)));
                    }
                    else
                    {
                        const string reason = "the AES-GCM tag does not match (ciphertext, nonce or tag altered, row moved, or another key)";
                        LogUnreadableTemplate(_logger, id, workerId, reason);
                        unreadable.Add(new UnreadableTemplate(id, workerId, reason));
                    }
                }
            }

            using var others = c.Command("SELECT count(*) FROM templates WHERE embedder_sha256 <> $sha").With("$sha", embedderSha256);
            var otherCount = Convert.ToInt32(await others.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            return new GalleryLoad(templates, unreadable, otherCount);
        }, ct);
    }

    /// <summary>A worker's templates (metadata only), oldest first.</summary>
    public Task<IReadOnlyList<TemplateInfo>> ListTemplatesAsync(string workerId, CancellationToken ct = default)
    {
        Input.WorkerId(workerId);
        return _db.ReadAsync(c => c.Command($"""
            SELECT id, embedder_sha256, dimensions, {QualityColumns},
                   EXISTS (SELECT 1 FROM crops WHERE template_id = templates.id), created_at
            FROM templates WHERE worker_id = $worker ORDER BY rowid
            """).With("$worker", workerId).RowsAsync(
            r => new TemplateInfo(Guid.Parse(r.GetString(0)), r.GetString(1), r.GetInt32(2), ReadQuality(r, 3), r.GetInt64(8) != 0, Column.Time(r.GetString(9))), ct), ct);
    }

    /// <summary>How many templates each worker has, by worker id (a worker without any is left out): for a list of workers.</summary>
    public Task<IReadOnlyDictionary<string, int>> CountTemplatesByWorkerAsync(CancellationToken ct = default) =>
        _db.ReadAsync(async c =>
        {
            var rows = await c.Command("SELECT worker_id, count(*) FROM templates GROUP BY worker_id").RowsAsync(r => (r.GetString(0), r.GetInt32(1)), ct);
            return (IReadOnlyDictionary<string, int>)rows.ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
        }, ct);

    /// <summary>
    /// The templates with a kept crop that have no re-embedded copy for <paramref name="embedderSha256"/> yet (and are not
    /// from it): what <c>reembed</c> still has to do, so an interrupted run carries on where it stopped.
    /// </summary>
    public Task<IReadOnlyList<Guid>> ListTemplatesToReembedAsync(string embedderSha256, CancellationToken ct = default)
    {
        Input.Sha256(embedderSha256);
        return _db.ReadAsync(c => c.Command("""
            SELECT t.id FROM templates t JOIN crops ON crops.template_id = t.id
            WHERE t.embedder_sha256 <> $sha
              AND NOT EXISTS (SELECT 1 FROM templates n WHERE n.derived_from = t.id AND n.embedder_sha256 = $sha)
            ORDER BY t.rowid
            """).With("$sha", embedderSha256).RowsAsync(r => Guid.Parse(r.GetString(0)), ct), ct);
    }

    /// <summary>A template's decrypted aligned crop, or null when none was kept.</summary>
    /// <exception cref="StoreException">The crop fails authentication (<see cref="StoreFault.Corrupt"/>): skip this template.</exception>
    public Task<TemplateCrop?> ReadCropAsync(Guid templateId, CancellationToken ct = default) =>
        _db.ReadAsync(async c =>
        {
            using var aes = _cipher.Create();
            return await ReadCropAsync(c, null, aes, templateId, ct);
        }, ct);

    /// <summary>
    /// Stores a new embedding of <paramref name="sourceTemplateId"/>'s crop by another embedder: same worker and quality,
    /// the crop sealed again for the new row. The source stays until <see cref="DeleteTemplatesNotMadeByAsync"/>.
    /// </summary>
    public Task<Guid> AddReembeddedTemplateAsync(Guid sourceTemplateId, string embedderSha256, ReadOnlyMemory<float> embedding, CancellationToken ct = default)
    {
        Input.Sha256(embedderSha256);
        Input.Embedding(embedding.Span);
        return _db.WriteAsync($"the re-embedding of template {sourceTemplateId}", async (c, t) =>
        {
            using var aes = _cipher.Create();
            var crop = await ReadCropAsync(c, t, aes, sourceTemplateId, ct)
                ?? throw new StoreException(StoreFault.NotFound, $"template {sourceTemplateId} has no kept crop to re-embed");
            using var source = c.Command($"SELECT {QualityColumns} FROM templates WHERE id = $id", t).With("$id", sourceTemplateId.ToString());
            TemplateQuality quality;
            await using (var reader = await source.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                quality = ReadQuality(reader, 0);
            }

            var template = new NewTemplate(embedderSha256, embedding, quality) { Crop = crop.Rgb };
            return await InsertTemplateAsync(c, t, aes, crop.WorkerId, template, sourceTemplateId, Now(), keepCrop: true, ct);
        }, ct);
    }

    /// <summary>Deletes every template (and its crop) not made by <paramref name="embedderSha256"/>, after a re-embed (audited).</summary>
    public Task<int> DeleteTemplatesNotMadeByAsync(string embedderSha256, KeeperContext by, CancellationToken ct = default)
    {
        Input.Sha256(embedderSha256);
        Keeper(by);
        return _db.WriteAsync("the deletion of old templates", async (c, t) =>
        {
            using var delete = c.Command("DELETE FROM templates WHERE embedder_sha256 <> $sha", t).With("$sha", embedderSha256);
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            await AuditAsync(c, t, by, "templates.prune", null, $"{deleted} templates not made by {embedderSha256} deleted", Now(), ct);
            return deleted;
        }, ct);
    }

    private static void CheckTemplates(IReadOnlyList<NewTemplate> templates)
    {
        foreach (var template in templates)
        {
            ArgumentNullException.ThrowIfNull(template);
            Input.Sha256(template.EmbedderSha256);
            Input.Embedding(template.Embedding.Span);
            Input.Quality(template.Quality);
            Input.Crop(template.Crop);
        }
    }

    private async Task<IReadOnlyList<Guid>> InsertTemplatesAsync(SqliteConnection c, SqliteTransaction t, string workerId, IReadOnlyList<NewTemplate> templates, DateTimeOffset now, CancellationToken ct)
    {
        using var aes = _cipher.Create();
        var ids = new List<Guid>(templates.Count);
        foreach (var template in templates)
        {
            ids.Add(await InsertTemplateAsync(c, t, aes, workerId, template, null, now, _options.KeepCrops, ct));
        }

        return ids;
    }

    private async Task<Guid> InsertTemplateAsync(SqliteConnection c, SqliteTransaction t, AesGcm aes, string workerId, NewTemplate template, Guid? derivedFrom, DateTimeOffset now, bool keepCrop, CancellationToken ct)
    {
        var id = _ids.Next(now);
        var sealedVector = RowCipher.Seal(aes, MemoryMarshal.AsBytes(template.Embedding.Span), RowCipher.TemplateData(id, workerId, template.EmbedderSha256));
        var q = template.Quality;
        using (var insert = c.Command($"""
            INSERT INTO templates (id, worker_id, embedder_sha256, dimensions, nonce, ciphertext, tag, {QualityColumns}, derived_from, created_at)
            VALUES ($id, $worker, $sha, $dims, $nonce, $ciphertext, $tag, $eyes, $yaw, $sharp, $bright, $score, $from, $now)
            """, t))
        {
            insert.With("$id", id.ToString()).With("$worker", workerId).With("$sha", template.EmbedderSha256)
                .With("$dims", template.Embedding.Length).With("$nonce", sealedVector.Nonce).With("$ciphertext", sealedVector.Ciphertext)
                .With("$tag", sealedVector.Tag).With("$eyes", q.InterEyePx).With("$yaw", q.YawDeg).With("$sharp", q.Sharpness)
                .With("$bright", q.Brightness).With("$score", q.DetectorScore).With("$from", derivedFrom?.ToString()).With("$now", Column.Time(now));
            await insert.ExecuteNonQueryAsync(ct);
        }

        if (keepCrop && template.Crop is { } crop)
        {
            var sealedCrop = RowCipher.Seal(aes, crop, RowCipher.CropData(id, workerId));
            using var insert = c.Command("INSERT INTO crops (template_id, width, height, nonce, ciphertext, tag) VALUES ($id, $side, $side, $nonce, $ciphertext, $tag)", t)
                .With("$id", id.ToString()).With("$side", Input.CropSide).With("$nonce", sealedCrop.Nonce)
                .With("$ciphertext", sealedCrop.Ciphertext).With("$tag", sealedCrop.Tag);
            await insert.ExecuteNonQueryAsync(ct);
        }

        return id;
    }

    private static async Task<TemplateCrop?> ReadCropAsync(SqliteConnection c, SqliteTransaction? t, AesGcm aes, Guid templateId, CancellationToken ct)
    {
        using var command = c.Command("""
            SELECT templates.worker_id, crops.width, crops.height, crops.nonce, crops.ciphertext, crops.tag
            FROM crops JOIN templates ON templates.id = crops.template_id WHERE crops.template_id = $id
            """, t).With("$id", templateId.ToString());
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var workerId = reader.GetString(0);
        var value = new SealedValue(reader.GetFieldValue<byte[]>(3), reader.GetFieldValue<byte[]>(4), reader.GetFieldValue<byte[]>(5));
        var rgb = new byte[value.Ciphertext.Length];
        return RowCipher.TryOpen(aes, value, rgb, RowCipher.CropData(templateId, workerId))
            ? new TemplateCrop(templateId, workerId, reader.GetInt32(1), reader.GetInt32(2), rgb)
            : throw new StoreException(StoreFault.Corrupt, $"the crop of template {templateId} (worker {workerId}) fails AES-GCM authentication: it was altered or sealed with another key, and is not used");
    }

    private static TemplateQuality ReadQuality(SqliteDataReader reader, int first) =>
        new(reader.GetDouble(first), reader.GetDouble(first + 1), reader.GetDouble(first + 2), reader.GetDouble(first + 3), reader.GetDouble(first + 4));
}
