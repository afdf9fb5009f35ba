using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using StationEdge.KeeperSite.Accounts;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Web;

/// <summary>The logged-in keeper of a request, and how their actions are named in the audit log.</summary>
public static class KeeperUser
{
    public const string StampClaim = "se:stamp";
    public const string KeeperPolicy = "keeper";
    public const string AdminPolicy = "admin";

    public static string Name(this ClaimsPrincipal user) => user.Identity?.Name ?? "?";

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(nameof(KeeperRole.Admin));

    /// <summary>The client's address as the audit records it.</summary>
    public static string Address(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "?";

    /// <summary>Who did it and from where, for the store's audit log: <c>keeper:NAME</c>.</summary>
    public static KeeperContext Keeper(this HttpContext context) => new("keeper:" + context.User.Name(), context.Address());

    public static ClaimsPrincipal Principal(KeeperAccount account, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, account.Name),
            new Claim(ClaimTypes.Role, nameof(KeeperRole.Keeper)),
            .. account.Role == KeeperRole.Admin ? [new Claim(ClaimTypes.Role, nameof(KeeperRole.Admin))] : Array.Empty<Claim>(),
            new Claim(StampClaim, account.Stamp),
        ],
        scheme));
}
