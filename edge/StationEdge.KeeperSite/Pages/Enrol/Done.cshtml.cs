using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Enrol;

public sealed class DoneModel(StationStore store) : PageModel
{
    public Worker? Worker { get; private set; }

    public int Templates { get; private set; }

    public async Task OnGetAsync(string id) => (Worker, Templates) = await WorkerLookup.FindAsync(store, id, HttpContext.RequestAborted);
}
