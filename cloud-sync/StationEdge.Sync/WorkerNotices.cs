using System.Text;
using StationEdge.Store;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>
/// Roaming up: a worker enrolled, edited, suspended, resumed or deleted here becomes a <c>worker_*</c> event with the
/// worker's record on the events topic. The store keeps this station's consent as the version and time only, with no
/// scope, so the scope sent is <c>station</c> and no template leaves the station: a template travels (sealed with
/// <see cref="TemplateSeal"/>) only once the worker's recorded consent covers the county.
/// </summary>
internal static class WorkerNotices
{
    public const string StationScope = "station";

    public static OutboxDraft? Describe(string station, WorkerChange change)
    {
        var type = change.Action switch
        {
            "worker.enroll" => EventTypes.WorkerEnrolled,
            "worker.edit" or "worker.templates.add" => EventTypes.WorkerUpdated,
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
        var record = w is null || type == EventTypes.WorkerDeleted ? null : new WorkerRecord(
            w.Id, w.Name, w.Status == WorkerStatus.Suspended ? "suspended" : "active", w.HomeStation ?? station, w.ConsentAt, w.ConsentVersion, StationScope)
        {
            Phone = w.Phone,
            Employer = w.Employer,
            MemberNumber = w.MemberNumber,
            ValidUntil = w.ValidUntil,
        };
        var item = new StationEvent(0, Guid.CreateVersion7(change.Time), change.Time, type) { WorkerId = change.WorkerId, Worker = record };
        return new OutboxDraft(Topics.Events(station), Encoding.UTF8.GetString(SyncJson.Write(item)));
    }
}
