using Microsoft.AspNetCore.Http;

namespace StationEdge.KeeperSite.Web;

/// <summary>
/// Headers on every response: a content security policy that allows only the site's own scripts, styles and images
/// (no inline script, so text a keeper typed can never run even if it were rendered raw), no framing, no sniffing.
/// </summary>
internal static class SecurityHeaders
{
    private const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    public static Task Add(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()";
        if (!context.Request.Path.StartsWithSegments("/assets"))
        {
            headers.CacheControl = "no-store";
        }

        return next();
    }
}
