using System.Security.Cryptography;
using StationEdge.KeeperSite.Station;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// What comes after faces are found: a choice while a photo has several faces, the duplicate warning until the keeper
/// confirms, then the worker stored with a new id. Returns where the keeper goes next.
/// </summary>
public sealed class EnrolmentSteps(IEnrolment enrolment, EnrolmentDrafts drafts, TimeProvider time)
{
    public async Task<string> ContinueAsync(EnrolDraft draft, bool duplicateConfirmed, KeeperContext by, CancellationToken ct)
    {
        if (draft.ToChoose.Count > 0)
        {
            drafts.Keep(draft);
            return $"/Enrol/Draft?id={draft.Id}";
        }

        if (!duplicateConfirmed && await enrolment.FindDuplicateAsync(draft.Chosen, ct) is { } duplicate)
        {
            drafts.Keep(draft with { Duplicate = duplicate });
            return $"/Enrol/Draft?id={draft.Id}";
        }

        for (var attempt = 0; ; attempt++)
        {
            var worker = draft.Worker with { Id = NewWorkerId(), ConsentAt = time.GetUtcNow() };
            try
            {
                var enrolled = await enrolment.StoreAsync(worker, draft.Chosen, by, ct);
                drafts.Remove(draft.Id);
                return $"/Enrol/Done?id={Uri.EscapeDataString(enrolled.Worker.Id)}&templates={enrolled.TemplateIds.Count}";
            }
            catch (StoreException e) when (e.Fault == StoreFault.Conflict && attempt < 5)
            {
                // Another worker got this id in the same instant: draw again.
            }
        }
    }

    /// <summary>W, the local date, a dash and four random digits: W261201-4821 (the keeper never types an id).</summary>
    private string NewWorkerId()
    {
        var today = TimeZoneInfo.ConvertTime(time.GetUtcNow(), TimeZoneInfo.Local);
        return $"W{today:yyMMdd}-{RandomNumberGenerator.GetInt32(10_000):D4}";
    }
}
