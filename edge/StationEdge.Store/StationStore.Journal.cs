using System.Text.Json;
using Microsoft.Data.Sqlite;
using StationEdge.Store.Sqlite;

namespace StationEdge.Store;

public sealed partial class StationStore
{
    private const string VisitColumns = "id, seq, time, worker_id, decision, reason, method, score, margin, liveness";

    /// <summary>
    /// Records one decision: a new UUIDv7 id and the next sequence number. When <paramref name="describe"/> is given,
    /// the sync message it makes from the stored visit is queued in the same transaction, so a visit is never stored
    /// without its message or the other way round; such a visit is kept from retention until the message is acknowledged.
    /// The store builds no message itself: on a station the one recorder (<c>AccessRecorder</c>, with <c>SyncMessages</c>)
    /// records every visit and gives the message.
    /// </summary>
    public Task<Visit> RecordVisitAsync(VisitDraft draft, Func<Visit, OutboxDraft>? describe = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var workerId = draft.WorkerId is null ? null : Input.WorkerId(draft.WorkerId);
        var reason = Input.Text(draft.Reason, "visit reason");
        if (!Enum.IsDefined(draft.Decision) || !Enum.IsDefined(draft.Method))
        {
            throw Input.Invalid($"visit decision {draft.Decision} or method {draft.Method} is not defined");
        }

        Input.Score(draft.Score, "visit score");
        Input.Score(draft.Margin, "visit margin");
        Input.Score(draft.Liveness, "visit liveness");
        return _db.WriteAsync("the visit", async (c, t) =>
        {
            var time = Column.Truncate(draft.Time ?? _time.GetUtcNow());
            var id = _ids.Next(time);
            using var insert = c.Command($"""
                INSERT INTO visits (id, time, worker_id, decision, reason, method, score, margin, liveness)
                VALUES ($id, $time, $worker, $decision, $reason, $method, $score, $margin, $liveness) RETURNING seq
                """, t)
                .With("$id", id.ToString()).With("$time", Column.Time(time)).With("$worker", workerId)
                .With("$decision", VisitCodes.Of(draft.Decision)).With("$reason", reason)
                .With("$method", VisitCodes.Of(draft.Method)).With("$score", draft.Score).With("$margin", draft.Margin).With("$liveness", draft.Liveness);
            var seq = (long)(await insert.ExecuteScalarAsync(ct))!;
            var visit = new Visit(id, seq, time, workerId, draft.Decision, reason, draft.Method, draft.Score, draft.Margin, draft.Liveness);
            if (describe is not null)
            {
                await InsertOutboxAsync(c, t, describe(visit), id, ct);
            }

            return visit;
        }, ct);
    }

    /// <summary>Visits at or after <paramref name="since"/> (all when null), newest first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<Visit>> ListVisitsAsync(DateTimeOffset? since = null, int limit = 100, CancellationToken ct = default)
    {
        Input.Limit(limit);
        var command = $"SELECT {VisitColumns} FROM visits WHERE $since IS NULL OR time >= $since ORDER BY time DESC, seq DESC LIMIT $limit";
        return _db.ReadAsync(c => c.Command(command).Since(since, limit).RowsAsync(
            r => new Visit(Guid.Parse(r.GetString(0)), r.GetInt64(1), Column.Time(r.GetString(2)), r.NullableString(3),
                r.GetString(4) == "granted" ? VisitDecision.Granted : VisitDecision.Refused, r.GetString(5),
                r.GetString(6) switch { "pass" => VisitMethod.Pass, "keeper" => VisitMethod.Keeper, _ => VisitMethod.Face },
                r.NullableFloat(7), r.NullableFloat(8), r.NullableFloat(9)), ct), ct);
    }

    /// <summary>Records a door event; <paramref name="describe"/>, when given, queues its sync message in the same transaction.</summary>
    public Task<DoorEvent> RecordDoorEventAsync(DoorEventDraft draft, Func<DoorEvent, OutboxDraft>? describe = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var type = Input.Name(draft.Type, "door event type");
        var details = draft.Details is null ? null : Input.Text(draft.Details, "door event details");
        return _db.WriteAsync("the door event", async (c, t) =>
        {
            var time = Column.Truncate(draft.Time ?? _time.GetUtcNow());
            using var insert = c.Command("INSERT INTO door_events (time, type, details) VALUES ($time, $type, $details) RETURNING id", t)
                .With("$time", Column.Time(time)).With("$type", type).With("$details", details);
            var doorEvent = new DoorEvent((long)(await insert.ExecuteScalarAsync(ct))!, time, type, details);
            if (describe is not null)
            {
                await InsertOutboxAsync(c, t, describe(doorEvent), null, ct);
            }

            return doorEvent;
        }, ct);
    }

