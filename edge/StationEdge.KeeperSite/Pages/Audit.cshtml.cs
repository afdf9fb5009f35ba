using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages;

public sealed class AuditModel(StationStore store) : PageModel
{
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync() => Entries = await store.ListAuditAsync(limit: 300, ct: HttpContext.RequestAborted);
}
