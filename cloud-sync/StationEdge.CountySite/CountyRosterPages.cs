using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using StationEdge.Hub;
using StationEdge.Sync.Contracts;
using static StationEdge.CountySite.Html;

namespace StationEdge.CountySite;

/// <summary>
/// 花名册 roster: the county's workers with search; a county admin suspends, resumes or deletes one after a
/// confirmation page (no script: the CSP allows none inline, and a second page works on every phone).
/// </summary>
internal static partial class CountySitePages
{
    /// <summary>The most rows one roster page shows; a search narrows the rest.</summary>
    private const int RosterRows = 500;

    private static readonly string[] RosterOps = [RosterDelta.Suspend, RosterDelta.Resume, RosterDelta.Delete];

    private static void MapRoster(WebApplication app)
    {
        app.MapGet("/roster", RosterAsync).RequireAuthorization(StaffPolicy);
        app.MapGet("/roster/confirm", RosterConfirmAsync).RequireAuthorization(AdminPolicy);
        app.MapPost("/roster/change", RosterChangeAsync).RequireAuthorization(AdminPolicy);
    }

    private static string StatusText(Lang l, string status) => status switch
    {
        "active" => l.T("正常", "active"),
        "suspended" => l.T("已停用", "suspended"),
        _ => status,
    };

    private static string ScopeText(Lang l, string scope) => scope switch
    {
        CountyRoster.CountyScope => l.T("全县通用", "whole county"),
        "station" => l.T("仅本站", "home station only"),
        _ => scope,
    };

    private static string OpText(Lang l, string op) => op switch
    {
        RosterDelta.Suspend => l.T("停用", "Suspend"),
        RosterDelta.Resume => l.T("恢复", "Resume"),
        _ => l.T("删除", "Delete"),
    };

