using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using static StationEdge.CountySite.Html;

namespace StationEdge.CountySite;

/// <summary>The site's pages and feeds. Pages need a login except the login page itself and the station finder.</summary>
internal static partial class CountySitePages
{
    public const string RoleClaim = ClaimTypes.Role;
    public const string StampClaim = "county_stamp";
    public const string AdminPolicy = "county-admin";
    public const string StaffPolicy = "county-staff";

    /// <summary>A station not heard from for this long shows as down even if its last status said online.</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromMinutes(15);

    public static void Map(WebApplication app)
    {
        app.MapGet("/assets/site.css", () => Results.Text(Css, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapGet("/", () => Results.Redirect("/visits")).AllowAnonymous();
        app.MapGet("/login", LoginPage).AllowAnonymous();
        app.MapPost("/login", LoginAsync).AllowAnonymous();
        app.MapPost("/logout", LogoutAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/visits", VisitsAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/visits/{station}/{seq:long}", VisitDetailAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/visits.csv", CsvAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/stations", StationsAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/alarms", AlarmsAsync).RequireAuthorization(StaffPolicy);
        app.MapPost("/alarms/ack", AcknowledgeAsync).RequireAuthorization(AdminPolicy);
        app.MapGet("/accounts", AccountsAsync).RequireAuthorization(AdminPolicy);
        app.MapPost("/accounts", AddAccountAsync).RequireAuthorization(AdminPolicy);
        app.MapGet("/denied", (HttpContext c) => Send(c, StatusCodes.Status403Forbidden, Lang.Of(c).T("没有权限", "Not allowed"),
            $"<p>{E(Lang.Of(c).T("这个操作需要县级管理员。", "This needs a county admin."))}</p>")).AllowAnonymous();
        MapStats(app);
        MapRoster(app);
        MapApi(app);
        app.MapGet("/finder", FinderAsync).AllowAnonymous();
        app.MapGet("/api/public/stations", PublicStationsAsync).AllowAnonymous();
    }

    private static string Address(HttpContext c) => c.Connection.RemoteIpAddress?.ToString() ?? "";

    private static string? User(HttpContext c) => c.User.Identity?.IsAuthenticated == true ? c.User.Identity.Name : null;

    private static IResult Send(HttpContext c, int status, string title, string body) =>
        Results.Content(Page(Lang.Of(c), title, User(c), c.User.IsInRole("county-admin"), body, c.Request.Path), "text/html; charset=utf-8", Encoding.UTF8, status);

    private static string Form(HttpContext c, string action, string inner, string css = "")
    {
        var tokens = c.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(c);
        return $"<form method=\"post\" action=\"{E(action)}\" class=\"{css}\">{Hidden(tokens.FormFieldName, tokens.RequestToken)}{inner}</form>";
    }

    private static async Task<bool> FormOkAsync(HttpContext c)
    {
        try
        {
            await c.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(c);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static IResult LoginPage(HttpContext c) => LoginForm(c, null, StatusCodes.Status200OK);

    private static IResult LoginForm(HttpContext c, string? error, int status)
    {
        var l = Lang.Of(c);
        var returnUrl = c.Request.Query["ReturnUrl"].FirstOrDefault() ?? (c.Request.HasFormContentType ? c.Request.Form["ReturnUrl"].FirstOrDefault() : null);
        var body = (error is null ? "" : $"<p class=\"error\" id=\"error\">{E(error)}</p>") + Form(c, "/login",
            $"<label>{E(l.T("账号", "Account"))}<input name=\"Name\" autocomplete=\"username\" required></label>"
            + $"<label>{E(l.T("密码", "Password"))}<input name=\"Password\" type=\"password\" autocomplete=\"current-password\" required></label>"
            + Hidden("ReturnUrl", returnUrl)
            + $"<button class=\"primary\" type=\"submit\">{E(l.T("登录", "Log in"))}</button>", "login");
        return Send(c, status, l.T("登录", "Log in"), body);
    }

    private static async Task<IResult> LoginAsync(HttpContext c, CountyAccounts accounts, CountyLoginGuard guard, NpgsqlDataSource data)
    {
        var l = Lang.Of(c);
        if (!await FormOkAsync(c))
        {
            return LoginForm(c, l.T("表单已过期，请再试一次。", "The form expired; please try again."), StatusCodes.Status400BadRequest);
        }

        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var name = (form["Name"].FirstOrDefault() ?? "").Trim();
        var password = form["Password"].FirstOrDefault() ?? "";
        var address = Address(c);
        if (guard.LockedFor(address, name) is { } locked)
        {
            c.Response.Headers.RetryAfter = ((int)Math.Ceiling(locked.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return LoginForm(c, l.T($"登录失败次数过多，请 {Math.Ceiling(locked.TotalMinutes)} 分钟后再试。",
                $"Too many failed logins; try again in {Math.Ceiling(locked.TotalMinutes)} min."), StatusCodes.Status429TooManyRequests);
        }

        var account = await accounts.CheckAsync(name, password, c.RequestAborted);
        if (account is null)
        {
            guard.Failed(address, name);
            await CountyAudit.WriteAsync(data, name, "login.failed", null, null, address, c.RequestAborted);
            return LoginForm(c, l.T("账号或密码不对。", "Wrong account or password."), StatusCodes.Status401Unauthorized);
        }

        guard.Succeeded(address, name);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, account.Name), new Claim(RoleClaim, CountyAccounts.RoleName(account.Role)), new Claim(StampClaim, account.Stamp)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await c.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        await CountyAudit.WriteAsync(data, account.Name, "login", null, null, address, c.RequestAborted);
        var back = form["ReturnUrl"].FirstOrDefault();
        // Only a path of this site: never a redirect elsewhere.
        return Results.Redirect(back is { Length: > 1 } && back[0] == '/' && back[1] is not ('/' or '\\') ? back : "/visits");
    }

    private static async Task<IResult> LogoutAsync(HttpContext c, NpgsqlDataSource data)
    {
        if (!await FormOkAsync(c))
        {
            return Results.BadRequest();
        }

        await CountyAudit.WriteAsync(data, User(c) ?? "", "logout", null, null, Address(c), c.RequestAborted);
        await c.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.Redirect("/login");
    }

    /// <summary>The filters from the query string; a malformed one is a one-line 400 naming it.</summary>
    private static (VisitFilter? Filter, string? Problem) FilterOf(HttpContext c)
    {
        var q = c.Request.Query;
        string? Text(string key) => q[key].FirstOrDefault() is { Length: > 0 } v ? v.Trim() : null;
        string? problem = null;
        DateOnly? Date(string key)
        {
            if (Text(key) is not { } t)
            {
                return null;
            }

            if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return d;
            }

            problem = $"{key} must be a date as yyyy-MM-dd (was '{t}')";
            return null;
        }

        var from = Date("from");
        var to = Date("to");
        var decision = Text("decision");
        if (decision is not null && !VisitFilter.Decisions.Contains(decision))
        {
            problem = $"decision must be {string.Join(" or ", VisitFilter.Decisions)} (was '{decision}')";
        }

        var reason = Text("reason");
        if (reason is not null && (reason.Length > 64 || !reason.All(ch => ch is (>= 'a' and <= 'z') or '_')))
        {
            problem = $"reason must be a reason code such as unknown or match (was '{reason}')";
        }

        var method = Text("method");
        if (method is not null && !CountyCodes.MethodCodes.Contains(method))
        {
            problem = $"method must be {string.Join(", ", CountyCodes.MethodCodes)} (was '{method}')";
        }

        if (q["after"].FirstOrDefault() is { Length: > 0 } after && VisitCursor.Parse(after) is null)
        {
            problem = "after is not a page cursor of this site";
        }

        return problem is null ? (new VisitFilter(Text("station"), from, to, Text("worker"), decision, reason, method), null) : (null, problem);
    }

    private static async Task<IResult> VisitsAsync(HttpContext c, CountyData data, IOptions<CountySiteOptions> options)
    {
        var l = Lang.Of(c);
        var (filter, problem) = FilterOf(c);
        if (filter is null)
        {
            return Send(c, StatusCodes.Status400BadRequest, l.T("到访记录", "Visits"), $"<p class=\"error\">{E(problem)}</p>");
        }

        var zone = options.Value.Zone();
        var after = VisitCursor.Parse(c.Request.Query["after"].FirstOrDefault());
        var (rows, next) = await data.VisitsAsync(filter, after, options.Value.PageSize, c.RequestAborted);
        var stations = await data.StationsAsync(c.RequestAborted);
        var names = stations.ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        var sb = new StringBuilder();
        sb.Append("<form method=\"get\" action=\"/visits\" class=\"filters\">")
          .Append($"<label>{E(l.T("驿站", "Station"))}<select name=\"station\"><option value=\"\">{E(l.T("全部", "All"))}</option>");
        foreach (var s in stations)
        {
            sb.Append($"<option value=\"{E(s.Id)}\"{(s.Id == filter.Station ? " selected" : "")}>{E(s.Name)}</option>");
        }

        sb.Append("</select></label>")
          .Append($"<label>{E(l.T("从", "From"))}<input type=\"date\" name=\"from\" value=\"{E(filter.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}\"></label>")
          .Append($"<label>{E(l.T("到", "To"))}<input type=\"date\" name=\"to\" value=\"{E(filter.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))}\"></label>")
          .Append($"<label>{E(l.T("骑手（编号或姓名）", "Worker (id or name)"))}<input name=\"worker\" value=\"{E(filter.Worker)}\"></label>")
          .Append($"<label>{E(l.T("结果", "Decision"))}<select name=\"decision\"><option value=\"\">{E(l.T("全部", "All"))}</option>");
        foreach (var d in VisitFilter.Decisions)
        {
            sb.Append($"<option value=\"{d}\"{(d == filter.Decision ? " selected" : "")}>{E(DecisionText(l, d))}</option>");
        }

        sb.Append("</select></label>")
          .Append($"<label>{E(l.T("原因", "Reason"))}<select name=\"reason\"><option value=\"\">{E(l.T("全部", "All"))}</option>");
        foreach (var r in CountyCodes.ReasonCodes)
        {
            sb.Append($"<option value=\"{r}\"{(r == filter.Reason ? " selected" : "")}>{E(CountyCodes.Reason(l, r))}</option>");
        }

        sb.Append("</select></label>")
          .Append($"<label>{E(l.T("方式", "Method"))}<select name=\"method\"><option value=\"\">{E(l.T("全部", "All"))}</option>");
        foreach (var m in CountyCodes.MethodCodes)
        {
            sb.Append($"<option value=\"{m}\"{(m == filter.Method ? " selected" : "")}>{E(CountyCodes.Method(l, m))}</option>");
        }

        var query = FilterQuery(filter);
        sb.Append("</select></label>")
          .Append($"<button class=\"primary\" type=\"submit\">{E(l.T("筛选", "Filter"))}</button>")
          .Append($"<a id=\"csv\" href=\"/visits.csv{E(query.Length == 0 ? "" : "?" + query)}\">{E(l.T("导出 CSV", "Export CSV"))}</a></form>");
        sb.Append("<table id=\"visits\"><thead><tr>")
          .Append($"<th>{E(l.T("时间", "Time"))}</th><th>{E(l.T("驿站", "Station"))}</th><th>{E(l.T("骑手", "Worker"))}</th>")
          .Append($"<th>{E(l.T("结果", "Decision"))}</th><th>{E(l.T("原因", "Reason"))}</th><th>{E(l.T("方式", "Method"))}</th>")
          .Append($"<th>{E(l.T("分数 / 阈值", "Score / threshold"))}</th></tr></thead><tbody>");
        foreach (var v in rows)
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(v.TimeUtc, zone);
            sb.Append($"<tr class=\"{(v.Decision == "granted" ? "" : "refused")}\"><td><a href=\"{E(DetailPath(v.Station, v.Seq))}\">{local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}</a></td>")
              .Append($"<td>{E(names.GetValueOrDefault(v.Station, v.Station))}</td><td>{E(v.WorkerName ?? v.WorkerId ?? "—")}</td>")
              .Append($"<td>{E(DecisionText(l, v.Decision))}</td><td>{E(CountyCodes.Reason(l, v.Reason))}</td><td>{E(CountyCodes.Method(l, v.Method))}</td>")
              .Append($"<td>{E(Score(v.Score))} / {E(Score(v.Threshold))}</td></tr>");
        }

        sb.Append("</tbody></table>");
        if (rows.Count == 0)
        {
            sb.Append($"<p id=\"none\">{E(l.T("没有符合条件的到访。", "No visits match."))}</p>");
        }

        if (next is not null)
        {
            var more = "after=" + Uri.EscapeDataString(next.Text) + (query.Length == 0 ? "" : "&" + query);
            sb.Append($"<a class=\"more\" id=\"next\" href=\"/visits?{E(more)}\">{E(l.T("下一页", "Next page"))}</a>");
        }

        sb.Append($"<p>{E(l.T($"时间为 {zone.Id} 时间。", $"Times in {zone.Id}."))}</p>");
        sb.Append(Form(c, "/logout", $"<button type=\"submit\">{E(l.T("退出登录", "Log out"))}</button>"));
        return Send(c, StatusCodes.Status200OK, l.T("到访记录", "Visits"), sb.ToString());
    }

    private static readonly Dictionary<string, (string Zh, string En)> Fields = new(StringComparer.Ordinal)
    {
        ["station_id"] = ("驿站", "Station"),
        ["seq"] = ("上传序号", "Outbox seq"),
        ["id"] = ("记录编号", "Visit id"),
        ["visit_seq"] = ("驿站内序号", "Station's visit no."),
        ["time"] = ("时间", "Time"),
        ["decision"] = ("结果", "Decision"),
        ["reason"] = ("原因", "Reason"),
        ["method"] = ("方式", "Method"),
        ["worker_id"] = ("骑手编号", "Worker id"),
        ["worker_name"] = ("骑手姓名", "Worker name"),
        ["score"] = ("相似度分数", "Score"),
        ["margin"] = ("与第二名的差距", "Margin over the next"),
        ["liveness"] = ("活体分数", "Liveness"),
        ["threshold"] = ("当时的阈值", "Threshold at the time"),
        ["gallery_size"] = ("当时登记人数", "Gallery size"),
        ["pass_id"] = ("通行证编号", "Pass id"),
        ["by_whom"] = ("操作人", "By whom"),
        ["received_at"] = ("县里收到的时间", "Received by the county"),
    };

    /// <summary>One visit with every column the county holds; a field this page has no words for is shown by its column name.</summary>
    private static async Task<IResult> VisitDetailAsync(HttpContext c, string station, long seq, CountyData data, IOptions<CountySiteOptions> options)
    {
        var l = Lang.Of(c);
        var title = l.T("到访详情", "Visit");
        var fields = await data.VisitAsync(station, seq, c.RequestAborted);
        if (fields is null)
        {
            return Send(c, StatusCodes.Status404NotFound, title, $"<p class=\"error\">{E(l.T($"没有驿站 {station} 序号 {seq} 的到访。", $"No visit {seq} of station {station}."))}</p>");
        }

        var zone = options.Value.Zone();
        var names = (await data.StationsAsync(c.RequestAborted)).ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        var sb = new StringBuilder("<table id=\"visit\"><tbody>");
        foreach (var (column, value) in fields)
        {
            var text = value switch
            {
                null => "—",
                DateTime t => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(t, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                float f => f.ToString("0.000", CultureInfo.InvariantCulture),
                string s when column == "decision" => CountyCodes.Decision(l, s),
                string s when column == "reason" => $"{CountyCodes.Reason(l, s)} ({s})",
                string s when column == "method" => $"{CountyCodes.Method(l, s)} ({s})",
                string s when column == "station_id" => $"{names.GetValueOrDefault(s, s)} ({s})",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
            var label = Fields.TryGetValue(column, out var w) ? l.T(w.Zh, w.En) : column;
            sb.Append($"<tr data-field=\"{E(column)}\"><th>{E(label)}</th><td>{E(text)}</td></tr>");
        }

        sb.Append("</tbody></table>").Append($"<p>{E(l.T($"时间为 {zone.Id} 时间。", $"Times in {zone.Id}."))} ")
          .Append($"<a href=\"/visits?station={E(Uri.EscapeDataString(station))}\">{E(l.T("这个驿站的到访", "This station's visits"))}</a></p>");
        return Send(c, StatusCodes.Status200OK, title, sb.ToString());
    }

    private static string Score(float? x) => x is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "—";

    private static string DecisionText(Lang l, string d) => CountyCodes.Decision(l, d);

    private static string DetailPath(string station, long seq) => $"/visits/{Uri.EscapeDataString(station)}/{seq.ToString(CultureInfo.InvariantCulture)}";

    private static string FilterQuery(VisitFilter f)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                parts.Add(key + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("station", f.Station);
        Add("from", f.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", f.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("worker", f.Worker);
        Add("decision", f.Decision);
        Add("reason", f.Reason);
        Add("method", f.Method);
        return string.Join('&', parts);
    }

    /// <summary>The filtered visits as CSV, written as they are read (flushed in blocks), UTF-8 with a BOM for Excel.</summary>
    private static async Task CsvAsync(HttpContext c, CountyData data, IOptions<CountySiteOptions> options, NpgsqlDataSource source)
    {
        var (filter, problem) = FilterOf(c);
        if (filter is null)
        {
            c.Response.StatusCode = StatusCodes.Status400BadRequest;
            await c.Response.WriteAsync(problem!, c.RequestAborted);
            return;
        }

        var zone = options.Value.Zone();
        await CountyAudit.WriteAsync(source, User(c) ?? "", "visits.export", null, FilterQuery(filter), Address(c), c.RequestAborted);
        c.Response.ContentType = "text/csv; charset=utf-8";
        c.Response.Headers.ContentDisposition = $"attachment; filename=\"visits-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
        await using var writer = new StreamWriter(c.Response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024);
        // The header and the decision, reason and method in the page's language: the clerk opens this in Excel.
        var l = Lang.Of(c);
        var header = l.English
            ? new[] { "time", "station", "seq", "worker_id", "worker_name", "decision", "reason", "method", "score", "threshold" }
            : ["时间", "驿站", "序号", "骑手编号", "骑手姓名", "结果", "原因", "方式", "分数", "阈值"];
        await writer.WriteAsync((string.Join(',', header.Select(Csv.Cell)) + "\r\n").AsMemory(), c.RequestAborted);
        var n = 0;
        await foreach (var v in data.AllVisitsAsync(filter, c.RequestAborted))
        {
            var local = TimeZoneInfo.ConvertTimeFromUtc(v.TimeUtc, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            await writer.WriteAsync(string.Join(',', Csv.Cell(local), Csv.Cell(v.Station), Csv.Cell(v.Seq.ToString(CultureInfo.InvariantCulture)),
                Csv.Cell(v.WorkerId), Csv.Cell(v.WorkerName), Csv.Cell(CountyCodes.Decision(l, v.Decision)), Csv.Cell(CountyCodes.Reason(l, v.Reason)), Csv.Cell(CountyCodes.Method(l, v.Method)),
                Csv.Cell(v.Score?.ToString("0.000", CultureInfo.InvariantCulture)), Csv.Cell(v.Threshold?.ToString("0.000", CultureInfo.InvariantCulture))) + "\r\n");
            if (++n % 2000 == 0)
            {
                await writer.FlushAsync(c.RequestAborted);
            }
        }

        await writer.FlushAsync(c.RequestAborted);
    }

    private static bool IsUp(StationLine s, DateTimeOffset now) => s.Online && s.LastSeen is { } seen && now - seen < Stale;

    private static async Task<IResult> StationsAsync(HttpContext c, CountyData data, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var l = Lang.Of(c);
        var zone = options.Value.Zone();
        var now = time.GetUtcNow();
        var stations = (await data.StationsAsync(c.RequestAborted)).OrderBy(s => IsUp(s, now)).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var sb = new StringBuilder("<table id=\"stations\"><thead><tr>");
        sb.Append($"<th>{E(l.T("驿站", "Station"))}</th><th>{E(l.T("状态", "State"))}</th><th>{E(l.T("最后联系", "Last seen"))}</th>")
          .Append($"<th>{E(l.T("待上传", "Outbox"))}</th><th>{E(l.T("最早未上传", "Oldest unsent"))}</th><th>{E(l.T("告警", "Alarms"))}</th>")
          .Append($"<th>{E(l.T("版本", "Version"))}</th></tr></thead><tbody>");
        foreach (var s in stations)
        {
            var up = IsUp(s, now);
            sb.Append($"<tr data-station=\"{E(s.Id)}\"><td>{E(s.Name)} <small>{E(s.Id)}</small></td>")
              .Append($"<td class=\"{(up ? "up" : "down")}\">{E(up ? l.T("在线", "online") : l.T("离线", "down"))}</td>")
              .Append($"<td>{E(s.LastSeen is { } seen ? TimeZoneInfo.ConvertTime(seen, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : l.T("从未", "never"))}</td>")
              .Append($"<td>{E(s.OutboxDepth?.ToString(CultureInfo.InvariantCulture) ?? l.T("未知", "unknown"))}</td>")
              .Append($"<td>{E(s.OldestUnsentSeconds is { } o ? Ago(l, o) : "—")}</td>")
              .Append($"<td class=\"{(s.OpenAlarms is { Count: > 0 } ? "down" : "")}\">{E(s.OpenAlarms is { Count: > 0 } a ? string.Join(", ", a) : "—")}</td>")
              .Append($"<td>{E(s.SoftwareVersion ?? "—")}</td></tr>");
        }

        sb.Append("</tbody></table>");
        return Send(c, StatusCodes.Status200OK, l.T("驿站", "Stations"), sb.ToString());
    }

    private static async Task<IResult> AlarmsAsync(HttpContext c, CountyData data, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var l = Lang.Of(c);
        var zone = options.Value.Zone();
        var admin = c.User.IsInRole("county-admin");
        var alarms = await data.AlarmsAsync(time.GetUtcNow(), Stale, c.RequestAborted);
        string When(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        if (alarms.Count == 0)
        {
            sb.Append($"<p id=\"none\">{E(l.T("现在没有告警。", "No open alarms."))}</p>");
        }

        sb.Append("<table id=\"alarms\"><thead><tr>")
          .Append($"<th>{E(l.T("驿站", "Station"))}</th><th>{E(l.T("告警", "Alarm"))}</th><th>{E(l.T("确认", "Acknowledged"))}</th></tr></thead><tbody>");
        foreach (var a in alarms)
        {
            sb.Append($"<tr data-alarm=\"{E(a.Station + "/" + a.Alarm)}\" class=\"{(a.AckedBy is null ? "open" : "acked")}\"><td>{E(a.StationName)} <small>{E(a.Station)}</small></td>")
              .Append($"<td class=\"{(a.AckedBy is null ? "down" : "")}\">{E(CountyCodes.Alarm(l, a.Alarm))}")
              .Append(a.Since is { } since ? $" <small>{E(l.T("最后联系", "last seen"))} {E(When(since))}</small>" : "").Append("</td><td>");
            if (a.AckedBy is not null)
            {
                sb.Append(E(l.T($"{a.AckedBy} 于 {When(a.AckedAt!.Value)} 确认", $"{a.AckedBy} at {When(a.AckedAt!.Value)}")));
                if (a.Note is not null)
                {
                    sb.Append("<br><small>").Append(E(a.Note)).Append("</small>");
                }
            }
            else if (admin)
            {
                sb.Append(Form(c, "/alarms/ack", Hidden("Station", a.Station) + Hidden("Alarm", a.Alarm)
                    + $"<input name=\"Note\" maxlength=\"500\" placeholder=\"{E(l.T("备注（可不填）", "Note (optional)"))}\">"
                    + $"<button class=\"primary\" type=\"submit\">{E(l.T("确认已知", "Acknowledge"))}</button>", "ack"));
            }
            else
            {
                sb.Append(E(l.T("未确认（县级管理员可确认）", "not yet (a county admin acknowledges)")));
            }

            sb.Append("</td></tr>");
        }

        sb.Append("</tbody></table>");
        return Send(c, StatusCodes.Status200OK, l.T("告警", "Alarms"), sb.ToString());
    }

    private static async Task<IResult> AcknowledgeAsync(HttpContext c, CountyData data, TimeProvider time)
    {
        var l = Lang.Of(c);
        if (!await FormOkAsync(c))
        {
            return Send(c, StatusCodes.Status400BadRequest, l.T("告警", "Alarms"), $"<p class=\"error\">{E(l.T("表单已过期，请再试一次。", "The form expired; please try again."))}</p>");
        }

        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var station = form["Station"].FirstOrDefault() ?? "";
        var alarm = form["Alarm"].FirstOrDefault() ?? "";
        var note = form["Note"].FirstOrDefault()?.Trim() is { Length: > 0 } n ? (n.Length > 500 ? n[..500] : n) : null;
        if (!await data.AcknowledgeAsync(station, alarm, User(c)!, note, Address(c), time.GetUtcNow(), Stale, c.RequestAborted))
        {
            return Send(c, StatusCodes.Status404NotFound, l.T("告警", "Alarms"), $"<p class=\"error\">{E($"no open alarm {alarm} at station {station}")}</p>");
        }

        return Results.Redirect("/alarms");
    }

    private static string Ago(Lang l, double seconds) =>
        seconds < 120 ? l.T($"{seconds:0} 秒", $"{seconds:0} s") : seconds < 7200 ? l.T($"{seconds / 60:0} 分钟", $"{seconds / 60:0} min") : l.T($"{seconds / 3600:0.#} 小时", $"{seconds / 3600:0.#} h");

    private static async Task<IResult> AccountsAsync(HttpContext c, CountyAccounts accounts) => AccountsPage(c, await accounts.ListAsync(c.RequestAborted), null, StatusCodes.Status200OK);

    private static IResult AccountsPage(HttpContext c, IReadOnlyList<CountyAccount> list, string? message, int status)
    {
        var l = Lang.Of(c);
        var sb = new StringBuilder(message is null ? "" : $"<p class=\"error\">{E(message)}</p>");
        sb.Append($"<table id=\"accounts\"><thead><tr><th>{E(l.T("账号", "Account"))}</th><th>{E(l.T("角色", "Role"))}</th><th>{E(l.T("创建者", "Made by"))}</th></tr></thead><tbody>");
        foreach (var a in list)
        {
            sb.Append($"<tr><td>{E(a.Name)}</td><td>{E(a.Role == CountyRole.CountyAdmin ? l.T("县级管理员", "county admin") : l.T("审阅员", "reviewer"))}</td><td>{E(a.CreatedBy)}</td></tr>");
        }

        sb.Append("</tbody></table><h2>").Append(E(l.T("新账号", "New account"))).Append("</h2>");
        sb.Append(Form(c, "/accounts",
            $"<label>{E(l.T("账号", "Account"))}<input name=\"Name\" required></label>"
            + $"<label>{E(l.T("角色", "Role"))}<select name=\"Role\"><option value=\"reviewer\">{E(l.T("审阅员", "reviewer"))}</option><option value=\"county-admin\">{E(l.T("县级管理员", "county admin"))}</option></select></label>"
            + $"<label>{E(l.T("密码（至少 8 位）", "Password (8 or more)"))}<input name=\"Password\" type=\"password\" autocomplete=\"new-password\" required></label>"
            + $"<button class=\"primary\" type=\"submit\">{E(l.T("添加", "Add"))}</button>", "login"));
        return Send(c, status, l.T("账号", "Accounts"), sb.ToString());
    }

    private static async Task<IResult> AddAccountAsync(HttpContext c, CountyAccounts accounts)
    {
        var l = Lang.Of(c);
        if (!await FormOkAsync(c))
        {
            return AccountsPage(c, await accounts.ListAsync(c.RequestAborted), l.T("表单已过期，请再试一次。", "The form expired; please try again."), StatusCodes.Status400BadRequest);
        }

        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        if (CountyAccounts.ParseRole(form["Role"].FirstOrDefault()) is not { } role)
        {
            return AccountsPage(c, await accounts.ListAsync(c.RequestAborted), "Role must be county-admin or reviewer", StatusCodes.Status400BadRequest);
        }

        try
        {
            await accounts.AddAsync((form["Name"].FirstOrDefault() ?? "").Trim(), role, form["Password"].FirstOrDefault() ?? "", User(c)!, Address(c), c.RequestAborted);
        }
        catch (CountyAccountException e)
        {
            return AccountsPage(c, await accounts.ListAsync(c.RequestAborted), e.Message, StatusCodes.Status400BadRequest);
        }

        return Results.Redirect("/accounts");
    }

    /// <summary>What a rider sees of a station: no counts, no versions, no alarms.</summary>
    public sealed record PublicStation(string Id, string Name, string? Address, double? Lat, double? Lon, string? OpeningHours, bool? OpenNow, bool DoorOnline);

    private static async Task<IReadOnlyList<PublicStation>> PublicAsync(CountyData data, CountySiteOptions options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var clock = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, options.Zone()).DateTime);
        return [.. (await data.StationsAsync(ct)).OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => new PublicStation(s.Id, s.Name, s.Address, s.Lat, s.Lon, s.OpeningHours, OpeningHours.OpenAt(s.OpeningHours, clock), IsUp(s, now)))];
    }

    private static async Task<IResult> FinderAsync(HttpContext c, CountyData data, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var l = Lang.Of(c);
        var sb = new StringBuilder("<ul id=\"finder\">");
        foreach (var s in await PublicAsync(data, options.Value, time, c.RequestAborted))
        {
            var open = s.OpenNow switch
            {
                true => $"<span class=\"up\">{E(l.T("营业中", "open now"))}</span>",
                false => $"<span class=\"down\">{E(l.T("已关门", "closed"))}</span>",
                null => E(l.T("营业时间未知", "hours unknown")),
            };
            sb.Append($"<li data-station=\"{E(s.Id)}\"><strong>{E(s.Name)}</strong> {open}<br>{E(s.Address ?? "")}<br>")
              .Append($"{E(l.T("营业时间", "Hours"))}: {E(s.OpeningHours ?? "—")}")
              .Append(s.DoorOnline ? "" : $" · <span class=\"down\">{E(l.T("门禁离线", "door offline"))}</span>").Append("</li>");
        }

        sb.Append("</ul>");
        return Send(c, StatusCodes.Status200OK, l.T("站点地图", "Station finder"), sb.ToString());
    }

    private static async Task<IResult> PublicStationsAsync(HttpContext c, CountyData data, IOptions<CountySiteOptions> options, TimeProvider time)
    {
        var stations = await PublicAsync(data, options.Value, time, c.RequestAborted);
        return Results.Json(new { stations = stations.Select(s => new { id = s.Id, name = s.Name, address = s.Address, lat = s.Lat, lon = s.Lon, opening_hours = s.OpeningHours, open_now = s.OpenNow, door_online = s.DoorOnline }) },
            new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All) });
    }
}
