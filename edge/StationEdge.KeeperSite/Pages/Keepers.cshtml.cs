using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages;

/// <summary>Administrators only: keeper accounts added, passwords reset, accounts removed; each audited.</summary>
public sealed class KeepersModel(KeeperAccounts accounts, StationStore store, Localizer l) : PageModel
{
    public IReadOnlyList<KeeperAccount> Accounts => accounts.List();

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostAddAsync(string name, KeeperRole role, string password) =>
        ChangeAsync("keeper.add", name, role.ToString().ToLowerInvariant(), () => accounts.Add(name.Trim(), password, role), l.Format(Texts.KeeperAdded, name));

    public Task<IActionResult> OnPostPasswordAsync(string name, string password) =>
        ChangeAsync("keeper.password", name, null, () => accounts.SetPassword(name, password), l.Format(Texts.PasswordWasReset, name));

    public Task<IActionResult> OnPostRemoveAsync(string name)
    {
        if (name == User.Name())
        {
            Error = l[Texts.CannotRemoveSelf];
            return Task.FromResult<IActionResult>(Page());
        }

        return ChangeAsync("keeper.remove", name, null, () => accounts.Remove(name), l.Format(Texts.KeeperRemoved, name));
    }

    private async Task<IActionResult> ChangeAsync(string action, string name, string? details, Action change, string done)
    {
        try
        {
            change();
        }
        catch (KeeperAccountException e)
        {
            Error = l.Format(Texts.NotSaved, e.Message);
            return Page();
        }

        // The account has changed: a client that leaves now must not take the audit with it.
        await store.RecordKeeperActionAsync(HttpContext.Keeper(), action, "keeper:" + name.Trim(), details, CancellationToken.None);
        TempData["flash"] = done;
        return Redirect("/Keepers");
    }
}
