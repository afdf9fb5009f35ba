using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using StationEdge.KeeperSite.Station;

namespace StationEdge.KeeperSite.Tests;

/// <summary>The door page's 安全等级 section through the real site, on a seeded store.</summary>
public sealed partial class DoorSecurityPageTests
{
    [Fact]
    public async Task DoorPage_ShowsTheStationsLevel_AndWhatEachLevelWouldHaveRefused()
    {
        await using var site = await SiteHost.StartAsync(new Dictionary<string, string?> { ["Access:StrangerRate"] = "convenient" });
        var tag = site.App.Services.GetRequiredService<SiteVision>().Pipeline.EmbedderSha256;
        var scores = await SecuritySeed.SeedAsync(site.Store, tag, 512);
        using var client = site.Client();
        await HttpSecurityTests.LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Door"));

        Assert.Contains("安全等级", page, StringComparison.Ordinal);
        Assert.Contains("本站的安全等级：便利（陌生人最多放进 1/100", page, StringComparison.Ordinal);
        Assert.Contains($"已登记 {SecuritySeed.Workers} 位工友", page, StringComparison.Ordinal);
        var rows = Rows().Matches(page).ToList();
        Assert.Equal(["strict", "standard", "convenient"], rows.Select(r => r.Groups["level"].Value));
        Assert.Equal("convenient", Assert.Single(rows, r => r.Groups["current"].Success).Groups["level"].Value);
        var refused = new List<int>();
        foreach (var row in rows)
        {
            var threshold = float.Parse(row.Groups["threshold"].Value, CultureInfo.InvariantCulture);
            var expected = scores.Count(s => s < threshold);
            refused.Add(expected);
            Assert.Equal($"这些刷脸中有 {expected} / {scores.Count} 次会被拒", row.Groups["cost"].Value);
        }

        Assert.True(refused[0] > refused[2], "the levels cost differently on this record");
        Assert.Contains("依据：本站确认是本人的 5 次刷脸——4 次是门口学到人脸的那次到访，1 次是刷脸未通过", page, StringComparison.Ordinal);
        Assert.DoesNotContain("证据还太少", page, StringComparison.Ordinal);

        var english = WebUtility.HtmlDecode(await client.GetStringAsync("/Door?lang=en"));
        Assert.Contains("Security level", english, StringComparison.Ordinal);
        Assert.Contains("convenient (in use)", english, StringComparison.Ordinal);
        Assert.Contains($"{refused[0]} of {scores.Count} of these walk-ups would have been refused", english, StringComparison.Ordinal);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task DoorPage_WithTooLittleEvidence_SaysSo_AndGivesTheDevelopmentSetFigures()
    {
        await using var site = await SiteHost.StartAsync(new Dictionary<string, string?> { ["Access:StrangerRate"] = "1/500" });
        var tag = site.App.Services.GetRequiredService<SiteVision>().Pipeline.EmbedderSha256;
        await SecuritySeed.SeedFewAsync(site.Store, tag, 512);
        using var client = site.Client();
        await HttpSecurityTests.LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Door"));

        Assert.Contains("本站的安全等级：自定义（陌生人最多放进 1/500", page, StringComparison.Ordinal);
        Assert.Contains("本站的证据还太少（确认是本人的刷脸只有 2 次，至少要 5 次）", page, StringComparison.Ordinal);
        Assert.Contains("开发数据集上（东亚照片 / faces-dev，每人一张照片登记）：严格拒 79.0% / 56.3%", page, StringComparison.Ordinal);
        Assert.Equal(3, Thresholds().Count(page));
        Assert.DoesNotContain("次会被拒", page, StringComparison.Ordinal);
        Assert.DoesNotContain("（现用）", page, StringComparison.Ordinal);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task DoorPage_WithAFixedThreshold_SaysTheThresholdIsFixed()
    {
        await using var site = await SiteHost.StartAsync(new Dictionary<string, string?> { ["Access:Threshold"] = "0.62" });
        using var client = site.Client();
        await HttpSecurityTests.LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Door"));

        Assert.Contains("本站用固定阈值 0.620（Access:Threshold），不按安全等级校准（fixed threshold）", page, StringComparison.Ordinal);
        Assert.Contains("门现在用的阈值：0.620（已登记 0 位工友）", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DoorPage_SecuritySection_InChromium_ZhAndEnglish()
    {
        Directory.CreateDirectory(HeadlessChromium.Shots);
        await using var site = await SiteHost.StartAsync();
        var tag = site.App.Services.GetRequiredService<SiteVision>().Pipeline.EmbedderSha256;
        await SecuritySeed.SeedAsync(site.Store, tag, 512);
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        browser.Navigate().GoToUrl(new Uri(site.Url, "/Login").ToString());
        HeadlessChromium.LogIn(browser, SiteHost.Keeper, SiteHost.KeeperPassword);
        wait.Until(b => b.FindElements(By.Id("visits")).Count == 1);

        browser.Navigate().GoToUrl(new Uri(site.Url, "/Door").ToString());
        var section = wait.Until(b => b.FindElements(By.Id("security")).FirstOrDefault())!;
        ((IJavaScriptExecutor)browser).ExecuteScript("arguments[0].scrollIntoView()", section);
        HeadlessChromium.Shot(browser, "door-security-level");

        Assert.Contains("标准（现用）", section.Text, StringComparison.Ordinal);
        Assert.Equal(3, section.FindElements(By.CssSelector("td.cost")).Count);
        browser.Navigate().GoToUrl(new Uri(site.Url, "/Door?lang=en").ToString());
        section = wait.Until(b => b.FindElements(By.Id("security")).FirstOrDefault())!;
        Assert.Contains("standard (in use)", section.Text, StringComparison.Ordinal);
        ((IJavaScriptExecutor)browser).ExecuteScript("arguments[0].scrollIntoView()", section);
        HeadlessChromium.Shot(browser, "door-security-level-en");
        site.Logs.AssertNoErrors();
    }

    [GeneratedRegex(@"<tr class=""level(?<current> current)?"" data-level=""(?<level>\w+)"">.*?<td class=""threshold"">(?<threshold>[0-9.]+)</td>\s*<td class=""cost"">(?<cost>[^<]*)</td>", RegexOptions.Singleline)]
    private static partial Regex Rows();

    [GeneratedRegex(@"<td class=""threshold"">[0-9.]+</td>")]
    private static partial Regex Thresholds();
}
