using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Web;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Tests;

/// <summary>The site's security as HTTP sees it, on the real host: logins, roles, antiforgery, limits.</summary>
public sealed partial class HttpSecurityTests
{
    [Fact]
    public async Task EveryPageAndApi_RefusesAnonymousAccess_ExceptLoginScreenAndAssets()
    {
        await using var site = await SiteHost.StartAsync();
        using var client = site.Client();
        var paths = Routes(site).ToList();
        Assert.Contains("/Enrol", paths);
        Assert.Contains("/events/visits", paths);

        foreach (var path in paths)
        {
            using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            var open = path.StartsWith("/Login", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/screen", StringComparison.OrdinalIgnoreCase)
                || path.StartsWith("/assets", StringComparison.Ordinal);
            if (open)
            {
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path}: {response.StatusCode} {string.Join(" | ", site.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Select(e => e.Message))}");
                continue;
            }

            var refused = response.StatusCode == HttpStatusCode.Unauthorized
                || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("/Login", StringComparison.Ordinal));
            Assert.True(refused, $"anonymous GET {path} gave {response.StatusCode}");
            using var post = await client.PostAsync(path, new FormUrlEncodedContent([]));
            Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        }

        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task EveryForm_WithoutItsAntiforgeryToken_IsRefused_AndWithItIsAccepted()
    {
        await using var site = await SiteHost.StartAsync();
        var worker = (await site.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "v" }, [], new KeeperContext("keeper:test"))).Worker;
        var visit = await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Granted, "matched") { WorkerId = worker.Id, Score = 0.8f });
        var pass = await site.App.Services.GetRequiredService<PassBook>().IssueVisitorPassAsync("访客甲", TimeSpan.FromHours(2), "keeper:test");
        using var client = site.Client();
        await LogInAsync(client, SiteHost.Admin, SiteHost.AdminPassword);
        string[] pages = ["/", "/Enrol", "/Workers", "/Workers/Edit?id=W001", "/Workers/Delete?id=W001", "/Door", "/Passes", $"/Passes/Show?id={pass.Id}",
            "/Keepers", $"/Visits/Flag?id={visit.Id}", "/Health", "/Audit"];
        var forms = new List<(string Page, string Action, List<KeyValuePair<string, string>> Fields)>();
        foreach (var page in pages)
        {
            var html = await client.GetStringAsync(page);
            foreach (Match form in FormPattern().Matches(html))
            {
                var fields = HiddenPattern().Matches(form.Groups["body"].Value)
                    .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value))).ToList();
                Assert.Contains(fields, f => f.Key == "__csrf");
                var action = ActionPattern().Match(form.Groups["attrs"].Value) is { Success: true } a ? WebUtility.HtmlDecode(a.Groups[1].Value) : page;
                forms.Add((page, action, fields));
                forms.AddRange(FormActionPattern().Matches(form.Groups["body"].Value).Select(m => (page, WebUtility.HtmlDecode(m.Groups[1].Value), fields)));
            }
        }

        Assert.True(forms.Count >= 12, $"only {forms.Count} forms found");
        foreach (var (page, action, fields) in forms)
        {
            using var response = await client.PostAsync(action, new FormUrlEncodedContent(fields.Where(f => f.Key != "__csrf")));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{page}: POST {action} without the token gave {response.StatusCode}");
        }

        var flag = forms.Single(f => f.Page.StartsWith("/Visits/Flag", StringComparison.Ordinal) && f.Action.StartsWith("/Visits/Flag", StringComparison.Ordinal));
        using var accepted = await client.PostAsync(flag.Action, new FormUrlEncodedContent(flag.Fields));
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task AnAnonymousPost_WithAValidAntiforgeryToken_IsRefusedForWantOfALogin()
    {
        await using var site = await SiteHost.StartAsync();
        await site.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "v" }, [], new KeeperContext("keeper:test"));
        using var client = site.Client();
        // The login page gives an anonymous visitor a real token and its cookie: only the missing login can refuse.
        var token = CsrfToken(await client.GetStringAsync("/Login"));

        foreach (var path in new[] { "/Door", "/Workers/Edit?id=W001", "/Enrol?handler=Photos", "/Keepers" })
        {
            using var post = await client.PostAsync(path, new FormUrlEncodedContent([new("__csrf", token), new("Name", "x")]));
            var toLogin = post.StatusCode == HttpStatusCode.Unauthorized
                || (post.StatusCode == HttpStatusCode.Redirect && post.Headers.Location!.ToString().Contains("/Login", StringComparison.Ordinal));
            Assert.True(toLogin, $"anonymous POST {path} with a valid token gave {post.StatusCode}");
        }

        Assert.Equal("张伟", (await site.Store.GetWorkerAsync("W001"))!.Name);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Bodies_AreSmallForAnonymousRequests_AndOnlyASignedInKeepersUploadMaySendPhotos()
    {
        await using var site = await SiteHost.StartAsync();
        using var client = site.Client();
        var token = CsrfToken(await client.GetStringAsync("/Login"));
        var big = new string('x', 512 * 1024);

        using var anonymous = await client.PostAsync("/Login", new FormUrlEncodedContent([new("Name", big), new("Password", "p"), new("__csrf", token)]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, anonymous.StatusCode);

        await LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);
        // A signed-in keeper's other forms stay small too.
        var door = CsrfToken(await client.GetStringAsync("/Door"));
        using var form = await client.PostAsync("/Door", new FormUrlEncodedContent([new("Reason", big), new("__csrf", door)]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, form.StatusCode);

        // A photo of half a megabyte (not a picture: the page says so) goes through to the enrolment page.
        var enrol = CsrfToken(await client.GetStringAsync("/Enrol"));
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(enrol), "__csrf" },
            { new StringContent("赵强"), "Name" },
            { new StringContent("true"), "Consent" },
            { new ByteArrayContent(new byte[512 * 1024]), "Photos", "photo.jpg" },
        };
        using var uploaded = await client.PostAsync("/Enrol?handler=Photos", upload);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task LiveStreams_AreCappedPerClient_AndAClosedOneFreesItsSlot()
    {
        await using var site = await SiteHost.StartAsync();
        using var client = site.Client();
        var open = new List<HttpResponseMessage>();
        for (var i = 0; i < StreamGate.PerClient; i++)
        {
            var stream = await client.GetAsync("/screen/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            open.Add(stream);
        }

        using (var refused = await client.GetAsync("/screen/events", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("打开的实时页面太多，请关掉一些再试。", await refused.Content.ReadAsStringAsync());
        }

        var gate = site.App.Services.GetRequiredService<StreamGate>();
        open[0].Dispose();
        await WaitUntilAsync(() => gate.Open == StreamGate.PerClient - 1);
        using var again = await client.GetAsync("/screen/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        open.ForEach(r => r.Dispose());
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task TwentyOpenStreams_ShareOneReaderOfTheStore_AndEachGetsTheNewVisit()
    {
        await using var site = await SiteHost.StartAsync();
        var feed = (StoreVisitFeed)site.App.Services.GetRequiredService<IVisitFeed>();
        var before = await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Refused, "unknown"));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var readers = Enumerable.Range(0, 20).Select(_ => FirstAfterAsync(feed, before.Seq, stop.Token)).ToList();
        // Every reader is attached and has seen the first look at the store before the visit comes.
        await WaitUntilAsync(() => feed.StoreReads >= 1);
        var readsBefore = feed.StoreReads;

        var visit = await site.Store.RecordVisitAsync(new VisitDraft(VisitDecision.Refused, "unknown"));
        feed.Nudge();
        var seen = await Task.WhenAll(readers);

        Assert.All(seen, s => Assert.Equal(visit.Seq, s));
        // One look per nudge or poll interval, whatever the number of streams (a stream of its own would be 20).
        Assert.True(feed.StoreReads - readsBefore <= 3, $"{feed.StoreReads - readsBefore} reads of the store for 20 streams");
        site.Logs.AssertNoErrors();
    }

    private static async Task<long> FirstAfterAsync(StoreVisitFeed feed, long after, CancellationToken ct)
    {
        await foreach (var visit in feed.ReadAsync(after, ct))
        {
            return visit.Seq;
        }

        return -1;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(20, bound.Token);
        }
    }

    [Fact]
    public async Task Login_FiveWrongPasswords_LockTheNameOutOfThatAddress_With429InChinese_EvenForTheRightPassword()
    {
        await using var site = await SiteHost.StartAsync();
        using var client = site.Client();
        for (var i = 1; i <= 4; i++)
        {
            using var wrong = await PostLoginAsync(client, SiteHost.Keeper, "wrong-password");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("姓名或密码不对", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var fifth = await PostLoginAsync(client, SiteHost.Keeper, "wrong-password");
        Assert.Equal(HttpStatusCode.TooManyRequests, fifth.StatusCode);
        using var right = await PostLoginAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("登录失败次数过多，请 15 分钟后再试", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another keeper on the same phone is not locked out.
        using var other = await PostLoginAsync(client, SiteHost.Admin, SiteHost.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode);
        var audit = await site.Store.ListAuditAsync();
        Assert.Equal(5, audit.Count(a => a.Action == "keeper.login_failed" && a.Keeper == "keeper:" + SiteHost.Keeper && a.Address == "127.0.0.1"));
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Login_RateLimit_RefusesTheRequestPastTheMinutesAllowance_With429InChinese()
    {
        await using var site = await SiteHost.StartAsync(new Dictionary<string, string?> { ["KeeperSite:LoginRequestsPerMinute"] = "8" });
        using var client = site.Client();
        for (var i = 0; i < 8; i++)
        {
            using var allowed = await client.GetAsync("/Login");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var limited = await client.GetAsync("/Login");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("请求太频繁", await limited.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var post = await PostLoginAsync(client, SiteHost.Admin, SiteHost.AdminPassword, token: "");
        Assert.Equal(HttpStatusCode.TooManyRequests, post.StatusCode);
        site.Logs.AssertNoErrors();
    }

    [Theory]
    [InlineData("removed")]
    [InlineData("new password")]
    public async Task ALiveSession_EndsAtItsNextRequest_WhenTheKeeperIsRemovedOrTheirPasswordChanges(string change)
    {
        await using var site = await SiteHost.StartAsync();
        using var client = site.Client();
        await LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);
        using (var before = await client.GetAsync("/Workers"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var accounts = site.App.Services.GetRequiredService<StationEdge.KeeperSite.Accounts.KeeperAccounts>();
        if (change == "removed")
        {
            accounts.Remove(SiteHost.Keeper);
        }
        else
        {
            accounts.SetPassword(SiteHost.Keeper, "a-new-password-2026");
        }

        using var after = await client.GetAsync("/Workers");
        using var stream = await client.GetAsync("/events/visits", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Contains("/Login", after.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, stream.StatusCode);
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Roles_AKeeperMayNotDeleteWorkersOrManageKeepers()
    {
        await using var site = await SiteHost.StartAsync();
        await site.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "v" }, [], new KeeperContext("keeper:test"));
        using var client = site.Client();
        await LogInAsync(client, SiteHost.Keeper, SiteHost.KeeperPassword);

        using var delete = await client.GetAsync("/Workers/Delete?id=W001");
        using var keepers = await client.GetAsync("/Keepers");
        using var workers = await client.GetAsync("/Workers");

        Assert.Equal(HttpStatusCode.Redirect, delete.StatusCode);
        Assert.Contains("/Denied", delete.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, keepers.StatusCode);
        Assert.Equal(HttpStatusCode.OK, workers.StatusCode);
        Assert.DoesNotContain("/Workers/Delete", await workers.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await site.Store.GetWorkerAsync("W001"));
        site.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Start_OnAnAddressOtherMachinesReach_WithoutAKeeper_IsRefusedNamingTheCommand()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => SiteHost.StartAsync(
            new Dictionary<string, string?> { ["KeeperSite:Urls"] = "http://0.0.0.0:18089" }, keepers: false));

        Assert.Contains("station-edge keeper add --name NAME", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypedText_IsRenderedEscaped()
    {
        await using var site = await SiteHost.StartAsync();
        await site.Store.EnrollAsync(new NewWorker { Id = "W002", Name = "<script>alert(1)</script>", Employer = "\"><img src=x>", ConsentVersion = "v" }, [], new KeeperContext("keeper:test"));
        using var client = site.Client();
        await LogInAsync(client, SiteHost.Admin, SiteHost.AdminPassword);

        var html = await client.GetStringAsync("/Workers");

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        site.Logs.AssertNoErrors();
    }

    private static string CsrfToken(string html) =>
        WebUtility.HtmlDecode(HiddenPattern().Matches(html).First(m => m.Groups["name"].Value == "__csrf").Groups["value"].Value);

    internal static async Task LogInAsync(HttpClient client, string name, string password)
    {
        using var response = await PostLoginAsync(client, name, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string name, string password, string? token = null)
    {
        if (token is null)
        {
            var page = await client.GetStringAsync("/Login");
            token = HiddenPattern().Matches(page).Single(m => m.Groups["name"].Value == "__csrf").Groups["value"].Value;
        }

        return await client.PostAsync("/Login", new FormUrlEncodedContent([new("Name", name), new("Password", password), new("__csrf", token)]));
    }

    /// <summary>Every GET route of the app with sample values in its parameters, and every page.</summary>
    private static IEnumerable<string> Routes(SiteHost site)
    {
        foreach (var endpoint in site.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var isPage = endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
            if (!isPage && methods is not null && !methods.Contains("GET"))
            {
                continue;
            }

            var text = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            yield return RouteParameter().Replace(text, m => m.Groups[1].Value switch
            {
                "file" => "site.css",
                _ when m.Value.Contains(":guid", StringComparison.Ordinal) => Guid.NewGuid().ToString(),
                _ => "0",
            });
        }
    }

    [GeneratedRegex(@"<form(?<attrs>[^>]*method=""post""[^>]*)>(?<body>.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormPattern();

    [GeneratedRegex(@"<input[^>]*name=""(?<name>[^""]+)""[^>]*type=""hidden""[^>]*value=""(?<value>[^""]*)""|<input[^>]*type=""hidden""[^>]*name=""(?<name>[^""]+)""[^>]*value=""(?<value>[^""]*)""")]
    private static partial Regex HiddenPattern();

    [GeneratedRegex(@"action=""([^""]*)""")]
    private static partial Regex ActionPattern();

    [GeneratedRegex(@"formaction=""([^""]*)""")]
    private static partial Regex FormActionPattern();

    [GeneratedRegex(@"\{([a-z]+)(:[a-z]+)?\}")]
    private static partial Regex RouteParameter();
}
