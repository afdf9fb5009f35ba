using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using StationEdge.KeeperSite.Accounts;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// Request bodies are small by default (a login, a form: <see cref="FormBytes"/>), so anonymous requests cannot make a
/// Pi hold megabytes; only a signed-in keeper's enrolment upload may send photos. Runs after authentication, before the
/// body is read.
/// </summary>
internal static class BodyLimits
{
    /// <summary>Every form of the site fits many times over; a login is a few hundred bytes.</summary>
    public const long FormBytes = 64 * 1024;

    public static long UploadBytes(KeeperSiteOptions site) => ((long)site.MaxPhotos * site.MaxPhotoMegabytes * 1024 * 1024) + FormBytes;

    public static Func<HttpContext, Func<Task>, Task> Raise(KeeperSiteOptions site)
    {
        var upload = UploadBytes(site);
        return (context, next) =>
        {
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/Enrol", StringComparison.OrdinalIgnoreCase)
                && context.User.IsInRole(nameof(KeeperRole.Keeper)) && limit is { IsReadOnly: false })
            {
                limit.MaxRequestBodySize = upload;
            }

            // Said at once when the length is declared (Kestrel stops a chunked body at the same limit as it is read).
            if (context.Request.ContentLength > (limit?.MaxRequestBodySize ?? FormBytes))
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return Task.CompletedTask;
            }

            return next();
        };
    }
}
