using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

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

    /// <summary>Logs in on the login page (the previous answer may still be loading).</summary>
    public static void LogIn(IWebDriver browser, string name, string password)
    {
        new OpenQA.Selenium.Support.UI.WebDriverWait(browser, TimeSpan.FromSeconds(15)).Until(b => b.FindElements(By.Name("Name")).Count == 1);
        var field = browser.FindElement(By.Name("Name"));
        field.Clear();
        field.SendKeys(name);
        browser.FindElement(By.Name("Password")).SendKeys(password);
        browser.FindElement(By.CssSelector("form button.primary")).Click();
    }
}
