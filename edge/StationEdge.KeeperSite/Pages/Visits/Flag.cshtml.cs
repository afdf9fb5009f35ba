using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Visits;

/// <summary>"这条记录有误": the flag and the keeper's note go to the audit log (action visit.flag, target the visit id) for the county's review.</summary>
public sealed class FlagModel(StationStore store, VisitNames names, Localizer l) : PageModel
{
    public NamedVisit? Visit { get; private set; }

    public async Task OnGetAsync(Guid id) => Visit = await FindAsync(id);

    public async Task<IActionResult> OnPostAsync(Guid id, string? note)
    {
        if (await FindAsync(id) is null)
        {
            return NotFound();
        }

        note = string.IsNullOrWhiteSpace(note) ? null : new string([.. note.Trim().Take(200).Select(c => char.IsControl(c) ? ' ' : c)]);
        await store.RecordKeeperActionAsync(HttpContext.Keeper(), Codes.FlagAction, id.ToString(), note, HttpContext.RequestAborted);
        TempData["flash"] = l[Texts.FlagDone];
        return Redirect("/");
    }

    private async Task<NamedVisit?> FindAsync(Guid id)
    {
        // Visits to flag are recent: today's list and the days before.
        var visit = (await store.ListVisitsAsync(DateTimeOffset.UtcNow.AddDays(-7), 20_000, HttpContext.RequestAborted)).FirstOrDefault(v => v.Id == id);
        return visit is null ? null : (await names.NameAsync([visit], HttpContext.RequestAborted))[0];
    }
}
