using System.Globalization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using StationEdge.Camera;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Text;

namespace StationEdge.KeeperSite.Pages;

public sealed class HealthModel(IStationHealth health, TimeProvider time, IOptions<KeeperSiteOptions> site, PairedScreens screens) : PageModel
{
    public StationHealthReport? Report { get; private set; }

    /// <summary>Who can reach the site: each address it listens on, whether it is encrypted and whether other machines reach it.</summary>
    public IReadOnlyList<Uri> Addresses => site.Value.ParseUrls();

    public IReadOnlyList<PairedScreen> Screens => screens.List();

    public DateTimeOffset Now => time.GetUtcNow();

    public async Task OnGetAsync() => Report = await health.ReadAsync(HttpContext.RequestAborted);

    public static Phrase State(CameraState state) => state switch
    {
        CameraState.Running => Texts.CameraRunning,
        CameraState.Starting => Texts.CameraStarting,
        CameraState.Lost => Texts.CameraLost,
        CameraState.Ended => Texts.CameraEnded,
        _ => Texts.CameraStopped,
    };

    public static string Size(long bytes) => bytes >= 1L << 30
        ? (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GB"
        : (bytes / (double)(1L << 20)).ToString("0", CultureInfo.InvariantCulture) + " MB";

    public static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes}m" : $"{span.Hours}h {span.Minutes}m {span.Seconds}s";
}
