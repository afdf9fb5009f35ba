using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

/// <summary>Why a door walk-up was kept as a learned template.</summary>
public enum LearnReason
{
    /// <summary>Granted by face, clearing the threshold and margin by a clear amount, liveness passed.</summary>
    ClearGrant,

    /// <summary>Refused by face, then opened with the rider's own pass within the window, the face score above the impostor-tail floor.</summary>
    PassConfirmed,
}

/// <summary>What <see cref="StationStore.AddLearnedTemplateAsync"/> did: the new id and the learned template it replaced, or why it kept nothing.</summary>
public sealed record LearnOutcome(Guid? Id, Guid? Replaced, string? Skipped);

public sealed partial class StationStore
{
    /// <summary>
    /// Keeps a door walk-up as a learned template of <paramref name="workerId"/>: only beside an enrolment template of the
    /// same embedder and alignment (never across), at most one per <paramref name="spacing"/>, and at most
    /// <paramref name="maxLearned"/> learned ones (the oldest learned replaced; enrolment templates never are).
    /// </summary>
    public Task<LearnOutcome> AddLearnedTemplateAsync(string workerId, NewTemplate template, Guid visitId, LearnReason reason, int maxLearned, TimeSpan spacing, CancellationToken ct = default)
    {
        Input.WorkerId(workerId);
        CheckTemplates([template]);
        if (maxLearned < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLearned), maxLearned, "at least one learned template");
        }

        return _db.WriteAsync($"a learned template of {workerId}", async (c, t) =>
        {
            using (var enrolled = c.Command("SELECT count(*) FROM templates WHERE worker_id = $w AND source = 'enrolment' AND embedder_sha256 = $sha", t)
                .With("$w", workerId).With("$sha", template.EmbedderSha256))
            {
                if (Convert.ToInt64(await enrolled.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    return new LearnOutcome(null, null, $"{workerId} has no enrolment template of embedder {template.EmbedderSha256}");
                }
            }

            var now = Now();
            var learned = await c.Command("SELECT id, created_at FROM templates WHERE worker_id = $w AND source = 'learned' AND embedder_sha256 = $sha ORDER BY created_at, rowid", t)
                .With("$w", workerId).With("$sha", template.EmbedderSha256)
                .RowsAsync(r => (Id: Guid.Parse(r.GetString(0)), At: Column.Time(r.GetString(1))), ct);
            if (learned.Count > 0 && now - learned[^1].At < spacing)
            {
                return new LearnOutcome(null, null, $"{workerId} learned a template at {learned[^1].At:O}, less than {spacing} ago");
            }

            Guid? replaced = null;
            if (learned.Count >= maxLearned)
            {
                replaced = learned[0].Id;
                using var delete = c.Command("DELETE FROM templates WHERE id = $id AND source = 'learned'", t).With("$id", replaced.Value.ToString());
                await delete.ExecuteNonQueryAsync(ct);
            }

            using var aes = _cipher.Create();
            var id = await InsertTemplateAsync(c, t, aes, workerId, template, null, now, keepCrop: false, ct);
            using (var tag = c.Command("UPDATE templates SET source = 'learned', visit_id = $visit, learn_reason = $reason WHERE id = $id", t)
                .With("$visit", visitId.ToString()).With("$reason", Reason(reason)).With("$id", id.ToString()))
            {
                await tag.ExecuteNonQueryAsync(ct);
            }

            return new LearnOutcome(id, replaced, null);
        }, ct);
    }

    /// <summary>A worker's learned templates (metadata), oldest first.</summary>
    public Task<IReadOnlyList<LearnedTemplateInfo>> ListLearnedTemplatesAsync(string workerId, CancellationToken ct = default)
    {
        Input.WorkerId(workerId);
        return _db.ReadAsync(c => c.Command("SELECT id, embedder_sha256, created_at, visit_id, learn_reason FROM templates WHERE worker_id = $w AND source = 'learned' ORDER BY created_at, rowid")
            .With("$w", workerId).RowsAsync(r => new LearnedTemplateInfo(Guid.Parse(r.GetString(0)), r.GetString(1), Column.Time(r.GetString(2)), Guid.Parse(r.GetString(3)), r.GetString(4)), ct), ct);
    }

    /// <summary>Every worker's learned templates (metadata), oldest first: the station's own evidence of its riders' walk-ups.</summary>
    public Task<IReadOnlyList<LearnedTemplateInfo>> ListAllLearnedTemplatesAsync(CancellationToken ct = default) =>
        _db.ReadAsync(c => c.Command("SELECT id, embedder_sha256, created_at, visit_id, learn_reason FROM templates WHERE source = 'learned' ORDER BY created_at, rowid")
            .RowsAsync(r => new LearnedTemplateInfo(Guid.Parse(r.GetString(0)), r.GetString(1), Column.Time(r.GetString(2)), Guid.Parse(r.GetString(3)), r.GetString(4)), ct), ct);

    /// <summary>Removes one learned template (audited); an enrolment template is refused, not removed.</summary>
    public Task RemoveLearnedTemplateAsync(string workerId, Guid templateId, KeeperContext by, CancellationToken ct = default)
    {
        Input.WorkerId(workerId);
        Keeper(by);
        return _db.WriteAsync($"the removal of learned template {templateId}", async (c, t) =>
        {
            using var delete = c.Command("DELETE FROM templates WHERE id = $id AND worker_id = $w AND source = 'learned'", t)
                .With("$id", templateId.ToString()).With("$w", workerId);
            if (await delete.ExecuteNonQueryAsync(ct) == 0)
            {
                throw new StoreException(StoreFault.NotFound, $"{workerId} has no learned template {templateId} (enrolment templates are not removed this way)");
            }

            await AuditAsync(c, t, by, "worker.templates.learned.remove", workerId, templateId.ToString(), Now(), ct);
            return 0;
        }, ct);
    }

    /// <summary>
    /// Records why a pass-confirmed walk-up was not learned (a face implausible for the pass's worker: a borrowed pass?),
    /// in the audit log under the station's own name, so a keeper sees it beside the worker's other changes.
    /// </summary>
    public Task RecordLearnRefusalAsync(string workerId, Guid visitId, LearnReason reason, string why, CancellationToken ct = default)
    {
        Input.WorkerId(workerId);
        Input.Text(why, "why");
        return _db.WriteAsync($"the refusal to learn visit {visitId}", async (c, t) =>
        {
            await AuditAsync(c, t, StationItself, "worker.templates.learned.refused", workerId, $"visit {visitId} ({Reason(reason)}): {why}", Now(), ct);
            return 0;
        }, ct);
    }

    private static readonly KeeperContext StationItself = new("station", "door");

    private static string Reason(LearnReason reason) => reason == LearnReason.ClearGrant ? "clear_grant" : "pass_confirmed";
}

/// <summary>A learned template's metadata: when, from which visit, why, by which embedder and alignment.</summary>
public sealed record LearnedTemplateInfo(Guid Id, string EmbedderSha256, DateTimeOffset LearnedAt, Guid VisitId, string Reason);