    private static IResult NoCounty(HttpContext c) =>
        Send(c, StatusCodes.Status503ServiceUnavailable, Lang.Of(c).T("花名册", "Roster"), $"<p class=\"error\">{E("the hub's Hub:County is not set: the site has no roster to show")}</p>");

    private static async Task<IResult> RosterAsync(HttpContext c, CountyRosterData roster, CountyData data, IOptions<CountySiteOptions> options)
    {
        var l = Lang.Of(c);
        if (roster.County is null)
        {
            return NoCounty(c);
        }

        var q = c.Request.Query["q"].FirstOrDefault()?.Trim() ?? "";
        var workers = await roster.ListAsync(c.RequestAborted);
        var head = await roster.HeadAsync(c.RequestAborted);
        var names = (await data.StationsAsync(c.RequestAborted)).ToDictionary(s => s.Id, s => s.Name, StringComparer.Ordinal);
        string StationName(string id) => names.GetValueOrDefault(id, id);
        var matches = q.Length == 0 ? workers : [.. workers.Where(w =>
            w.Id.Contains(q, StringComparison.OrdinalIgnoreCase) || w.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
            || w.HomeStation.Contains(q, StringComparison.OrdinalIgnoreCase) || StationName(w.HomeStation).Contains(q, StringComparison.OrdinalIgnoreCase))];
        var admin = c.User.IsInRole("county-admin");
        var zone = options.Value.Zone();

        var sb = new StringBuilder();
        if (c.Request.Query["done"].FirstOrDefault() is { } done && RosterOps.Contains(done) && c.Request.Query["id"].FirstOrDefault() is { } doneId)
        {
            sb.Append($"<p class=\"notice\" id=\"done\">{E(done switch
            {
                RosterDelta.Suspend => l.T($"已停用 {doneId}，正在发送到各驿站。", $"{doneId} suspended; on its way to every station."),
                RosterDelta.Resume => l.T($"已恢复 {doneId}，正在发送到各驿站。", $"{doneId} resumed; on its way to every station."),
                _ => l.T($"已删除 {doneId}，正在发送到各驿站，各站确认情况见下方。", $"{doneId} deleted; on its way to every station (confirmations below)."),
            })}</p>");
        }

        sb.Append("<form method=\"get\" action=\"/roster\" class=\"filters\">")
          .Append($"<label>{E(l.T("搜索（姓名、编号或驿站）", "Search (name, ID or station)"))}<input name=\"q\" value=\"{E(q)}\"></label>")
          .Append($"<button class=\"primary\" type=\"submit\">{E(l.T("搜索", "Search"))}</button></form>")
          .Append($"<p id=\"summary\">{E(l.T($"共 {workers.Count} 人，显示 {Math.Min(matches.Count, RosterRows)} 人。花名册版本 {head.Version}（已发送 {head.Published}）。",
              $"{workers.Count} workers, {Math.Min(matches.Count, RosterRows)} shown. Roster version {head.Version} ({head.Published} sent)."))}</p>");
        sb.Append("<table id=\"roster\"><thead><tr>")
          .Append($"<th>{E(l.T("编号", "ID"))}</th><th>{E(l.T("姓名", "Name"))}</th><th>{E(l.T("所属驿站", "Home station"))}</th>")
          .Append($"<th>{E(l.T("授权范围", "Consent scope"))}</th><th>{E(l.T("状态", "Status"))}</th><th>{E(l.T("人脸模板", "Templates"))}</th>")
          .Append($"<th>{E(l.T("更新时间", "Updated"))}</th>{(admin ? $"<th>{E(l.T("操作", "Actions"))}</th>" : "")}</tr></thead><tbody>");
        foreach (var w in matches.Take(RosterRows))
        {
            sb.Append($"<tr data-worker=\"{E(w.Id)}\" class=\"{(w.Status == "suspended" ? "suspended" : "")}\"><td>{E(w.Id)}</td><td>{E(w.Name)}</td>")
              .Append($"<td>{E(StationName(w.HomeStation))} <small>{E(w.HomeStation)}</small></td><td>{E(ScopeText(l, w.ConsentScope))}</td>")
              .Append($"<td class=\"status\">{E(StatusText(l, w.Status))}</td><td>{w.Templates.ToString(CultureInfo.InvariantCulture)}</td>")
              .Append($"<td>{TimeZoneInfo.ConvertTime(w.UpdatedAt, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td>");
            if (admin)
            {
                var toggle = w.Status == "suspended" ? RosterDelta.Resume : RosterDelta.Suspend;
                sb.Append("<td class=\"actions\">")
                  .Append($"<a class=\"button {toggle}\" href=\"{E(ConfirmPath(toggle, w.Id))}\">{E(OpText(l, toggle))}</a> ")
                  .Append($"<a class=\"button delete\" href=\"{E(ConfirmPath(RosterDelta.Delete, w.Id))}\">{E(OpText(l, RosterDelta.Delete))}</a></td>");
            }

            sb.Append("</tr>");
        }

        sb.Append("</tbody></table>");
        if (matches.Count == 0)
        {
            sb.Append($"<p id=\"none\">{E(l.T("没有符合条件的骑手。", "No workers match."))}</p>");
        }

        var deletions = await roster.DeletionsAsync(20, c.RequestAborted);
        sb.Append("<h2>").Append(E(l.T("最近的删除与各驿站确认", "Recent deletions and the stations' confirmations"))).Append("</h2>");
        if (deletions.Count == 0)
        {
            sb.Append($"<p>{E(l.T("还没有删除过骑手。", "No worker has been deleted yet."))}</p>");
        }
        else
        {
            sb.Append("<table id=\"deletions\"><thead><tr>")
              .Append($"<th>{E(l.T("编号", "ID"))}</th><th>{E(l.T("版本", "Version"))}</th><th>{E(l.T("时间", "Time"))}</th><th>{E(l.T("操作人", "By"))}</th>")
              .Append($"<th>{E(l.T("已确认的驿站", "Confirmed by"))}</th><th>{E(l.T("未确认的驿站", "Waiting for"))}</th></tr></thead><tbody>");
            foreach (var d in deletions)
            {
                string List(IReadOnlyList<string> ids) => ids.Count == 0 ? "—" : string.Join("、", ids.Select(StationName));
                sb.Append($"<tr data-deleted=\"{E(d.WorkerId)}\"><td>{E(d.WorkerId)}</td><td>{d.Version.ToString(CultureInfo.InvariantCulture)}</td>")
                  .Append($"<td>{TimeZoneInfo.ConvertTime(d.MadeAt, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</td><td>{E(d.Source)}</td>")
                  .Append($"<td class=\"confirmed up\">{E(List(d.Confirmed))}</td><td class=\"waiting{(d.Waiting.Count > 0 ? " down" : "")}\">{E(List(d.Waiting))}</td></tr>");
            }

            sb.Append("</tbody></table>");
        }

        return Send(c, StatusCodes.Status200OK, l.T("花名册", "Roster"), sb.ToString());
    }

    private static string ConfirmPath(string op, string id) => $"/roster/confirm?op={op}&id={Uri.EscapeDataString(id)}";

    private static async Task<IResult> RosterConfirmAsync(HttpContext c, CountyRosterData roster, CountyData data)
    {
        var l = Lang.Of(c);
        if (roster.County is null)
        {
            return NoCounty(c);
        }

        var op = c.Request.Query["op"].FirstOrDefault() ?? "";
        var id = c.Request.Query["id"].FirstOrDefault() ?? "";
        if (!RosterOps.Contains(op))
        {
            return Send(c, StatusCodes.Status400BadRequest, l.T("花名册", "Roster"), $"<p class=\"error\">{E($"op must be {string.Join(", ", RosterOps)} (was '{op}')")}</p>");
        }

        var worker = (await roster.ListAsync(c.RequestAborted)).FirstOrDefault(w => w.Id == id);
        if (worker is null)
        {
            return Send(c, StatusCodes.Status404NotFound, l.T("花名册", "Roster"), $"<p class=\"error\">{E($"no worker {id} in county {roster.County}'s roster")}</p>");
        }

        var station = (await data.StationsAsync(c.RequestAborted)).FirstOrDefault(s => s.Id == worker.HomeStation)?.Name ?? worker.HomeStation;
        var who = $"{worker.Name}（{worker.Id}，{station}）";
        var whoEn = $"{worker.Name} ({worker.Id}, {station})";
        var explain = op switch
        {
            RosterDelta.Suspend => l.T($"停用 {who}？停用后此人在全县各驿站都不能刷脸开门，直到恢复。人脸模板保留。",
                $"Suspend {whoEn}? They cannot open any station's door by face until resumed. Their templates are kept."),
            RosterDelta.Resume => l.T($"恢复 {who}？恢复后此人可以在授权范围内的驿站刷脸开门。",
                $"Resume {whoEn}? They can open the doors their consent covers again."),
            _ => l.T($"删除 {who}？删除会发送到全县每一个驿站，各驿站都会删除此人及其人脸模板。删除后无法撤销，此人需重新登记。",
                $"Delete {whoEn}? The deletion reaches every station in the county; each deletes them and their face templates. It cannot be undone: they would have to enrol again."),
        };
        var body = $"<p id=\"explain\" class=\"{(op == RosterDelta.Delete ? "warning" : "")}\">{E(explain)}</p>"
            + Form(c, "/roster/change", Hidden("Op", op) + Hidden("Id", worker.Id)
                + $"<button class=\"primary\" id=\"confirm\" type=\"submit\">{E(l.T($"确认{OpText(l, op)}", $"{OpText(l, op)} {worker.Id}"))}</button> "
                + $"<a id=\"cancel\" href=\"/roster\">{E(l.T("取消", "Cancel"))}</a>", "confirm");
        return Send(c, StatusCodes.Status200OK, l.T($"确认{OpText(l, op)}", $"Confirm: {OpText(l, op)}"), body);
    }

    private static async Task<IResult> RosterChangeAsync(HttpContext c, CountyRosterData roster)
    {
        var l = Lang.Of(c);
        if (!await FormOkAsync(c))
        {
            return Send(c, StatusCodes.Status400BadRequest, l.T("花名册", "Roster"), $"<p class=\"error\">{E(l.T("表单已过期，请再试一次。", "The form expired; please try again."))}</p>");
        }

        if (roster.County is null)
        {
            return NoCounty(c);
        }

        var form = await c.Request.ReadFormAsync(c.RequestAborted);
        var op = form["Op"].FirstOrDefault() ?? "";
        var id = form["Id"].FirstOrDefault() ?? "";
        if (!RosterOps.Contains(op) || !Ids.IsValid(id))
        {
            return Send(c, StatusCodes.Status400BadRequest, l.T("花名册", "Roster"), $"<p class=\"error\">{E($"Op must be {string.Join(", ", RosterOps)} and Id a worker ID")}</p>");
        }

        try
        {
            await roster.ChangeAsync(op, id, User(c)!, Address(c), c.RequestAborted);
        }
        catch (KeyNotFoundException e)
        {
            return Send(c, StatusCodes.Status404NotFound, l.T("花名册", "Roster"), $"<p class=\"error\">{E(e.Message)}</p>");
        }

        return Results.Redirect($"/roster?done={op}&id={Uri.EscapeDataString(id)}&q={Uri.EscapeDataString(id)}");
    }
}
