using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Workers;

public sealed class IndexModel(StationStore store, Localizer l) : PageModel
{
    public IReadOnlyList<Worker> Workers { get; private set; } = [];

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    public async Task OnGetAsync()
    {
        var q = Query?.Trim();
        Workers = string.IsNullOrEmpty(q)
            ? [.. (await store.ListWorkersAsync(HttpContext.RequestAborted)).OrderBy(w => w.Name, StringComparer.Ordinal)]
            : await store.SearchWorkersAsync(q, 200, HttpContext.RequestAborted);
    }

    public Task<IActionResult> OnPostSuspendAsync(string id) => SetStatusAsync(id, WorkerStatus.Suspended, Texts.WorkerSuspended);

    public Task<IActionResult> OnPostResumeAsync(string id) => SetStatusAsync(id, WorkerStatus.Active, Texts.WorkerResumed);

    private async Task<IActionResult> SetStatusAsync(string id, WorkerStatus status, Phrase done)
    {
        try
        {
            var worker = await store.SetWorkerStatusAsync(id, status, HttpContext.Keeper(), HttpContext.RequestAborted);
            TempData["flash"] = l.Format(done, worker.Name);
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            TempData["flash"] = l.Format(Texts.NotSaved, e.Message);
        }

        return Redirect("/Workers");
    }
}
