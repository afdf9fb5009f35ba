using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages;

/// <summary>The 门 page's door screens: a pairing code for a new screen, and revoking one (audited, effective at once).</summary>
public sealed class DoorScreensModel(PairedScreens screens, StationStore store, Localizer l) : PageModel
{
    public IActionResult OnGet() => Redirect("/Door#screens");

    public async Task<IActionResult> OnPostPairAsync()
    {
        var code = screens.NewCode(User.Name());
        await store.RecordKeeperActionAsync(HttpContext.Keeper(), "screen.pairing_code", null, null, CancellationToken.None);
        TempData["pairing"] = l.Format(Texts.PairingCodeIs, code.Code, (int)PairedScreens.CodeLifetime.TotalMinutes);
        return Redirect("/Door#screens");
    }

    public async Task<IActionResult> OnPostRevokeAsync(string? id)
    {
        var screen = screens.List().FirstOrDefault(s => s.Id == id);
        if (screen is not null && screens.Revoke(screen.Id))
        {
            await store.RecordKeeperActionAsync(HttpContext.Keeper(), "screen.revoke", screen.Id, screen.Name, CancellationToken.None);
            TempData["flash"] = l[Texts.ScreenRevoked];
        }

        return Redirect("/Door#screens");
    }
}
