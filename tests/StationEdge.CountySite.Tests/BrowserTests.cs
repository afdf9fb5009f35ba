using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace StationEdge.CountySite.Tests;

/// <summary>
/// A county reviewer's first minutes in Debian's headless chromium (Selenium, driver by path, nothing downloaded):
/// the login page, a login, the visits, a filter, the next page, the stations, the finder. Pages saved (zh-CN) under
/// out/screenshots/county-*.png.
/// </summary>
public sealed class BrowserTests(CountyFixture site) : IClassFixture<CountyFixture>
{
    [Fact]
    public void A_reviewer_logs_in_and_reviews_visits_in_chromium()
    {
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        string Url(string path) => new Uri(site.Url, path).ToString();

        browser.Navigate().GoToUrl(Url("/visits"));
        wait.Until(b => b.FindElements(By.Name("Password")).Count == 1);
        HeadlessChromium.Shot(browser, "county-login");
        HeadlessChromium.LogIn(browser, CountyFixture.Reviewer, CountyFixture.ReviewerPassword);
        wait.Until(b => b.FindElements(By.Id("visits")).Count == 1);
        Assert.EndsWith("/visits", new Uri(browser.Url).AbsolutePath, StringComparison.Ordinal);
        var rows = browser.FindElements(By.CssSelector("#visits tbody tr"));
        Assert.Equal(CountyFixture.PageSize, rows.Count);
        Assert.StartsWith("2026-03-10 12:00:01", rows[0].Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "county-visits");

        browser.FindElement(By.CssSelector("select[name=station] option[value=S1]")).Click();
        browser.FindElement(By.CssSelector("select[name=decision] option[value=refused]")).Click();
        browser.FindElement(By.CssSelector("form.filters button.primary")).Click();
        wait.Until(b => b.Url.Contains("decision=refused", StringComparison.Ordinal));
        var refused = browser.FindElements(By.CssSelector("#visits tbody tr"));
        Assert.Equal(20, refused.Count); // S1's 60 visits, each third refused: one page, no next
        Assert.Empty(browser.FindElements(By.Id("next")));
        Assert.All(refused, r => Assert.Contains("骑手之家 东门", r.Text, StringComparison.Ordinal));
        Assert.All(refused, r => Assert.Contains("拒绝", r.Text, StringComparison.Ordinal));
        HeadlessChromium.Shot(browser, "county-visits-filtered");

        browser.Navigate().GoToUrl(Url("/visits?decision=refused"));
        browser.FindElement(By.Id("next")).Click();
        wait.Until(b => b.Url.Contains("after=", StringComparison.Ordinal));
        Assert.All(browser.FindElements(By.CssSelector("#visits tbody tr")), r => Assert.Contains("拒绝", r.Text, StringComparison.Ordinal));

        browser.Navigate().GoToUrl(Url("/stats?from=2026-03-01&to=2026-03-10&by=day"));
        wait.Until(b => b.FindElements(By.Id("stats")).Count == 1);
        var bars = browser.FindElements(By.CssSelector("#chart svg g.bar"));
        Assert.Equal(10, bars.Count);
        Assert.True(bars[^1].Size.Height > 100, $"the 10 March bar is drawn tall (was {bars[^1].Size.Height}px)");
        HeadlessChromium.Shot(browser, "county-stats");

        browser.Navigate().GoToUrl(Url("/visits/S1/15"));
        wait.Until(b => b.FindElements(By.Id("visit")).Count == 1);
        Assert.Contains("陌生人", browser.FindElement(By.CssSelector("tr[data-field=reason] td")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "county-visit");

        browser.Navigate().GoToUrl(Url("/stations"));
        wait.Until(b => b.FindElements(By.Id("stations")).Count == 1);
        HeadlessChromium.Shot(browser, "county-stations");
        browser.Navigate().GoToUrl(Url("/finder?lang=en"));
        wait.Until(b => b.FindElements(By.Id("finder")).Count == 1);
        Assert.Contains("Station finder", browser.FindElement(By.TagName("h1")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "county-finder-en");
    }

    [Fact]
    public void A_county_admin_suspends_a_worker_after_confirming_in_chromium()
    {
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        string Url(string path) => new Uri(site.Url, path).ToString();

        browser.Navigate().GoToUrl(Url("/roster"));
        wait.Until(b => b.FindElements(By.Name("Password")).Count == 1);
        HeadlessChromium.LogIn(browser, CountyFixture.Admin, CountyFixture.AdminPassword);
        wait.Until(b => b.FindElements(By.Id("roster")).Count == 1);
        Assert.Equal(4, browser.FindElements(By.CssSelector("#roster tbody tr")).Count);
        var row = browser.FindElement(By.CssSelector("tr[data-worker=R1]"));
        Assert.Contains("陈大勇", row.Text, StringComparison.Ordinal);
        Assert.Equal("正常", row.FindElement(By.CssSelector("td.status")).Text);
        HeadlessChromium.Shot(browser, "county-roster");

        browser.FindElement(By.Name("q")).SendKeys("东门");
        browser.FindElement(By.CssSelector("form.filters button.primary")).Click();
        wait.Until(b => b.Url.Contains("q=", StringComparison.Ordinal));
        Assert.Equal(["R1", "R3"], browser.FindElements(By.CssSelector("#roster tbody tr")).Select(r => r.GetAttribute("data-worker")));

        browser.FindElement(By.CssSelector("tr[data-worker=R1] a.suspend")).Click();
        wait.Until(b => b.FindElements(By.Id("confirm")).Count == 1);
        Assert.Contains("停用 陈大勇（R1，骑手之家 东门）", browser.FindElement(By.Id("explain")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "county-roster-confirm");
        browser.FindElement(By.Id("confirm")).Click();
        wait.Until(b => b.FindElements(By.Id("done")).Count == 1);
        Assert.Contains("已停用 R1", browser.FindElement(By.Id("done")).Text, StringComparison.Ordinal);
        var suspended = browser.FindElement(By.CssSelector("tr[data-worker=R1]"));
        Assert.Equal("已停用", suspended.FindElement(By.CssSelector("td.status")).Text);
        Assert.Contains("suspended", suspended.GetAttribute("class"), StringComparison.Ordinal);
        Assert.Equal("恢复", suspended.FindElement(By.CssSelector("a.resume")).Text);
        HeadlessChromium.Shot(browser, "county-roster-suspended");

        // The delete's confirmation, in the phone-sized window people use at a station, then cancelled.
        browser.Manage().Window.Size = new System.Drawing.Size(390, 844);
        Assert.True(browser.FindElement(By.CssSelector("tr[data-worker=R1] a.delete")).Displayed, "the actions stay on a phone");
        HeadlessChromium.Shot(browser, "county-roster-phone");
        browser.FindElement(By.CssSelector("tr[data-worker=R1] a.delete")).Click();
        wait.Until(b => b.FindElements(By.Id("confirm")).Count == 1);
        Assert.Contains("无法撤销", browser.FindElement(By.Id("explain")).Text, StringComparison.Ordinal);
        HeadlessChromium.Shot(browser, "county-roster-delete-phone");
        browser.FindElement(By.Id("cancel")).Click();
        wait.Until(b => b.FindElements(By.Id("roster")).Count == 1);
        Assert.Equal(4, browser.FindElements(By.CssSelector("#roster tbody tr")).Count);
    }
}
