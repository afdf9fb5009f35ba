using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Enrol;

public sealed class DoneModel(StationStore store) : PageModel
{
    public Worker? Worker { get; private set; }

    public int Templates { get; private set; }

    public async Task OnGetAsync(string id)
    {
        try
        {
            Worker = await store.GetWorkerAsync(id, HttpContext.RequestAborted);
            Templates = Worker is null ? 0 : (await store.ListTemplatesAsync(id, HttpContext.RequestAborted)).Count;
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            Worker = null;
        }
    }
}
