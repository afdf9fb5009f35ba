using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.KeeperSite.Accounts;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// The door screen is a device, not a page for everyone: it shows the camera and who walked in, which are a rider's
/// personal information. <c>/screen</c> and its streams answer a client in <c>KeeperSite:ScreenAddresses</c> (the Pi's
/// own display), a paired screen (its token cookie), or a signed-in keeper; anyone else gets the login page (the page)
/// or 401 (the streams). The pairing page itself is open, so a screen can type its code.
/// </summary>
internal static class ScreenAccess
{
    public const string PairPath = "/screen/pair";

    public static Func<HttpContext, Func<Task>, Task> Guard(KeeperSiteOptions site)
    {
        var own = site.ParseScreenAddresses();
        return (context, next) =>
        {
            var path = context.Request.Path;
            if (!path.StartsWithSegments("/screen", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(PairPath, StringComparison.OrdinalIgnoreCase)
                || Allowed(context, own))
            {
                return next();
            }

            if (path.Equals("/screen", StringComparison.OrdinalIgnoreCase) || path.Equals("/screen/", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Redirect("/Login?ReturnUrl=%2Fscreen");
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }

            return Task.CompletedTask;
        };
    }

    private static bool Allowed(HttpContext context, IReadOnlySet<IPAddress> own)
    {
        if (context.Connection.RemoteIpAddress is { } address && own.Contains(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address))
        {
            return true;
        }

        if (context.User.IsInRole(nameof(KeeperRole.Keeper)))
        {
            return true;
        }

        return context.Request.Cookies.TryGetValue(PairedScreens.CookieName, out var token)
            && context.RequestServices.GetRequiredService<PairedScreens>().Check(token) is not null;
    }
}

/// <summary>How the door screen names a worker: the full name, 王师傅 (surname and the usual honorific), or nobody.</summary>
public static class ScreenNames
{
    // Two-character surnames common enough to meet at a station; every other Chinese name's surname is its first character.
    private static readonly string[] Compound = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里"];

    public static string? Shown(string name, ScreenNameStyle style)
    {
        ArgumentNullException.ThrowIfNull(name);
        return style switch
        {
            ScreenNameStyle.Full => name,
            ScreenNameStyle.None => null,
            _ => Surname(name.Trim()),
        };
    }

    private static string Surname(string name)
    {
        if (name.Length == 0)
        {
            return name;
        }

        if (name[0] is >= '\u4e00' and <= '\u9fff')
        {
            var surname = Compound.FirstOrDefault(c => name.StartsWith(c, StringComparison.Ordinal) && name.Length > c.Length) ?? name[..1];
            return surname + "师傅";
        }

        // A name in Latin letters: its first word, as people at the door would call them.
        return name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
    }
}
