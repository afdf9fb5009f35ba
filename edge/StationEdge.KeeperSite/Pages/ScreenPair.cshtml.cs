using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Text;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages;

/// <summary>
/// A door screen types the code a keeper got on the 门 page and receives its token as a cookie (a year, HttpOnly,
/// Secure over https). The pairing is audited under the keeper who asked for the code.
/// </summary>
public sealed class ScreenPairModel(PairedScreens screens, StationStore store, Localizer l) : PageModel
{
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? code, string? name)
    {
        if (screens.Pair(code, name) is not { } paired)
        {
            Error = l[Texts.PairWrong];
            return Page();
        }

        // Written whatever the screen does next: the pairing has happened.
        await store.RecordKeeperActionAsync(new KeeperContext("keeper:" + paired.Screen.PairedBy, HttpContext.Connection.RemoteIpAddress?.ToString()),
            "screen.pair", paired.Screen.Id, paired.Screen.Name, CancellationToken.None);
        Response.Cookies.Append(PairedScreens.CookieName, paired.Token, new CookieOptions
        {
            HttpOnly = true,
            Secure = Request.IsHttps,
            SameSite = SameSiteMode.Strict,
            MaxAge = TimeSpan.FromDays(365),
            Path = "/",
        });
        return Redirect("/screen");
    }
}
