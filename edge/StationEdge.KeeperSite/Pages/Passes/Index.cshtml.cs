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

        var pass = await passes.IssueWorkerPassAsync(worker.Id, TimeSpan.FromHours(hours), HttpContext.Keeper().Keeper, HttpContext.RequestAborted);
        return await IssuedAsync(pass, $"worker {worker.Id}, {hours} h");
    }

    public async Task<IActionResult> OnPostVisitorAsync(string? visitorName, int hours)
    {
        if (!VisitorHours.Contains(hours))
        {
            return BadRequest();
        }

        try
        {
            var pass = await passes.IssueVisitorPassAsync(visitorName ?? "", TimeSpan.FromHours(hours), HttpContext.Keeper().Keeper, HttpContext.RequestAborted);
            return await IssuedAsync(pass, $"visitor, {hours} h");
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
        if (await passes.RevokeAsync(id, HttpContext.Keeper().Keeper, HttpContext.RequestAborted))
        {
            await store.RecordKeeperActionAsync(HttpContext.Keeper(), "pass.revoke", id.ToString(), null, CancellationToken.None);
            TempData["flash"] = l[Texts.PassRevoked];
        }

        return Redirect("/Passes");
    }

    private async Task<IActionResult> IssuedAsync(PassRecord pass, string details)
    {
        // Not the request's token: the pass exists now, and a client that leaves must not take its audit with it.
        // The guest's name stays in the pass book: the audit log outlives the pass.
        await store.RecordKeeperActionAsync(HttpContext.Keeper(), "pass.issue", pass.Id.ToString(), details, CancellationToken.None);
        return Redirect($"/Passes/Show?id={pass.Id}");
    }

    private async Task LoadAsync()
    {
        Workers = [.. (await store.ListWorkersAsync(HttpContext.RequestAborted)).Where(w => w.Status == WorkerStatus.Active).OrderBy(w => w.Name, StringComparer.Ordinal)];
        _names = Workers.ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var all = passes.List();
        Active = [.. all.Where(p => p.IsActive(now))];
        Past = [.. all.Where(p => !p.IsActive(now)).Take(20)];
    }
}
