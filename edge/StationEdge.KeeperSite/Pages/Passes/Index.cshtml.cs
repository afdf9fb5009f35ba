using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Passes;

/// <summary>通行码: issue a worker's or a guest's pass, list, revoke. Each issue and revoke is audited.</summary>
public sealed class IndexModel(PassBook passes, StationStore store, TimeProvider time, Localizer l) : PageModel
{
    private static readonly int[] WorkerHours = [8, 24, 72, 168, 720];
    private static readonly int[] VisitorHours = [2, 4, 8, 24];
    private Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public IReadOnlyList<Worker> Workers { get; private set; } = [];

    public IReadOnlyList<PassRecord> Active { get; private set; } = [];

    public IReadOnlyList<PassRecord> Past { get; private set; } = [];

    public string? Error { get; private set; }

    public string? WorkerId { get; private set; }

    public Task OnGetAsync(string? worker)
    {
        WorkerId = worker;
        return LoadAsync();
    }

    public string Holder(PassRecord pass) => pass.Kind == PassKind.Visitor
        ? l.Format(Texts.Visitor, pass.VisitorName)
        : _names.TryGetValue(pass.WorkerId!, out var name) ? $"{name} ({pass.WorkerId})" : pass.WorkerId!;

    public async Task<IActionResult> OnPostWorkerAsync(string? workerId, int hours)
    {
        Worker? worker = null;
        try
        {
            worker = workerId is null ? null : await store.GetWorkerAsync(workerId.Trim(), HttpContext.RequestAborted);
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            // Not an id at all: the same answer as no such worker.
        }

        if (worker is null || !WorkerHours.Contains(hours))
        {
            Error = l.Format(Texts.NoWorkerWithId, workerId);
            await LoadAsync();
            return Page();
        }

        var pass = await passes.IssueWorkerPassAsync(worker.Id, TimeSpan.FromHours(hours), HttpContext.Keeper(), HttpContext.RequestAborted);
        return Issued(pass);
    }

    public async Task<IActionResult> OnPostVisitorAsync(string? visitorName, int hours)
    {
        if (!VisitorHours.Contains(hours))
        {
            return BadRequest();
        }

        try
        {
            var pass = await passes.IssueVisitorPassAsync(visitorName ?? "", TimeSpan.FromHours(hours), HttpContext.Keeper(), HttpContext.RequestAborted);
            return Issued(pass);
        }
        catch (ArgumentException)
        {
            Error = l.Format(Texts.PassNameInvalid, PassBook.MaxNameLength);
            await LoadAsync();
            return Page();
        }
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id)
    {
        // The revocation and its audit commit together (the store's one transaction).
        if (await passes.RevokeAsync(id, HttpContext.Keeper(), HttpContext.RequestAborted))
        {
            TempData["flash"] = l[Texts.PassRevoked];
        }

        return Redirect("/Passes");
    }

    // The pass and its audit entry committed together; the guest's name stays with the pass, not in the audit log,
    // which outlives it.
    private RedirectResult Issued(PassRecord pass) => Redirect($"/Passes/Show?id={pass.Id}");

    private async Task LoadAsync()
    {
        Workers = [.. (await store.ListWorkersAsync(HttpContext.RequestAborted)).Where(w => w.Status == WorkerStatus.Active).OrderBy(w => w.Name, StringComparer.Ordinal)];
        _names = Workers.ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var all = await passes.ListAsync(HttpContext.RequestAborted);
        Active = [.. all.Where(p => p.IsActive(now))];
        Past = [.. all.Where(p => !p.IsActive(now)).Take(20)];
    }
}
