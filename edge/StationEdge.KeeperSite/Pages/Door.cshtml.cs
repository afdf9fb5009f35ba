using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.Door.Control;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;
using DoorEvent = StationEdge.Door.Control.DoorEvent;

namespace StationEdge.KeeperSite.Pages;

/// <summary>门: the door's state and alarms, and the manual open, which needs a reason and is audited and recorded as a visit.</summary>
public sealed class DoorModel(IKeeperDoor door, StationStore store, IKeeperVisits visits, TimeProvider time, Localizer l, DoorSecurity security, DoorRule rule, SiteVision vision) : PageModel
{
    public DoorStatus? Status => door.Status;

    public IReadOnlyList<DoorEvent> Events => [.. door.RecentEvents.Where(e => e is not DoorUnlocked and not DoorUnlockExtended).Take(30)];

    public string? Error { get; private set; }

    /// <summary>安全等级: the level, the threshold now, and each level's cost on the station's own walk-ups.</summary>
    public DoorSecurityReport? Security { get; private set; }

    /// <summary>Why <see cref="Security"/> could not be worked out (the face models did not load).</summary>
    public string? SecurityProblem { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadSecurityAsync(ct);

    private async Task LoadSecurityAsync(CancellationToken ct)
    {
        string tag;
        try
        {
            tag = vision.Pipeline.EmbedderSha256;
        }
        catch (Exception e) when (e is ModelIntegrityException or IOException or InvalidOperationException)
        {
            SecurityProblem = e.Message;
            return;
        }

        Security = await security.ReportAsync(tag, rule, ct);
    }

    public string LevelName(StrangerRateLevel level) => l.Language == Language.English ? level.NameEn : level.NameZh;

    public async Task<IActionResult> OnPostAsync(string? reason)
    {
        reason = WorkerForm.Blank(reason);
        if (reason is null || reason.Length > 100 || reason.Any(char.IsControl))
        {
            Error = l[Texts.ReasonRequired];
            await LoadSecurityAsync(HttpContext.RequestAborted);
            return Page();
        }

        var by = HttpContext.Keeper();
        var opened = door.OpenByKeeper(User.Name());
        // The door has acted: its audit and visit must not be lost because the phone stopped listening.
        await store.RecordKeeperActionAsync(by, "door.open", null, (opened ? "" : "refused: ") + reason, CancellationToken.None);
        if (!opened)
        {
            Error = l[Texts.DoorDidNotOpen];
            await LoadSecurityAsync(HttpContext.RequestAborted);
            return Page();
        }

        await visits.RecordOpeningAsync(
            new VisitDraft(VisitDecision.Granted, Codes.KeeperOpenReason, VisitMethod.Keeper) { Time = time.GetUtcNow() }, CancellationToken.None);
        TempData["flash"] = l[Texts.DoorOpened];
        return Redirect("/Door");
    }

    public static string Describe(DoorEvent e, Localizer l) => e switch
    {
        DoorGranted g => l.Format(Texts.EventGranted, g.By),
        DoorGrantRefused r => l.Format(Texts.EventGrantRefused, r.Reason),
        DoorOpened => l[Texts.EventOpened],
        DoorClosed => l[Texts.EventClosed],
        DoorRelocked => l[Texts.EventRelocked],
        DoorAlarmRaised a => l.Format(Texts.EventAlarmRaised, l[Codes.Alarm(a.Alarm)]),
        DoorAlarmCleared c => l.Format(Texts.EventAlarmCleared, l[Codes.Alarm(c.Alarm)]),
        _ => e.GetType().Name.Replace("Door", "", StringComparison.Ordinal),
    };
}
