using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages.Enrol;

/// <summary>An enrolment's middle steps: the face to enrol from a photo with several, or the duplicate to confirm.</summary>
public sealed class DraftModel(EnrolmentDrafts drafts, EnrolmentSteps steps, Localizer l) : PageModel
{
    public EnrolDraft? Draft { get; private set; }

    public void OnGet(Guid id) => Draft = drafts.Find(id, User.Name());

    public async Task<IActionResult> OnPostChooseAsync(Guid id, int face)
    {
        Draft = drafts.Find(id, User.Name());
        if (Draft is null || Draft.ToChoose.Count == 0 || face < 0 || face >= Draft.ToChoose[0].Count)
        {
            return Page();
        }

        var next = Draft with { Chosen = [.. Draft.Chosen, Draft.ToChoose[0][face]], ToChoose = [.. Draft.ToChoose.Skip(1)] };
        return await ContinueAsync(next, confirmed: false);
    }

    public async Task<IActionResult> OnPostConfirmAsync(Guid id, bool confirm)
    {
        Draft = drafts.Find(id, User.Name());
        return Draft is null || !confirm ? Page() : await ContinueAsync(Draft, confirmed: true);
    }

    private async Task<IActionResult> ContinueAsync(EnrolDraft draft, bool confirmed)
    {
        try
        {
            return Redirect(await steps.ContinueAsync(draft, confirmed, HttpContext.Keeper(), HttpContext.RequestAborted));
        }
        catch (StoreException e) when (e.IsBadInput)
        {
            TempData["flash"] = l.Format(Texts.NotSaved, e.Message);
            return Redirect("/Enrol");
        }
    }
}
