using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.KeeperSite.Pages;
using StationEdge.KeeperSite.Text;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Tests;

/// <summary>An action the site takes is audited even when the request is cancelled (the phone left) once it has acted.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task ADoorOpening_WhoseRequestIsCancelled_StillLeavesItsAuditRow_AndItsVisit()
    {
        await using var site = await SiteHost.StartAsync();
        using var scope = site.App.Services.CreateScope();
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();
        var context = new DefaultHttpContext
        {
            RequestServices = scope.ServiceProvider,
            RequestAborted = aborted.Token,
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, SiteHost.Keeper)], "test")),
        };
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = context;
        var page = ActivatorUtilities.CreateInstance<DoorModel>(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<Localizer>());
        page.PageContext = new PageContext { HttpContext = context };
        page.TempData = scope.ServiceProvider.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(context);
        var before = site.Chip.OutputHistory.Count(c => c.Offset == SiteHost.RelayLine && c.Level == System.Device.Gpio.PinValue.High);

        await page.OnPostAsync("送餐员忘带手机");

        Assert.Equal(before + 1, site.Chip.OutputHistory.Count(c => c.Offset == SiteHost.RelayLine && c.Level == System.Device.Gpio.PinValue.High));
        var audit = Assert.Single(await site.Store.ListAuditAsync(), a => a.Action == "door.open");
        Assert.Equal(("keeper:" + SiteHost.Keeper, "送餐员忘带手机"), (audit.Keeper, audit.Details));
        Assert.Contains(await site.Store.ListVisitsAsync(), v => v.Method == VisitMethod.Keeper && v.Decision == VisitDecision.Granted);
    }
}
