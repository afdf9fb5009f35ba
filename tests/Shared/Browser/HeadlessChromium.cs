using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace StationEdge.Tests.Shared;

/// <summary>Debian's chromium through Debian's chromedriver, headless, offline, in a fresh profile; pages saved under out/screenshots/.</summary>
public static class HeadlessChromium
{
    public static readonly string Shots = Path.Combine(RepoPaths.Root, "out", "screenshots");

    public static ChromeDriver Start(string profile)
    {
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}", "--window-size=1280,900", "--lang=zh-CN");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>Saves the page as out/screenshots/NAME.png.</summary>
    public static void Shot(IWebDriver browser, string name)
    {
        Directory.CreateDirectory(Shots);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(Shots, name + ".png"));
    }

    /// <summary>Logs in on the login page, and waits until the answer has replaced it (before that, the old form is still there to be found, and goes stale under the next step's hands).</summary>
    public static void LogIn(IWebDriver browser, string name, string password)
    {
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(15));
        wait.Until(b => b.FindElements(By.Name("Name")).Count == 1);
        var field = browser.FindElement(By.Name("Name"));
        field.Clear();
        field.SendKeys(name);
        browser.FindElement(By.Name("Password")).SendKeys(password);
        var submit = browser.FindElement(By.CssSelector("form button.primary"));
        submit.Click();
        wait.Until(_ => IsStale(submit));
    }

    private static bool IsStale(IWebElement element)
    {
        try
        {
            _ = element.Enabled;
            return false;
        }
        catch (WebDriverException)
        {
            // Stale, or (chromedriver, mid-navigation) "node does not belong to the document": the old page is gone.
            return true;
        }
    }
}
