using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Web;

namespace StationEdge.KeeperSite.Tests;

/// <summary>
/// The site on a station's LAN (issue 16), through a real Kestrel on loopback. To play "another machine", a test sets
/// <c>KeeperSite:ScreenAddresses</c> to none, so loopback is not the Pi's own display.
/// </summary>
public sealed partial class LanTests
{
    private static readonly Dictionary<string, string?> NoOwnDisplay = new() { ["KeeperSite:ScreenAddresses"] = "" };

    [Fact]
    public async Task TheDoorScreen_FromAnotherMachine_NeedsAPairedScreen_AndARevokedOneIsRefusedAtOnce()
    {
        await using var site = await SiteHost.StartAsync(NoOwnDisplay);
        using var screen = site.Client();

        using (var page = await screen.GetAsync("/screen"))
        {
            Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
            Assert.StartsWith("/Login", page.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        foreach (var stream in new[] { "/screen/events", "/screen/camera.mjpeg" })
        {
            using var refused = await screen.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // A keeper asks for a code on the 门 page; the screen types it.
        using var keeper = site.Client();
        await HttpSecurityTests.LogInAsync(keeper, SiteHost.Keeper, SiteHost.KeeperPassword);
        var door = await keeper.GetStringAsync("/Door");
        using (await keeper.PostAsync("/DoorScreens?handler=Pair", Form(door)))
        {
        }

        var code = CodePattern().Match(await keeper.GetStringAsync("/Door")).Groups[1].Value;
        Assert.Matches("^[0-9]{6}$", code);
        using (var wrong = await screen.PostAsync("/screen/pair", Form(await screen.GetStringAsync("/screen/pair"), ("code", code == "000000" ? "111111" : "000000"))))
        {
            Assert.Contains("配对码不对或已过期", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var paired = await screen.PostAsync("/screen/pair", Form(await screen.GetStringAsync("/screen/pair"), ("code", code), ("name", "门口屏幕"))))
        {
            Assert.Equal(HttpStatusCode.Redirect, paired.StatusCode);
            Assert.Contains("httponly", string.Join(";", paired.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        }

        using (var served = await screen.GetAsync("/screen/events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using (var page = await screen.GetAsync("/screen"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        }

        // The code was used once: it cannot pair a second device.
        using var other = site.Client();
        using (var again = await other.PostAsync("/screen/pair", Form(await other.GetStringAsync("/screen/pair"), ("code", code))))
        {
            Assert.Contains("配对码不对或已过期", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var paired1 = Assert.Single(site.App.Services.GetRequiredService<PairedScreens>().List());
        Assert.Equal(("门口屏幕", SiteHost.Keeper), (paired1.Name, paired1.PairedBy));
        var health = await keeper.GetStringAsync("/Health");
        Assert.Contains("门口屏幕", health, StringComparison.Ordinal);
        Assert.Contains("仅本机", health, StringComparison.Ordinal);

        var doorAgain = await keeper.GetStringAsync("/Door");
        using (await keeper.PostAsync("/DoorScreens?handler=Revoke", Form(doorAgain, ("id", paired1.Id))))
        {
        }

        using (var revoked = await screen.GetAsync("/screen/events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        var audit = await site.Store.ListAuditAsync();
        Assert.Contains(audit, a => a.Action == "screen.pair" && a.Target == paired1.Id && a.Keeper == "keeper:" + SiteHost.Keeper);
        Assert.Contains(audit, a => a.Action == "screen.revoke" && a.Target == paired1.Id);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task TheDoorScreen_OnThePisOwnDisplay_IsServedWithoutPairing()
    {
        await using var site = await SiteHost.StartAsync();
        using var screen = site.Client();

        using var page = await screen.GetAsync("/screen");
        using var events = await screen.GetAsync("/screen/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (page.StatusCode, events.StatusCode));
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task WithTheScreenCameraOff_ThePageHasNoPicture_AndTheStreamIsGone()
    {
        await using var site = await SiteHost.StartAsync(new Dictionary<string, string?> { ["KeeperSite:ScreenCamera"] = "false" });
        using var screen = site.Client();

        var page = await screen.GetStringAsync("/screen");
        using var camera = await screen.GetAsync("/screen/camera.mjpeg", HttpCompletionOption.ResponseHeadersRead);

        Assert.DoesNotContain("camera.mjpeg", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, camera.StatusCode);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task OverHttps_TheLoginCookieIsSecure()
    {
        await using var site = await SiteHost.StartAsync(https: true);
        using var client = site.Client();
        var login = await client.GetStringAsync("/Login");

        using var response = await client.PostAsync("/Login", Form(login, ("Name", SiteHost.Keeper), ("Password", SiteHost.KeeperPassword)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var session = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("se_keeper=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public void PlainHttp_OnAnAddressOthersReach_IsRefusedNamingTheKey_UnlessAllowed()
    {
        using var data = new TempFolder();
        var accounts = new KeeperAccounts(data.Path);
        accounts.Add(SiteHost.Admin, SiteHost.AdminPassword, KeeperRole.Admin);
        var validator = new KeeperSiteOptionsValidator(accounts);

        var refused = validator.Validate(null, new KeeperSiteOptions { Urls = "http://0.0.0.0:8080" });
        var allowed = validator.Validate(null, new KeeperSiteOptions { Urls = "http://0.0.0.0:8080", AllowPlainHttpOnLan = true });
        var loopback = validator.Validate(null, new KeeperSiteOptions { Urls = "http://127.0.0.1:8080" });

        Assert.True(refused.Failed);
        Assert.Contains("KeeperSite:Urls has http://0.0.0.0:8080/, which other machines can reach, over plain http", refused.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("KeeperSite:AllowPlainHttpOnLan=true", refused.FailureMessage, StringComparison.Ordinal);
        Assert.True(allowed.Succeeded, allowed.FailureMessage);
        Assert.True(loopback.Succeeded, loopback.FailureMessage);
    }

    [Theory]
    [InlineData("王芳", "Surname", "王师傅")]
    [InlineData("欧阳娜娜", "Surname", "欧阳师傅")]
    [InlineData("张伟", "Full", "张伟")]
    [InlineData("Anna Li", "Surname", "Anna")]
    [InlineData("王芳", "None", null)]
    public void TheScreen_ShowsTheNameAsTheStationChose(string name, string style, string? shown) =>
        Assert.Equal(shown, ScreenNames.Shown(name, Enum.Parse<ScreenNameStyle>(style)));

    private static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields)
    {
        var token = WebUtility.HtmlDecode(CsrfPattern().Match(page).Groups[1].Value);
        return new FormUrlEncodedContent([new("__csrf", token), .. fields.Select(f => KeyValuePair.Create(f.Name, f.Value))]);
    }

    [GeneratedRegex(@"name=""__csrf""[^>]*value=""([^""]+)""")]
    private static partial Regex CsrfPattern();

    [GeneratedRegex(@"配对码 ([0-9]{6})")]
    private static partial Regex CodePattern();
}