    public Task<IReadOnlyList<DoorEvent>> ListDoorEventsAsync(DateTimeOffset? since = null, int limit = 100, CancellationToken ct = default)
    {
        Input.Limit(limit);
        const string command = "SELECT id, time, type, details FROM door_events WHERE $since IS NULL OR time >= $since ORDER BY time DESC, id DESC LIMIT $limit";
        return _db.ReadAsync(c => c.Command(command).Since(since, limit).RowsAsync(
            r => new DoorEvent(r.GetInt64(0), Column.Time(r.GetString(1)), r.GetString(2), r.NullableString(3)), ct), ct);
    }

    /// <summary>
    /// Records a keeper action that is not a store change (an unlock by hand, a login, a re-embed run); the store's own
    /// changes (enroll, suspend, resume, delete) write their audit entry themselves, in their transaction.
    /// </summary>
    public Task RecordKeeperActionAsync(KeeperContext by, string action, string? target = null, string? details = null, CancellationToken ct = default)
    {
        Keeper(by);
        Input.Name(action, "audit action");
        Input.OptionalText(target, "audit target");
        Input.OptionalText(details, "audit details");
        return _db.WriteAsync("the audit entry", async (c, t) =>
        {
            await AuditAsync(c, t, by, action, target, details, Now(), ct);
            return 0;
        }, ct);
    }

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(DateTimeOffset? since = null, int limit = 100, CancellationToken ct = default)
    {
        Input.Limit(limit);
        const string command = "SELECT id, time, keeper, action, target, details, address FROM audit WHERE $since IS NULL OR time >= $since ORDER BY time DESC, id DESC LIMIT $limit";
        return _db.ReadAsync(c => c.Command(command).Since(since, limit).RowsAsync(
            r => new AuditEntry(r.GetInt64(0), Column.Time(r.GetString(1)), r.GetString(2), r.GetString(3), r.NullableString(4), r.NullableString(5), r.NullableString(6)), ct), ct);
    }

    /// <summary>Queues a message that describes no visit (an enrollment notice, a door alarm sent on its own).</summary>
    public Task<OutboxMessage> EnqueueAsync(OutboxDraft draft, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        CheckOutbox(draft);
        return _db.WriteAsync("the outbox message", (c, t) => InsertOutboxAsync(c, t, draft, null, ct), ct);
    }

    /// <summary>The oldest queued messages first, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<OutboxMessage>> PeekOutboxAsync(int limit = 100, CancellationToken ct = default) =>
        PeekOutboxAfterAsync(0, limit, ct);

    /// <summary>Queued messages with a seq above <paramref name="afterSeq"/>, in seq order, at most <paramref name="limit"/>.</summary>
    public Task<IReadOnlyList<OutboxMessage>> PeekOutboxAfterAsync(long afterSeq, int limit = 100, CancellationToken ct = default)
    {
        Input.Limit(limit);
        return _db.ReadAsync(c => c.Command("SELECT seq, id, topic, payload, created_at, attempts, visit_id FROM outbox WHERE seq > $after ORDER BY seq LIMIT $limit")
            .With("$after", afterSeq).With("$limit", limit).RowsAsync(
            r => new OutboxMessage(r.GetInt64(0), Guid.Parse(r.GetString(1)), r.GetString(2), r.GetString(3), Column.Time(r.GetString(4)), r.GetInt32(5),
                r.NullableString(6) is { } visit ? Guid.Parse(visit) : null), ct), ct);
    }

    /// <summary>The depth and when the oldest queued visit was queued (counted in SQL).</summary>
    public Task<OutboxStats> OutboxStatsAsync(CancellationToken ct = default) =>
        _db.ReadAsync(async c =>
        {
            using var command = c.Command("""
                SELECT (SELECT count(*) FROM outbox), (SELECT min(created_at) FROM outbox WHERE visit_id IS NOT NULL)
                """);
            using var r = await command.ExecuteReaderAsync(ct);
            await r.ReadAsync(ct);
            return new OutboxStats(r.GetInt64(0), r.NullableString(1) is { } oldest ? Column.Time(oldest) : null);
        }, ct);

