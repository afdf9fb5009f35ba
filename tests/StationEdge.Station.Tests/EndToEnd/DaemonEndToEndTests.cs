using System.Device.Gpio;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;
using StationEdge.Access;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Door.Control;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Station;
using StationEdge.Passes;
using StationEdge.Station.Tests.Support;
using StationEdge.Store;

namespace StationEdge.Station.Tests.EndToEnd;

/// <summary>
/// The daemon as <c>station-edge run</c> composes it, the keeper's site and the pass reader in it: a worker granted on a
/// synthetic stream appears live on the keeper's page in headless chromium, is flagged, the door is opened by hand and
/// the relay pulses on the simulated chip; a printed pass opens the door through the same door and store.
/// </summary>
[Collection(StationCollection.Name)]
public sealed class DaemonEndToEndTests(StationFixture fixture)
{
    private const string Keeper = "李明";
    private const string Password = "li-ming-2026";

    [Fact]
    public async Task AGrantOnTheStream_AppearsLiveOnTheKeepersPage_IsFlagged_AndTheDoorOpensByHand()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        new KeeperAccounts(data.Path).Add(Keeper, Password, KeeperRole.Admin);
        var walk = fixture.WalkUp(WalkUpMedia.WorkerWalk);
        var gap = fixture.Empty(2);
        // Several walk-ups (no cooldown: each is a visit), so some come after the page is open however slow the start.
        var stream = fixture.Stream("daemon-site", gap, walk, gap, walk, gap, walk, gap, walk, gap, walk, gap, walk, gap, walk, gap);
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, RunningStation.Patience);
        // A page being replaced: what was found on the old one goes stale; look again on the new one.
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?>
        {
            ["KeeperSite:Enabled"] = "true",
            ["KeeperSite:StationName"] = "城关镇骑手之家",
            ["Access:CooldownSeconds"] = "0",
        });
        string Url(string path) => new Uri(station.SiteUrl, path).ToString();

        // The door screen's camera: pictures the site makes from the daemon's own frames (with the door's models folder).
        browser.Navigate().GoToUrl(Url("/screen"));
        wait.Until(b => ((IJavaScriptExecutor)b).ExecuteScript("return document.querySelector('.screen-camera img').naturalWidth") is long width && width > 0);
        HeadlessChromium.Shot(browser, "daemon-screen");

        browser.Navigate().GoToUrl(Url("/Login"));
        HeadlessChromium.LogIn(browser, Keeper, Password);
        wait.Until(b => b.FindElements(By.Id("visits")).Count == 1);
        wait.Until(b => b.FindElement(By.Id("live")).GetAttribute("class")!.Contains("live", StringComparison.Ordinal));
        var atLoad = browser.FindElements(By.CssSelector("#visits tr")).Count;
        var stored = await station.NextAsync<VisitRecorded>(v => v.Visit.Decision == VisitDecision.Granted && v.Visit.Seq > atLoad);

        // The daemon's own grant, without a reload: the row of the visit the recorder stored.
        wait.Until(b => b.FindElements(By.CssSelector("#visits tr.granted")).Count > atLoad);
        Assert.Contains("王芳", browser.FindElement(By.CssSelector("#visits tr.granted")).Text, StringComparison.Ordinal);
        Assert.Equal("W001", stored.Visit.WorkerId);
        HeadlessChromium.Shot(browser, "daemon-today-live");

        browser.FindElement(By.CssSelector("#visits tr.granted .flag-link")).Click();
        wait.Until(b => b.FindElements(By.Name("note")).FirstOrDefault())!.SendKeys("不是王芳本人");
        browser.FindElement(By.CssSelector("form button.primary")).Submit();
        wait.Until(b => b.FindElements(By.CssSelector("#visits tr.granted .flagged")).Count == 1);
        var store = station.Services.GetRequiredService<StationStore>();
        Assert.Contains(await store.ListAuditAsync(), a => a.Action == "visit.flag" && a.Details == "不是王芳本人");

        // Once the stream has played out the door is quiet: the keeper's open is the one pulse.
        await station.EndOfStreamAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        browser.Navigate().GoToUrl(Url("/Door"));
        var before = station.RelayPulses;
        wait.Until(b => b.FindElements(By.Name("reason")).FirstOrDefault())!.SendKeys("刷脸不成功");
        browser.FindElement(By.Id("open-door")).Click();
        wait.Until(b => b.FindElements(By.CssSelector(".flash")).Count == 1);
        await station.NextAsync<DoorActivity>(d => d.Event is DoorGranted { By: "keeper:" + Keeper });
        Assert.Equal(before + 1, station.RelayPulses);
        wait.Until(b => b.FindElement(By.Id("lock-state")).Text == "已开锁");
        HeadlessChromium.Shot(browser, "daemon-door-opened");
        var byHand = Assert.Single(await store.ListVisitsAsync(), v => v.Method == VisitMethod.Keeper && v.Decision == VisitDecision.Granted);
        Assert.Contains(await store.PeekOutboxAsync(1000), m => m.VisitId == byHand.Id);

    }

    [Fact]
    public async Task AKeeperEnrolsARiderFromTheDoorCamera_AndTheDoorThenOpensForThem()
    {
        using var data = new TempFolder();
        new KeeperAccounts(data.Path).Add(Keeper, Password, KeeperRole.Keeper);
        // The rider waits at the door while the keeper enrols them, then walks up as any enrolled rider does.
        var stream = fixture.Stream("daemon-enrol", fixture.Empty(1), fixture.Hold(WalkUpMedia.WorkerWalk, 40), fixture.Empty(2), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(2));
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, RunningStation.Patience);
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["KeeperSite:Enabled"] = "true" });
        string Url(string path) => new Uri(station.SiteUrl, path).ToString();

        browser.Navigate().GoToUrl(Url("/Login"));
        HeadlessChromium.LogIn(browser, Keeper, Password);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        browser.Navigate().GoToUrl(Url("/Enrol"));
        wait.Until(b => b.FindElements(By.Name("Name")).FirstOrDefault())!.SendKeys("赵强");
        browser.FindElement(By.Name("Phone")).SendKeys("13900139000");
        browser.FindElement(By.Name("Consent")).Click();
        browser.FindElement(By.Id("take")).Click();
        var enrolled = wait.Until(b => b.FindElements(By.Id("enrolled")).FirstOrDefault());
        HeadlessChromium.Shot(browser, "daemon-enrol-from-camera");
        var workerId = enrolled!.GetAttribute("data-worker")!;

        // The site's default, five good frames from the door camera, each one template.
        var store = station.Services.GetRequiredService<StationStore>();
        Assert.Equal(5, (await store.ListTemplatesAsync(workerId)).Count);
        clock.Stop();
        File.WriteAllText(Path.Combine(HeadlessChromium.Shots, "enrolment-timing-camera.txt"),
            $"enrolment from the door camera (typed details, 5 frames), page open to stored templates: {clock.Elapsed.TotalSeconds:0.00} s{Environment.NewLine}");
        Assert.Equal("赵强", (await store.GetWorkerAsync(workerId))!.Name);
        Assert.Contains(await store.ListAuditAsync(), a => a.Keeper == "keeper:" + Keeper && a.Target == workerId);
        // Without a restart: the door's gallery picks the new templates up and opens for them.
        var granted = await station.NextAsync<AccessGranted>(g => g.Decision.WorkerId == workerId);
        Assert.True(granted.DoorOpened);
    }

    [Fact]
    public async Task AKeeperEnrollingAnEnrolledRiderAgainUnderAnotherName_IsWarnedWithTheirNameAndNothingIsStored()
    {
        using var data = new TempFolder();
        new KeeperAccounts(data.Path).Add(Keeper, Password, KeeperRole.Keeper);
        // 王芳 is enrolled; a one-day keeper who does not know her types a new name while she stands at the camera.
        // The warning compares with the gallery's calibrated threshold, the one the door uses (no Access:Threshold set).
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var stream = fixture.Stream("daemon-enrol-twice", fixture.Empty(1), fixture.Hold(WalkUpMedia.WorkerWalk, 60));
        using var profile = new TempFolder("chromium-");
        using var browser = HeadlessChromium.Start(profile.Path);
        var wait = new WebDriverWait(browser, RunningStation.Patience);
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["KeeperSite:Enabled"] = "true" });
        string Url(string path) => new Uri(station.SiteUrl, path).ToString();

        browser.Navigate().GoToUrl(Url("/Login"));
        HeadlessChromium.LogIn(browser, Keeper, Password);
        browser.Navigate().GoToUrl(Url("/Enrol"));
        wait.Until(b => b.FindElements(By.Name("Name")).FirstOrDefault())!.SendKeys("赵强");
        browser.FindElement(By.Name("Consent")).Click();
        browser.FindElement(By.Id("take")).Click();
        wait.Until(b => b.PageSource.Contains("这张脸很像已登记的 王芳", StringComparison.Ordinal) || b.FindElements(By.Id("enrolled")).Count > 0);
        HeadlessChromium.Shot(browser, "daemon-enrol-duplicate");

        Assert.Contains("这张脸很像已登记的 王芳（W001）", browser.PageSource, StringComparison.Ordinal);
        Assert.Empty(browser.FindElements(By.Id("enrolled")));
        var store = station.Services.GetRequiredService<StationStore>();
        Assert.DoesNotContain(await store.ListWorkersAsync(), w => w.Name == "赵强");
    }

    [Fact]
    public async Task TheDevicePage_ListsTheModelsTheDoorLoaded_AndCountsTheWholeOutbox()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var stream = fixture.Stream("health", fixture.Empty(1), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(1));
        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["KeeperSite:Enabled"] = "true" });
        await station.NextAsync<VisitRecorded>();

        var report = await station.Services.GetRequiredService<IStationHealth>().ReadAsync(CancellationToken.None);
        var vision = station.Services.GetRequiredService<StationVision>();
        var store = station.Services.GetRequiredService<StationStore>();

        // The default embedder and the liveness model are what the door runs on; a fixed list once left the embedder out.
        Assert.Equal(vision.Pipeline.Models.Loaded, report.Models);
        Assert.Contains(report.Models, m => m.File == "faceplugin-feature.onnx");
        Assert.Contains(report.Models, m => m.File == "antispoof.onnx");
        Assert.Equal((await store.OutboxStatsAsync()).Depth, report.OutboxDepth);
        Assert.True(report.OutboxDepth >= 1);
    }

    [Fact]
    public async Task AVisitTheRecorderStores_NudgesTheSitesVisitFeed_WithoutTheLoopWaitingOnIt()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var stream = fixture.Stream("nudge", fixture.Empty(1), fixture.WalkUp(WalkUpMedia.WorkerWalk), fixture.Empty(2));
        var feed = new WatchedVisitFeed();
        await using var station = await RunningStation.StartAsync(data.Path, stream, new Dictionary<string, string?> { ["KeeperSite:Enabled"] = "true" },
            builder => builder.Services.Replace(ServiceDescriptor.Singleton<IVisitFeed>(feed)));

        var stored = await station.NextAsync<VisitRecorded>();
        await feed.Nudged.Task.WaitAsync(RunningStation.Patience);

        Assert.Equal(("W001", VisitDecision.Granted), (stored.Visit.WorkerId, stored.Visit.Decision));
        // The grant came first and its door opened: the loop went on without the site.
        Assert.True(station.Seen.OfType<AccessGranted>().Single().DoorOpened);
        Assert.Equal(1, station.RelayPulses);
    }

    [Fact]
    public async Task PrintedPasses_ThroughTheDaemon_TheValidOneOpensTheDoorOnce_AndEachIsAVisitByPass()
    {
        using var data = new TempFolder();
        using var media = new TempFolder("passes-");
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var codes = await PrintedPasses.IssueAsync(data.Path, "W001");
        await using var station = await RunningStation.StartAsync(data.Path, PrintedPasses.Video(media.Path, codes.InOrder), new Dictionary<string, string?>
        {
            // The greeting "played" by a player that only exits: what is heard is the sound file chosen.
            ["Greeting:Enabled"] = "true",
            ["Greeting:Player"] = "true",
            ["Greeting:GrantedSound"] = WalkUpMedia.Tone(Path.Combine(media.Path, "welcome.wav")),
            ["Greeting:RefusedSound"] = WalkUpMedia.Tone(Path.Combine(media.Path, "refused.wav")),
        });

        var decided = new List<PassDecided>();
        for (var i = 0; i < 4; i++)
        {
            decided.Add(await station.NextAsync<PassDecided>());
        }

        await station.EndOfStreamAsync();
        await station.StopAsync();

        Assert.Equal(["pass", "pass_forged", "pass_expired", "pass_revoked"], decided.Select(d => d.Visit.Reason));
        Assert.Equal(codes.ValidId, decided[0].PassId);
        Assert.Equal("王芳", decided[0].WorkerName);
        var visits = (await station.Services.GetRequiredService<StationStore>().ListVisitsAsync()).OrderBy(v => v.Seq).ToList();
        Assert.Equal(decided.Select(d => d.Visit.Id), visits.Select(v => v.Id));
        Assert.All(visits, v => Assert.Equal(VisitMethod.Pass, v.Method));
        // Each goes to the county as a face visit does: its sync message queued with it.
        var outbox = await station.Services.GetRequiredService<StationStore>().PeekOutboxAsync();
        Assert.All(visits, v => Assert.Contains(outbox, m => m.VisitId == v.Id && m.Topic.EndsWith("/visits", StringComparison.Ordinal) && m.PayloadJson.Contains("\"method\":\"pass\"", StringComparison.Ordinal)));
        Assert.Equal([VisitDecision.Granted, VisitDecision.Refused, VisitDecision.Refused, VisitDecision.Refused], visits.Select(v => v.Decision));
        Assert.Equal($"pass:{codes.ValidId}", Assert.Single(station.All<DoorActivity>(), d => d.Event is DoorGranted).Event is DoorGranted g ? g.By : null);
        Assert.Equal(1, station.RelayPulses);
        Assert.True(station.Services.GetRequiredService<PassWatcher>().FramesSearched > 20);
        // The rider let in by their pass hears 欢迎回家 as one let in by their face; the refused passes their own sound.
        var greetings = station.All<GreetingPlayed>().ToList();
        Assert.Equal("welcome.wav", Path.GetFileName(Assert.Single(greetings, g => g.For == AccessDecision.Granted).Sound));
        Assert.Equal(3, greetings.Count(g => g.For == AccessDecision.Refused && Path.GetFileName(g.Sound) == "refused.wav"));
    }

    /// <summary>The site's visit feed as the daemon sees it: it records that it was told to look now.</summary>
    private sealed class WatchedVisitFeed : IVisitFeed
    {
        public TaskCompletionSource Nudged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async IAsyncEnumerable<Visit> ReadAsync(long afterSeq, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            // No page reads it in this test; a reader would wait here until it leaves.
            await Task.Delay(Timeout.Infinite, ct);
            yield break;
        }

        public void Nudge() => Nudged.TrySetResult();
    }
}
