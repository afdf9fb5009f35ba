using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Workers;

public sealed class EditModel(StationStore store, Localizer l) : PageModel
{
    public Worker? Worker { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Phone { get; set; }

    [BindProperty]
    public string? Employer { get; set; }

    [BindProperty]
    public string? MemberNumber { get; set; }

    [BindProperty]
    public DateOnly? ValidUntil { get; set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(string id)
    {
        Worker = await FindAsync(id);
        if (Worker is not null)
        {
            (Name, Phone, Employer, MemberNumber, ValidUntil) = (Worker.Name, Worker.Phone, Worker.Employer, Worker.MemberNumber, Worker.ValidUntil);
        }
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
            var profile = new WorkerProfile
            {
                Name = Name?.Trim() ?? "",
                Phone = Blank(Phone),
                Employer = Blank(Employer),
                MemberNumber = Blank(MemberNumber),
                ValidUntil = ValidUntil,
            };
            var saved = await store.UpdateWorkerAsync(id, profile, HttpContext.Keeper(), HttpContext.RequestAborted);
            TempData["flash"] = l.Format(Texts.WorkerSaved, saved.Name);
            return Redirect("/Workers");
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            Error = l.Format(Texts.NotSaved, e.Message);
            return Page();
        }
    }

    internal static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<Worker?> FindAsync(string? id)
    {
        try
        {
            return id is null ? null : await store.GetWorkerAsync(id, HttpContext.RequestAborted);
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            return null;
        }
    }
}
