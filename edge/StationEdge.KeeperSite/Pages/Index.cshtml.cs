using Microsoft.AspNetCore.Mvc.RazorPages;
using StationEdge.KeeperSite.Web;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Pages;

public sealed class IndexModel(StationStore store, VisitNames names, TimeProvider time) : PageModel
{
    public IReadOnlyList<NamedVisit> Visits { get; private set; } = [];

    public int GrantedCount => Visits.Count(v => v.Visit.Decision == VisitDecision.Granted);

    public long LastSeq { get; private set; }

    public async Task OnGetAsync()
    {
        var visits = await store.ListVisitsAsync(StartOfToday(time), 2000, HttpContext.RequestAborted);
        LastSeq = visits.Count == 0 ? (await store.ListVisitsAsync(limit: 1, ct: HttpContext.RequestAborted)) is [var newest, ..] ? newest.Seq : 0 : visits.Max(v => v.Seq);
        Visits = await names.NameAsync(visits, HttpContext.RequestAborted);
    }

    /// <summary>Midnight of the station's local day, in UTC.</summary>
    public static DateTimeOffset StartOfToday(TimeProvider time)
    {
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), TimeZoneInfo.Local);
        return new DateTimeOffset(local.Date, local.Offset).ToUniversalTime();
    }
}
