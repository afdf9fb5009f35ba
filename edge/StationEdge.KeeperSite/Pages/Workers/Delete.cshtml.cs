using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Workers;

/// <summary>Administrators only: asks once, then deletes the worker with their templates and crops (their visits stay).</summary>
public sealed class DeleteModel(StationStore store, Localizer l) : PageModel
{
    public Worker? Worker { get; private set; }

    public int Templates { get; private set; }

    public async Task OnGetAsync(string id) => (Worker, Templates) = await WorkerLookup.FindAsync(store, id, HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync(string id)
    {
        try
        {
            var worker = await store.GetWorkerAsync(id, HttpContext.RequestAborted);
            var deleted = await store.DeleteWorkerAsync(id, HttpContext.Keeper(), HttpContext.RequestAborted);
            TempData["flash"] = l.Format(Texts.Deleted, worker?.Name ?? id, deleted.TemplatesRemoved);
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            TempData["flash"] = l.Format(Texts.NotSaved, e.Message);
        }

        return Redirect("/Workers");
    }
}
