using System.Text;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>
/// Roaming up: a worker enrolled, edited, given a new consent scope, suspended, resumed or deleted here becomes a
/// <c>worker_*</c> event with the worker's record on the events topic. The record carries the scope the store holds;
/// the worker's enrolment templates travel, sealed with the county's template key (<see cref="TemplateSeal"/>), only
/// when that scope is <c>county</c> and the station has the key. Otherwise the record goes without templates, and
/// under scope <c>station</c> the hub withdraws any it held (a consent narrowed from county back to this station).
/// </summary>
internal static class WorkerNotices
{
    public const string StationScope = "station";
    public const string CountyScope = "county";

    public static OutboxDraft? Describe(string station, WorkerChange change, byte[]? templateKey = null)
    {
        var type = change.Action switch
        {
            "worker.enroll" => EventTypes.WorkerEnrolled,
            "worker.edit" or "worker.consent" or "worker.templates.add" => EventTypes.WorkerUpdated,
            "worker.suspend" => EventTypes.WorkerSuspended,
            "worker.resume" => EventTypes.WorkerResumed,
            "worker.delete" => EventTypes.WorkerDeleted,
            _ => null,
        };
        if (type is null || (change.Worker is null && type != EventTypes.WorkerDeleted))
        {
            // Deleted since: its own deletion notice follows.
            return null;
        }

        var w = change.Worker;
        var roams = w is { ConsentScope: ConsentScope.County };
        var record = w is null || type == EventTypes.WorkerDeleted ? null : new WorkerRecord(
            w.Id, w.Name, w.Status == WorkerStatus.Suspended ? "suspended" : "active", w.HomeStation ?? station, w.ConsentAt, w.ConsentVersion, roams ? CountyScope : StationScope)
        {
            Phone = w.Phone,
            Employer = w.Employer,
            MemberNumber = w.MemberNumber,
            ValidUntil = w.ValidUntil,
            Templates = roams && templateKey is not null && change.Templates is { } templates
                ? [.. templates.Select(t => TemplateSeal.Seal(templateKey, t.Id, w.Id, t.EmbedderSha256, t.Embedding))]
                : null,
        };
        var item = new StationEvent(0, Guid.CreateVersion7(change.Time), change.Time, type) { WorkerId = change.WorkerId, Worker = record };
        return new OutboxDraft(Topics.Events(station), Encoding.UTF8.GetString(SyncJson.Write(item)));
    }
}