    /// <summary>Counts one more delivery attempt for each of <paramref name="ids"/>.</summary>
    public Task RecordSendAttemptAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default) =>
        ForEachOutboxIdAsync(ids, "UPDATE outbox SET attempts = attempts + 1 WHERE id = $id", "the send attempt", ct);

    /// <summary>Deletes the messages the hub acknowledged: only these ids; unknown ids are ignored. Returns how many were deleted.</summary>
    public Task<int> AcknowledgeAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct = default) =>
        ForEachOutboxIdAsync(ids, "DELETE FROM outbox WHERE id = $id", "the acknowledgement", ct);

    /// <summary>
    /// Deletes what the county says it committed: every message up to <paramref name="ackedSeq"/> and those in
    /// <paramref name="ranges"/> above it. Returns how many were deleted.
    /// </summary>
    public Task<int> AcknowledgeThroughAsync(long ackedSeq, IReadOnlyCollection<(long First, long Last)> ranges, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        return _db.WriteAsync("the acknowledgement", async (c, t) =>
        {
            using var through = c.Command("DELETE FROM outbox WHERE seq <= $acked", t).With("$acked", ackedSeq);
            var deleted = await through.ExecuteNonQueryAsync(ct);
            using var range = c.Command("DELETE FROM outbox WHERE seq BETWEEN $first AND $last", t);
            var first = range.Parameters.Add("$first", SqliteType.Integer);
            var last = range.Parameters.Add("$last", SqliteType.Integer);
            foreach (var (f, l) in ranges)
            {
                (first.Value, last.Value) = (f, l);
                deleted += await range.ExecuteNonQueryAsync(ct);
            }

            return deleted;
        }, ct);
    }

    /// <summary>
    /// Deletes visits older than <c>Store:RetentionDays</c>. With the link on, only those the county has acknowledged
    /// (no outbox row left for the visit): a visit leaves the station only after the county has it. With the link off
    /// (<paramref name="linkOff"/>: no <c>Sync:Broker</c>), nothing will ever send their messages, so every visit older
    /// than the retention goes, its queued message with it.
    /// </summary>
    public Task<RetentionResult> ApplyRetentionAsync(bool linkOff = false, CancellationToken ct = default) =>
        _db.WriteAsync("retention", async (c, t) =>
        {
            var cutoff = Now() - TimeSpan.FromDays(_options.RetentionDays);
            if (linkOff)
            {
                using var unsent = c.Command("DELETE FROM outbox WHERE visit_id IN (SELECT id FROM visits WHERE time < $cutoff)", t)
                    .With("$cutoff", Column.Time(cutoff));
                await unsent.ExecuteNonQueryAsync(ct);
            }

            using var delete = c.Command("DELETE FROM visits WHERE time < $cutoff AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.visit_id = visits.id)", t)
                .With("$cutoff", Column.Time(cutoff));
            var deleted = await delete.ExecuteNonQueryAsync(ct);
            using var kept = c.Command("SELECT count(*) FROM visits WHERE time < $cutoff", t).With("$cutoff", Column.Time(cutoff));
            var keptCount = Convert.ToInt32(await kept.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            LogRetention(_logger, deleted, cutoff, keptCount);
            return new RetentionResult(cutoff, deleted, keptCount);
        }, ct);

    private async Task<OutboxMessage> InsertOutboxAsync(SqliteConnection c, SqliteTransaction t, OutboxDraft draft, Guid? visitId, CancellationToken ct)
    {
        CheckOutbox(draft);
        var now = Now();
        var id = _ids.Next(now);
        using var insert = c.Command("INSERT INTO outbox (id, topic, payload, created_at, attempts, visit_id) VALUES ($id, $topic, $payload, $now, 0, $visit) RETURNING seq", t)
            .With("$id", id.ToString()).With("$topic", draft.Topic).With("$payload", draft.PayloadJson)
            .With("$now", Column.Time(now)).With("$visit", visitId?.ToString());
        var seq = (long)(await insert.ExecuteScalarAsync(ct))!;
        return new OutboxMessage(seq, id, draft.Topic, draft.PayloadJson, now, 0, visitId);
    }

    private Task<int> ForEachOutboxIdAsync(IReadOnlyCollection<Guid> ids, string sql, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _db.WriteAsync(what, async (c, t) =>
        {
            using var command = c.Command(sql, t);
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var changed = 0;
            foreach (var value in ids)
            {
                id.Value = value.ToString();
                changed += await command.ExecuteNonQueryAsync(ct);
            }

            return changed;
        }, ct);
    }

    private static void CheckOutbox(OutboxDraft draft)
    {
        var topic = Input.Text(draft.Topic, "outbox topic");
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0 || topic.StartsWith('/') || topic.Contains(' ', StringComparison.Ordinal))
        {
            throw Input.Invalid($"outbox topic '{topic}' is not a topic to publish to (no '+', '#', spaces or leading '/')");
        }

        try
        {
            using var _ = JsonDocument.Parse(draft.PayloadJson ?? "");
        }
        catch (JsonException e)
        {
            throw Input.Invalid($"outbox payload for {topic} is not valid JSON ({e.Message})");
        }
    }
}
