using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages;

public sealed class LoginModel(KeeperAccounts accounts, LoginGuard guard, StationStore store, Localizer l) : PageModel
{
    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public bool NoKeepers { get; private set; }

    public void OnGet() => NoKeepers = accounts.List().Count == 0;

    public async Task<IActionResult> OnPostAsync()
    {
        var address = HttpContext.Address();
        var name = (Name ?? "").Trim();
        if (guard.LockedFor(address, name) is { } locked)
        {
            return LockedOut(locked);
        }

        var account = accounts.Check(name, Password ?? "");
        if (account is null)
        {
            guard.Failed(address, name);
            await store.RecordKeeperActionAsync(new KeeperContext("keeper:" + Shown(name), address), "keeper.login_failed", ct: CancellationToken.None);
            if (guard.LockedFor(address, name) is { } now)
            {
                return LockedOut(now);
            }

            Error = l[Texts.LoginFailed];
            NoKeepers = accounts.List().Count == 0;
            return Page();
        }

        guard.Succeeded(address, name);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, KeeperUser.Principal(account, CookieAuthenticationDefaults.AuthenticationScheme));
        await store.RecordKeeperActionAsync(new KeeperContext("keeper:" + account.Name, address), "keeper.login", ct: CancellationToken.None);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/");
    }

    private PageResult LockedOut(TimeSpan left)
    {
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Error = l.Format(Texts.LockedOut, Math.Max(1, (int)Math.Ceiling(left.TotalMinutes)));
        return Page();
    }

    /// <summary>A typed name as the audit may keep it: a valid keeper name, else a mark.</summary>
    private static string Shown(string name)
    {
        try
        {
            KeeperAccounts.CheckName(name);
            return name;
        }
        catch (KeeperAccountException)
        {
            return "?";
        }
    }
}
