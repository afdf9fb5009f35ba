using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace StationEdge.CountySite;

/// <summary>
/// The request's language: <c>?lang=en</c> or <c>?lang=zh</c> (remembered in the <c>cs_lang</c> cookie), else that
/// cookie, else Chinese; <c>T("中文", "English")</c> picks one.
/// </summary>
public sealed class Lang(bool english)
{
    public const string CookieName = "cs_lang";

    public bool English { get; } = english;

    public string Code => English ? "en" : "zh-CN";

    public string T(string zh, string en) => English ? en : zh;

    public static Lang Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var asked = context.Request.Query["lang"].FirstOrDefault() ?? context.Request.Cookies[CookieName];
        return new Lang(string.Equals(asked, "en", StringComparison.OrdinalIgnoreCase));
    }

    public static Task Remember(HttpContext context, Func<Task> next)
    {
        if (context.Request.Query["lang"].FirstOrDefault() is { } asked && asked is "en" or "zh")
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

/// <summary>
/// Server-rendered HTML. Everything from the database or the request goes through <see cref="E"/> (markup escaped,
/// Chinese written as itself); the pages carry no inline script or style, so the CSP allows only the site's own assets.
/// </summary>
public static class Html
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string E(string? text) => Encoder.Encode(text ?? "");

    public static string Page(Lang l, string title, string? user, bool admin, string body, string path)
    {
        var other = l.English ? "zh" : "en";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"").Append(l.Code).Append("\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<title>").Append(E(title)).Append(" · ").Append(E(l.T("县级工会驿站", "County union stations"))).Append("</title>")
          .Append("<link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body><header><nav>");
        if (user is not null)
        {
            sb.Append(Link("/visits", l.T("到访记录", "Visits"))).Append(Link("/stats", l.T("统计", "Statistics")))
              .Append(Link("/stations", l.T("驿站", "Stations"))).Append(Link("/alarms", l.T("告警", "Alarms")))
              .Append(Link("/roster", l.T("花名册", "Roster")));
            if (admin)
            {
                sb.Append(Link("/accounts", l.T("账号", "Accounts")));
            }
        }

        sb.Append(Link("/finder", l.T("站点地图", "Station finder")))
          .Append("<a class=\"lang\" href=\"").Append(E(path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "lang=" + other)).Append("\">")
          .Append(l.English ? "中文" : "English").Append("</a>");
        if (user is not null)
        {
            sb.Append("<span class=\"user\">").Append(E(user)).Append("</span>");
        }

        sb.Append("</nav></header><main><h1>").Append(E(title)).Append("</h1>").Append(body).Append("</main></body></html>");
        return sb.ToString();
    }

    public static string Link(string href, string text) => $"<a href=\"{E(href)}\">{E(text)}</a>";

    public static string Hidden(string name, string? value) => $"<input type=\"hidden\" name=\"{E(name)}\" value=\"{E(value)}\">";

    public const string Css = """
        body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:0;color:#222;background:#f6f6f3}
        header{background:#b3261e;color:#fff}nav{display:flex;flex-wrap:wrap;gap:1em;padding:.6em 1em;align-items:center}
        nav a{color:#fff;text-decoration:none;font-weight:600}nav .lang{margin-left:auto;font-weight:400}nav .user{opacity:.85}
        main{padding:1em;max-width:1200px}table{border-collapse:collapse;width:100%;background:#fff}
        th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;font-size:.95em}th{background:#eee}
        form.filters{display:flex;flex-wrap:wrap;gap:.6em;margin-bottom:1em;align-items:end}label{display:flex;flex-direction:column;font-size:.85em}
        input,select,button{font-size:1em;padding:.3em}button.primary{background:#b3261e;color:#fff;border:0;padding:.45em 1.2em;border-radius:4px}
        .down{color:#b3261e;font-weight:700}.up{color:#1b7a2b}.refused{color:#b3261e}.error{color:#b3261e;font-weight:700}
        .login{max-width:360px;display:flex;flex-direction:column;gap:.8em}.more{margin:1em 0;display:inline-block}
        form.ack{display:flex;gap:.4em;flex-wrap:wrap}tr.acked td{color:#666}
        figure{margin:1em 0;overflow-x:auto}figure svg{max-width:100%;height:auto}tfoot th{background:#f3f3f3}
        .printed{color:#666;font-size:.85em}
        .notice{background:#e7f4e9;border-left:4px solid #1b7a2b;padding:.5em .8em}.warning{background:#fdecea;border-left:4px solid #b3261e;padding:.6em .8em;font-weight:600}
        a.button{display:inline-block;padding:.25em .7em;border:1px solid #999;border-radius:4px;text-decoration:none;color:#222;background:#fff;margin:.1em 0}
        a.button.delete{border-color:#b3261e;color:#b3261e}tr.suspended td{color:#777}tr.suspended td.status{color:#b3261e;font-weight:700}
        form.confirm{display:flex;gap:1em;align-items:center;margin-top:1em}
        @page{size:A4;margin:15mm}
        @media print{header,.noprint,form{display:none}body{background:#fff}main{padding:0;max-width:none}
          h1{font-size:16pt;margin:0 0 6pt}th,td{font-size:9pt;padding:2pt 4pt}svg{width:100%;height:auto}
          table,figure,svg{page-break-inside:avoid;break-inside:avoid}}
        @media (max-width:700px){td:nth-child(n+7),th:nth-child(n+7){display:none}}
        @media (max-width:700px){#roster td:nth-child(8),#roster th:nth-child(8){display:table-cell}#roster td:nth-child(4),#roster th:nth-child(4){display:none}#roster td:nth-child(2),#roster td.status{white-space:nowrap}#roster td small{display:block}td.actions a.button{padding:.4em .8em}}
        """;
}
