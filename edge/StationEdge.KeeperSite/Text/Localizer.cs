using Microsoft.AspNetCore.Http;

namespace StationEdge.KeeperSite.Text;

/// <summary>
/// The language of the request: <c>?lang=en</c> or <c>?lang=zh</c> (which also sets the <c>se_lang</c> cookie for a
/// year), else that cookie, else Chinese. Used in every page as <c>L[Texts.X]</c>.
/// </summary>
public sealed class Localizer(IHttpContextAccessor accessor)
{
    public const string CookieName = "se_lang";

    public Language Language => Of(accessor.HttpContext);

    /// <summary>The <c>lang</c> attribute of the page.</summary>
    public string HtmlLang => Language == Language.English ? "en" : "zh-CN";

    public string this[Phrase phrase] => phrase.In(Language);

    public string Format(Phrase phrase, params object?[] args) => phrase.In(Language, args);

    public static Language Of(HttpContext? context)
    {
        if (context is null)
        {
            return Language.Chinese;
        }

        var asked = context.Request.Query["lang"].FirstOrDefault() ?? context.Request.Cookies[CookieName];
        return string.Equals(asked, "en", StringComparison.OrdinalIgnoreCase) ? Language.English : Language.Chinese;
    }

    /// <summary>Middleware: a <c>?lang=</c> choice is remembered in the cookie.</summary>
    public static Task RememberChoice(HttpContext context, Func<Task> next)
    {
        var asked = context.Request.Query["lang"].FirstOrDefault();
        if (asked is "en" or "zh")
        {
            context.Response.Cookies.Append(CookieName, asked, new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365),
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                IsEssential = true,
            });
        }

        return next();
    }
}
