using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.KeeperSite.Accounts;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Tests;

/// <summary>
/// The keeper site as the daemon mounts it, on a free loopback port: the real store in a temporary data folder, the
/// door on the simulated chip, the camera on ffmpeg (a photo shown in a loop), the site's own face models.
/// Two keepers: 李明 (administrator) and 王芳 (keeper).
/// </summary>
internal sealed class SiteHost : IAsyncDisposable
{
    public const string Admin = "李明";
    public const string AdminPassword = "li-ming-2026";
    public const string Keeper = "王芳";
    public const string KeeperPassword = "wang-fang-2026";
    public const int RelayLine = 17;

    private readonly TempFolder _folder;

    private SiteHost(TempFolder folder, WebApplication app, StationStore store, LogCollector logs, Uri url)
    {
        _folder = folder;
        App = app;
        Store = store;
        Logs = logs;
        Url = url;
    }

    public WebApplication App { get; }

    public StationStore Store { get; }

    public LogCollector Logs { get; }

    public Uri Url { get; }

    public string DataPath => Store.DataPath;

    public SimulatedGpioChip Chip => ((SimulatedGpioDriver)App.Services.GetRequiredService<System.Device.Gpio.GpioDriver>()).Chip;

    public static async Task<SiteHost> StartAsync(IDictionary<string, string?>? settings = null, bool keepers = true, bool https = false)
    {
        var folder = new TempFolder("keeper-site-");
        var data = Path.Combine(folder.Path, "data");
        var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
        if (keepers)
        {
            var accounts = new KeeperAccounts(data);
            accounts.Add(Admin, AdminPassword, KeeperRole.Admin);
            accounts.Add(Keeper, KeeperPassword, KeeperRole.Keeper);
        }

        var camera = Path.Combine(folder.Path, "camera");
        Directory.CreateDirectory(camera);
        File.Copy(RepoPaths.Model("demo/sample1.jpg"), Path.Combine(camera, "door.jpg"));
        if (https)
        {
            // As `station-edge keeper cert` writes it: a self-signed P-256 certificate in the data folder.
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllBytes(Path.Combine(data, KeeperSiteOptions.CertificateFileName), certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx));
        }

        var url = new Uri($"{(https ? "https" : "http")}://127.0.0.1:{LoopbackPort.Free()}");
        var config = new Dictionary<string, string?>
        {
            ["KeeperSite:Urls"] = url.ToString().TrimEnd('/'),
            ["KeeperSite:ModelsPath"] = RepoPaths.Models,
            ["KeeperSite:StationName"] = "城关镇骑手之家",
            ["Gpio:Driver"] = "sim",
            ["Camera:Source"] = camera,
            ["Camera:Loop"] = "true",
            ["Camera:PhotoSeconds"] = "1",
            ["Camera:Fps"] = "10",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var logs = new LogCollector();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = folder.Path, EnvironmentName = "Production" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Services.AddSingleton(store);
        builder.Services.AddStationDoor(builder.Configuration);
        builder.Services.AddStationCamera(builder.Configuration);
        builder.AddKeeperSite();
        var app = builder.Build();
        app.MapKeeperSite();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            await store.DisposeAsync();
            folder.Dispose();
            throw;
        }

        return new SiteHost(folder, app, store, logs, url);
    }

    /// <summary>A client that keeps cookies and does not follow redirects (the tests look at them).</summary>
    public HttpClient Client() =>
        new(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            // The test's own self-signed certificate (a phone asks the keeper to trust it once).
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        })
        { BaseAddress = Url };

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Store.DisposeAsync();
        _folder.Dispose();
    }
}
