using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Workers;

public sealed class EditModel(StationStore store, Localizer l) : PageModel
{
    public Worker? Worker { get; private set; }

    [BindProperty(Name = "")]
    public WorkerForm Form { get; set; } = new();

    public string? Error { get; private set; }

    /// <summary>The templates the door learned for this worker (issue 19 §2), oldest first.</summary>
    public IReadOnlyList<LearnedTemplateInfo> Learned { get; private set; } = [];

    public async Task OnGetAsync(string id)
    {
        Worker = await FindAsync(id);
        if (Worker is not null)
        {
            Form = WorkerForm.From(Worker);
            Learned = await store.ListLearnedTemplatesAsync(Worker.Id, HttpContext.RequestAborted);
        }
    }

    /// <summary>Removes one learned template (audited as <c>worker.templates.learned.remove</c>); the daemon's gallery follows within Access:RosterPollMs.</summary>
    public async Task<IActionResult> OnPostRemoveLearnedAsync(string id, Guid template)
    {
        Worker = await FindAsync(id);
        if (Worker is null)
        {
            return NotFound();
        }

        try
        {
            await store.RemoveLearnedTemplateAsync(Worker.Id, template, HttpContext.Keeper(), HttpContext.RequestAborted);
            TempData["flash"] = l.Format(Texts.LearnedRemoved, Worker.Name);
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            TempData["flash"] = l.Format(Texts.NotSaved, e.Message);
        }

        return Redirect($"/Workers/Edit?id={Uri.EscapeDataString(Worker.Id)}");
    }

    public async Task<IActionResult> OnPostAsync(string id)
    {
        Worker = await FindAsync(id);
        if (Worker is null)
        {
            return NotFound();
        }

        try
        {
            var saved = await store.UpdateWorkerAsync(id, Form.Profile(), HttpContext.Keeper(), HttpContext.RequestAborted);
            if (Form.Scope() is { } scope)
            {
                // Its own audit row (worker.consent), which the county hears of: to county, the templates roam; back, they are withdrawn.
                saved = await store.SetConsentScopeAsync(id, scope, HttpContext.Keeper(), HttpContext.RequestAborted);
            }

            TempData["flash"] = l.Format(Texts.WorkerSaved, saved.Name);
            return Redirect("/Workers");
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            Error = l.Format(Texts.NotSaved, e.Message);
            return Page();
        }
    }

    private async Task<Worker?> FindAsync(string? id) => (await WorkerLookup.FindAsync(store, id, HttpContext.RequestAborted)).Worker;
}
