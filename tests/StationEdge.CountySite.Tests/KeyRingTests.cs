using System.Net;

namespace StationEdge.CountySite.Tests;

/// <summary>Logins survive a restart of the site when its key ring is on disk (CountySite:KeysDirectory), and only then.</summary>
public sealed class KeyRingTests(CountyFixture site) : IClassFixture<CountyFixture>, IDisposable
{
    private readonly TempFolder _folder = new("county-ring-");

    [Fact]
    public async Task A_login_cookie_still_works_after_the_site_restarts_on_the_same_key_ring()
    {
        var ring = Path.Combine(_folder.Path, "keys");
        var (url, cookies) = await LogInThenRestartAsync(ring);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(ring));
        Assert.NotEmpty(Directory.GetFiles(ring, "key-*.xml"));

        await using var again = await StartAsync(url, ring);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = url };
        using var visits = await client.GetAsync("/visits");
        Assert.Equal(HttpStatusCode.OK, visits.StatusCode);
        Assert.Contains($"<span class=\"user\">{CountyFixture.Admin}</span>", await visits.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_ring_on_disk_a_restart_ends_the_login()
    {
        // The control: the same steps with the keys in memory, so the test above shows the ring, not luck.
        var (url, cookies) = await LogInThenRestartAsync(null);
        await using var again = await StartAsync(url, null);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = url };
        using var visits = await client.GetAsync("/visits");
        Assert.Equal(HttpStatusCode.Redirect, visits.StatusCode);
        Assert.Equal("/login", visits.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public void A_key_ring_directory_others_may_read_is_refused()
    {
        var open = Directory.CreateDirectory(Path.Combine(_folder.Path, "open"));
        File.SetUnixFileMode(open.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var e = Assert.Throws<InvalidOperationException>(() => CountySiteExtensions.Build(Options(new Uri("http://127.0.0.1:1/")), site.Database, keysDirectory: open.FullName));
        Assert.Contains("CountySite:KeysDirectory", e.Message, StringComparison.Ordinal);
        Assert.Contains("755", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_ring_is_beside_the_hubs_signing_key_and_the_setting_wins()
    {
        var hub = new StationEdge.Hub.HubOptions { SigningKeyFile = "/var/lib/county-hub/county-signing.pem" };
        Assert.Equal("/var/lib/county-hub/county-site-keys", CountySiteExtensions.KeysDirectoryOf(new CountySiteOptions(), hub));
        Assert.Equal("/srv/ring", CountySiteExtensions.KeysDirectoryOf(new CountySiteOptions { KeysDirectory = "/srv/ring" }, hub));
        Assert.Null(CountySiteExtensions.KeysDirectoryOf(new CountySiteOptions(), new StationEdge.Hub.HubOptions()));
        Assert.False(CountySiteOptionsValidator.Instance.Validate(null, new CountySiteOptions { KeysDirectory = "keys" }).Succeeded);
    }

    private async Task<(Uri Url, CookieContainer Cookies)> LogInThenRestartAsync(string? ring)
    {
        var url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var cookies = new CookieContainer();
        await using (var first = await StartAsync(url, ring))
        {
            using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = url };
            using var login = await CountyFixture.LogInAsync(client, CountyFixture.Admin, CountyFixture.AdminPassword);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/visits")).StatusCode);
            await first.StopAsync();
        }

        Assert.NotNull(cookies.GetCookies(url)["cs_login"]);
        return (url, cookies);
    }

    private CountySiteOptions Options(Uri url) => new() { Urls = url.ToString().TrimEnd('/'), PageSize = site.Options.PageSize };

    private async Task<Microsoft.AspNetCore.Builder.WebApplication> StartAsync(Uri url, string? ring)
    {
        var app = CountySiteExtensions.Build(Options(url), site.Database, county: CountyFixture.County, keysDirectory: ring);
        await app.StartAsync();
        return app;
    }

    public void Dispose() => _folder.Dispose();
}
