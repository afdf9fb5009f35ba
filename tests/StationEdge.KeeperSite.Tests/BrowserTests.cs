using System.Device.Gpio;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using StationEdge.Store;
using Xunit.Abstractions;

namespace StationEdge.KeeperSite.Tests;

/// <summary>
/// The keeper's day in Debian's headless chromium (Selenium with the driver's path set: nothing is downloaded), on the
/// real site: the lock-out, a login, an enrolment from a photo, the worker listed, a visit appearing live and flagged,
/// the door opened by hand with the relay pulsing on the simulated chip, a pass, the door screen. Each page is saved
/// (zh-CN) under out/screenshots/.
/// </summary>
public sealed class BrowserTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ADoorScreenOnAnotherMachine_IsPairedByTheKeeper_InChromium()
    {
        Directory.CreateDirectory(HeadlessChromium.Shots);
        // Loopback plays another machine: no address counts as the Pi's own display.
        await using var site = await SiteHost.StartAsync(new Dictionary<string, string?> { ["KeeperSite:ScreenAddresses"] = "" });
        using var keeperProfile = new TempFolder("chromium-");
        using var screenProfile = new TempFolder("chromium-");
        using var keeper = HeadlessChromium.Start(keeperProfile.Path);
        using var screen = HeadlessChromium.Start(screenProfile.Path);
        var keeperWait = new WebDriverWait(keeper, TimeSpan.FromSeconds(30));
        var screenWait = new WebDriverWait(screen, TimeSpan.FromSeconds(30));
        screenWait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        string Url(string path) => new Uri(site.Url, path).ToString();

        screen.Navigate().GoToUrl(Url("/screen"));
        screenWait.Until(b => b.FindElements(By.Id("to-pairing")).Count == 1);
        HeadlessChromium.Shot(screen, "screen-not-paired");

        keeper.Navigate().GoToUrl(Url("/Login"));
        HeadlessChromium.LogIn(keeper, SiteHost.Keeper, SiteHost.KeeperPassword);
        keeperWait.Until(b => b.FindElements(By.Id("visits")).Count == 1);
        keeper.Navigate().GoToUrl(Url("/Door"));
        keeper.FindElement(By.Id("pair-screen")).Click();
        var message = keeperWait.Until(b => b.FindElements(By.Id("pairing-code")).FirstOrDefault())!.Text;
        HeadlessChromium.Shot(keeper, "door-pairing-code");
        var code = System.Text.RegularExpressions.Regex.Match(message, "[0-9]{6}").Value;

        screen.FindElement(By.Id("to-pairing")).Click();
        screenWait.Until(b => b.FindElements(By.Id("pair-code")).Count == 1);
        screen.FindElement(By.Id("pair-code")).SendKeys(code);
        screen.FindElement(By.Name("name")).SendKeys("门口屏幕");
        HeadlessChromium.Shot(screen, "screen-pairing");
        screen.FindElement(By.Id("pair")).Click();
        screenWait.Until(b => b.FindElements(By.Id("headline")).Count == 1);
        HeadlessChromium.Shot(screen, "screen-paired");

        keeper.Navigate().GoToUrl(Url("/Door"));
        Assert.Contains("门口屏幕", keeper.FindElement(By.Id("screens")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(keeper, "door-screens");
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task AKeepersDay_InChromium()
    {
        Directory.CreateDirectory(HeadlessChromium.Shots);
        await using var site = await SiteHost.StartAsync();
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        // A page being replaced: what was found on the old one goes stale; look again on the new one.
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        string Url(string path) => new Uri(site.Url, path).ToString();

        // Five wrong passwords: locked out, in Chinese.
        browser.Navigate().GoToUrl(Url("/Login"));
        HeadlessChromium.Shot(browser, "login");
        for (var i = 0; i < 5; i++)
        {
            HeadlessChromium.LogIn(browser, SiteHost.Keeper, "not-the-password");
        }

        Assert.Contains("登录失败次数过多", browser.FindElement(By.CssSelector(".error")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "login-locked-out");

        HeadlessChromium.LogIn(browser, SiteHost.Admin, SiteHost.AdminPassword);
        wait.Until(b => b.FindElements(By.Id("visits")).Count == 1);
        HeadlessChromium.Shot(browser, "today-empty");

        // Enrol from an uploaded photo: page open to stored templates, timed.
        var clock = Stopwatch.StartNew();
        browser.Navigate().GoToUrl(Url("/Enrol"));
        wait.Until(b => b.FindElement(By.Id("guide")).Text.Length > 0);
        browser.FindElement(By.Name("Name")).SendKeys("张伟");
        browser.FindElement(By.Name("Phone")).SendKeys("13800138000");
        browser.FindElement(By.Name("Employer")).SendKeys("美团");
        browser.FindElement(By.Name("Consent")).Click();
        browser.FindElement(By.Name("Photos")).SendKeys(RepoPaths.Model("demo/sample1.jpg"));
        HeadlessChromium.Shot(browser, "enrol");
        browser.FindElement(By.Id("upload")).Click();
        wait.Until(b => b.FindElements(By.CssSelector("button.face")).Count > 1);
        HeadlessChromium.Shot(browser, "enrol-choose-face");
        browser.FindElements(By.CssSelector("button.face"))[0].Click();
        var enrolled = wait.Until(b => b.FindElements(By.Id("enrolled")).FirstOrDefault());
        var workerId = enrolled!.GetAttribute("data-worker")!;
        var templates = await site.Store.ListTemplatesAsync(workerId);
        clock.Stop();
        var figure = $"enrolment from an uploaded photo, page open to stored templates: {clock.Elapsed.TotalSeconds:0.00} s ({templates.Count} template)";
        output.WriteLine(figure);
        File.WriteAllText(Path.Combine(HeadlessChromium.Shots, "enrolment-timing.txt"), figure + Environment.NewLine);
        Assert.Single(templates);
        HeadlessChromium.Shot(browser, "enrol-done");

        browser.Navigate().GoToUrl(Url("/Workers"));
        Assert.Contains("张伟", browser.FindElement(By.CssSelector(".workers")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "workers");

        // A visit stored by the station appears without a reload; the keeper flags it.
        browser.Navigate().GoToUrl(Url("/"));
        // Live once the stream is open: the feed hands a new stream every visit past the page's own, so none is missed.
        wait.Until(b => b.FindElement(By.Id("live")).GetAttribute("class")!.Contains("live", StringComparison.Ordinal));
        await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched") { WorkerId = workerId, Score = 0.83f });
        await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Refused, "unknown") { Score = 0.31f });
        wait.Until(b => b.FindElements(By.CssSelector("#visits tr")).Count == 2);
        Assert.Contains("张伟", browser.FindElement(By.CssSelector("#visits tr.granted")).Text, StringComparison.Ordinal);
        Assert.Contains("陌生人", browser.FindElement(By.CssSelector("#visits tr.refused")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "today-live");
        browser.FindElement(By.CssSelector("#visits tr.refused .flag-link")).Click();
        wait.Until(b => b.FindElements(By.Name("note")).FirstOrDefault())!.SendKeys("其实是张伟，戴着头盔");
        HeadlessChromium.Shot(browser, "flag");
        browser.FindElement(By.CssSelector("form button.primary")).Submit();
        wait.Until(b => b.FindElements(By.CssSelector("#visits tr.refused .flagged")).Count == 1);
        Assert.Contains(await site.Store.ListAuditAsync(), a => a.Action == "visit.flag" && a.Details == "其实是张伟，戴着头盔" && a.Address == "127.0.0.1");

        // The door by hand: the relay pulses on the simulated chip.
        browser.Navigate().GoToUrl(Url("/Door"));
        HeadlessChromium.Shot(browser, "door");
        var before = site.Chip.OutputHistory.Count(c => c.Offset == SiteHost.RelayLine && c.Level == PinValue.High);
        browser.FindElement(By.Name("reason")).SendKeys("刷脸不成功");
        browser.FindElement(By.Id("open-door")).Click();
        wait.Until(b => b.FindElements(By.CssSelector(".flash")).Count == 1);
        Assert.Equal(before + 1, site.Chip.OutputHistory.Count(c => c.Offset == SiteHost.RelayLine && c.Level == PinValue.High));
        wait.Until(b => b.FindElement(By.Id("lock-state")).Text == "已开锁");
        HeadlessChromium.Shot(browser, "door-opened");

        // A guest's pass to print.
        browser.Navigate().GoToUrl(Url("/Passes"));
        browser.FindElement(By.Name("visitorName")).SendKeys("李四");
        browser.FindElement(By.CssSelector("form[action*='Visitor'] button")).Click();
        wait.Until(b => b.FindElements(By.CssSelector("#pass-qr svg")).Count == 1);
        HeadlessChromium.Shot(browser, "pass");
        browser.Navigate().GoToUrl(Url("/Passes"));
        HeadlessChromium.Shot(browser, "passes");

        foreach (var (path, name) in new[] { ("/Health", "health"), ("/Audit", "audit"), ("/Keepers", "keepers") })
        {
            browser.Navigate().GoToUrl(Url(path));
            HeadlessChromium.Shot(browser, name);
        }

        // The door screen, no login: a grant greets the worker by name.
        browser.Navigate().GoToUrl(Url("/screen"));
        // Both of the screen's streams open (the camera and the greetings): a visit from now on is the screen's to show.
        var gate = site.App.Services.GetRequiredService<StationEdge.KeeperSite.Web.StreamGate>();
        wait.Until(_ => gate.Open >= 2);
        HeadlessChromium.Shot(browser, "screen-idle");
        await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched") { WorkerId = workerId, Score = 0.9f });
        wait.Until(b => b.FindElement(By.Id("headline")).Text == "欢迎回家，张师傅");
        HeadlessChromium.Shot(browser, "screen-welcome");
        await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Refused, "unknown"));
        wait.Until(b => b.FindElement(By.Id("headline")).Text == "未识别，请联系站长");
        HeadlessChromium.Shot(browser, "screen-refused");

        // A phone: the same pages in 390×844, and the English switch.
        browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
        browser.Navigate().GoToUrl(Url("/"));
        HeadlessChromium.Shot(browser, "phone-today");
        browser.Navigate().GoToUrl(Url("/Enrol"));
        HeadlessChromium.Shot(browser, "phone-enrol");
        browser.FindElement(By.CssSelector("a.lang")).Click();
        // The answer in English, once it has replaced the Chinese page.
        wait.Until(b => b.FindElements(By.TagName("h1")).FirstOrDefault()?.Text.Contains("Enrol a worker", StringComparison.Ordinal) == true);
        HeadlessChromium.Shot(browser, "phone-enrol-en");
        browser.Navigate().GoToUrl(Url("/?lang=zh"));
        site.Logs.AssertNoErrors();
    }
}
