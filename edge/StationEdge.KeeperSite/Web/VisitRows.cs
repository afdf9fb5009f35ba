using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using StationEdge.KeeperSite.Text;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Web;

/// <summary>A visit with the names the keeper reads: the worker's, or a guest's from their pass.</summary>
public sealed record NamedVisit(Visit Visit, string? WorkerName, string? GuestName, bool Flagged);

/// <summary>Looks up the names of visits (workers in the store, guests in the pass book) and the flagged ones.</summary>
public sealed class VisitNames(StationStore store, PassBook passes)
{
    public async Task<IReadOnlyList<NamedVisit>> NameAsync(IReadOnlyList<Visit> visits, CancellationToken ct)
    {
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var id in visits.Select(v => v.WorkerId).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            names[id] = (await store.GetWorkerAsync(id, ct))?.Name;
        }

        var passUses = await passes.FindUsesAsync([.. visits.Where(v => v.Method == VisitMethod.Pass).Select(v => v.Id)], ct);
        var flagged = await FlaggedAsync(visits, ct);
        return [.. visits.Select(v => new NamedVisit(
            v,
            v.WorkerId is { } w ? names.GetValueOrDefault(w) : null,
            passUses.TryGetValue(v.Id, out var pass) ? pass.VisitorName : null,
            flagged.Contains(v.Id.ToString())))];
    }

    private async Task<HashSet<string>> FlaggedAsync(IReadOnlyList<Visit> visits, CancellationToken ct)
    {
        if (visits.Count == 0)
        {
            return [];
        }

        var since = visits.Min(v => v.Time);
        var audit = await store.ListAuditAsync(since, 10_000, ct);
        return [.. audit.Where(a => a.Action == Codes.FlagAction && a.Target is not null).Select(a => a.Target!)];
    }
}

/// <summary>
/// One row of today's visits, built here (not in a view) so the page and the live stream send the very same HTML;
/// every value passes <see cref="HtmlEncoder"/>.
/// </summary>
public static class VisitRows
{
    public static IHtmlContent Render(NamedVisit named, Language language, TimeZoneInfo zone)
    {
        var e = HtmlEncoder.Default;
        var v = named.Visit;
        var granted = v.Decision == VisitDecision.Granted;
        var who = named.WorkerName is { } name ? name + (v.WorkerId is { } id ? $" ({id})" : "")
            : named.GuestName is { } guest ? Texts.Visitor.In(language, guest)
            : v.Method == VisitMethod.Keeper ? Texts.MethodKeeper.In(language)
            : v.WorkerId ?? Texts.Stranger.In(language);
        var method = v.Method switch
        {
            VisitMethod.Pass => Texts.MethodPass,
            VisitMethod.Keeper => Texts.MethodKeeper,
            _ => Texts.MethodFace,
        };
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<tr class=\"visit {(granted ? "granted" : "refused")}\" data-seq=\"{v.Seq}\">");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"time\">{e.Encode(TimeZoneInfo.ConvertTime(v.Time, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture))}</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"who\">{e.Encode(who)}</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td><span class=\"badge {(granted ? "ok" : "no")}\">{e.Encode((granted ? Texts.Granted : Texts.Refused).In(language))}</span></td>");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"reason\">{e.Encode(Codes.Reason(v.Reason, language))}</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"score\">{(v.Score is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "–")}</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td class=\"method\">{e.Encode(method.In(language))}</td>");
        html.Append("<td class=\"flag\">");
        html.Append(named.Flagged
            ? $"<span class=\"flagged\">{e.Encode(Texts.Flagged.In(language))}</span>"
            : $"<a class=\"flag-link\" href=\"/Visits/Flag?id={v.Id}\">{e.Encode(Texts.FlagLink.In(language))}</a>");
        html.Append("</td></tr>");
        return new HtmlString(html.ToString());
    }
}
