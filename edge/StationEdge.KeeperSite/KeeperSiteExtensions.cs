using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.WebEncoders;
using StationEdge.Configuration;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Station;
using StationEdge.KeeperSite.Text;
using StationEdge.KeeperSite.Web;
using StationEdge.Passes;
using StationEdge.Store;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;

namespace StationEdge.KeeperSite;

/// <summary>How the daemon mounts the keeper's site: <c>builder.AddKeeperSite()</c>, then <c>app.MapKeeperSite()</c>.</summary>
public static class KeeperSiteExtensions
{
    public const string LoginRateLimit = "login";

    /// <summary>
    /// Binds <c>KeeperSite</c> (strict, validated at start, including the rule that a site other machines can reach needs
    /// a keeper account), points Kestrel at <c>KeeperSite:Urls</c>, and registers the pages, cookie login, roles, rate
    /// limit and the station seams. It needs, already registered: <see cref="StationStore"/> (opened),
    /// <c>DoorService</c> (<c>AddStationDoor</c>) and <c>FrameSource</c> (<c>AddStationCamera</c>). Each seam
    /// (<see cref="IVisitFeed"/>, <see cref="IKeeperDoor"/>, <see cref="ICameraPreview"/>, <see cref="IStationHealth"/>,
    /// <see cref="IEnrolment"/>) gets its default here unless the daemon registered its own first.
    /// </summary>
    public static WebApplicationBuilder AddKeeperSite(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(KeeperSiteOptions.SectionName);
        var site = new KeeperSiteOptions();
        StrictConfiguration.Bind(section, site);
        var services = builder.Services;
        services.AddOptions<KeeperSiteOptions>().Configure(o => StrictConfiguration.Bind(section, o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KeeperSiteOptions>, KeeperSiteOptionsValidator>());

        builder.WebHost.UseUrls(site.Urls);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.Limits.MaxRequestBodySize = BodyLimits.FormBytes;
            kestrel.AddServerHeader = false;
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => SiteCertificate.Load(kestrel.ApplicationServices, site));
        });

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.TryAddSingleton(sp => new KeeperAccounts(sp.GetRequiredService<StationStore>().DataPath));
        services.TryAddSingleton(sp => new LoginGuard(site.LoginAttempts, TimeSpan.FromMinutes(site.LockoutMinutes), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped<Localizer>();
        services.TryAddSingleton<VisitNames>();
        services.TryAddSingleton<EnrolmentDrafts>();
        services.TryAddSingleton<EnrolmentSteps>();
        services.AddStationPasses(builder.Configuration, watchCamera: false);

        services.TryAddSingleton<IVisitFeed, StoreVisitFeed>();
        services.TryAddSingleton<StreamGate>();
        services.TryAddSingleton(sp => new PairedScreens(sp.GetRequiredService<StationStore>().DataPath, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IKeeperDoor, DoorServiceDoor>();
        services.TryAddSingleton<IKeeperVisits, StoreKeeperVisits>();
        services.TryAddSingleton(_ => new SiteVision(site.ModelsPath ?? ModelDirectory.DefaultPath()));
        services.TryAddSingleton<ICameraPreview, PreviewHub>();
        services.TryAddSingleton<IStationHealth, StationHealthProbe>();
        services.TryAddSingleton(new PhotoDecoder());
        services.TryAddSingleton<IEnrolment, FaceEnrolment>();
        // Read when the door page first asks, after the daemon has validated its Access section (which names a bad key first).
        services.TryAddSingleton(_ => DoorRule.From(builder.Configuration));
        services.TryAddSingleton<DoorSecurity>();

        services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/", KeeperUser.KeeperPolicy);
            pages.Conventions.AllowAnonymousToPage("/Login");
            pages.Conventions.AllowAnonymousToPage("/Screen");
            pages.Conventions.AllowAnonymousToPage("/ScreenPair");
            pages.Conventions.AddPageApplicationModelConvention("/ScreenPair", model => model.EndpointMetadata.Add(new EnableRateLimitingAttribute(LoginRateLimit)));
            pages.Conventions.AuthorizePage("/Keepers", KeeperUser.AdminPolicy);
            pages.Conventions.AuthorizePage("/Workers/Delete", KeeperUser.AdminPolicy);
            pages.Conventions.AddPageApplicationModelConvention("/Login", model => model.EndpointMetadata.Add(new EnableRateLimitingAttribute(LoginRateLimit)));
        }).ConfigureApplicationPartManager(parts =>
        {
            var assembly = typeof(KeeperSiteExtensions).Assembly;
            if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
            {
                foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
                {
                    parts.ApplicationParts.Add(part);
                }
            }
        });

        // Chinese as it is in the HTML (the default encoder writes every CJK character as an entity); markup stays escaped.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "se_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
        services.Configure<FormOptions>(o =>
        {
            // Uploads stay in memory (never a temporary file outside the data folder): the limit bounds that memory.
            o.MultipartBodyLengthLimit = (long)site.MaxPhotos * site.MaxPhotoMegabytes * 1024 * 1024;
            o.MemoryBufferThreshold = (int)Math.Min(int.MaxValue, o.MultipartBodyLengthLimit + (64 * 1024));
            o.BufferBodyLengthLimit = BodyLimits.UploadBytes(site);
            o.ValueCountLimit = 100;
        });

        // Login cookies stay valid across restarts: the data-protection keys live in the data folder (0700).
        services.AddDataProtection().SetApplicationName("StationEdge.KeeperSite");
        services.AddOptions<KeyManagementOptions>().Configure<StationStore, ILoggerFactory>((o, store, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(store.DataPath, "keeper-site-keys")), logs));
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "se_keeper";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/Login";
            o.LogoutPath = "/Logout";
            o.AccessDeniedPath = "/Denied";
            o.ExpireTimeSpan = TimeSpan.FromMinutes(site.SessionMinutes);
            o.SlidingExpiration = false;
            o.Events.OnValidatePrincipal = ValidateAsync;
            o.Events.OnRedirectToLogin = context => Challenge(context, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => Challenge(context, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(KeeperUser.KeeperPolicy, p => p.RequireAuthenticatedUser().RequireRole(nameof(KeeperRole.Keeper)))
            .AddPolicy(KeeperUser.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole(nameof(KeeperRole.Admin)));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Address(),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = site.LoginRequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync(Texts.RateLimited.In(Localizer.Of(context.HttpContext)), ct);
            };
        });
        return builder;
    }

    /// <summary>The site's middleware and endpoints: security headers, language, rate limit, login, roles, pages, streams.</summary>
    public static WebApplication MapKeeperSite(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(SecurityHeaders.Add);
        app.Use(Localizer.RememberChoice);
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        var site = app.Services.GetRequiredService<IOptions<KeeperSiteOptions>>().Value;
        if (site.AllowPlainHttpOnLan && site.PlainHttpOnLan() is { } plain)
        {
            SiteLog.PlainHttp(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("StationEdge.KeeperSite"), plain);
        }

        app.Use(BodyLimits.Raise(site));
        app.Use(ScreenAccess.Guard(site));
        app.UseAuthorization();
        app.MapRazorPages();
        SiteEndpoints.Map(app);
        return app;
    }

    /// <summary>A page asked for without a login goes to the login page; an API or stream gets the status code.</summary>
    private static Task Challenge(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/events") || path.StartsWithSegments("/camera") || path.StartsWithSegments("/api")
            || path.StartsWithSegments("/passes") || path.StartsWithSegments("/enrol"))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>A session ends when its keeper is removed or their password changes (the stamp differs).</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<KeeperAccounts>();
        var principal = context.Principal;
        var account = principal?.Identity?.Name is { } name ? accounts.Find(name) : null;
        if (account is null || account.Stamp != principal!.FindFirst(KeeperUser.StampClaim)?.Value
            || (account.Role == KeeperRole.Admin) != principal.IsAdmin())
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}

/// <summary>The https certificate: <c>KeeperSite:CertificatePath</c>, else <c>keeper-site.pfx</c> in the data folder.</summary>
internal static class SiteCertificate
{
    private static X509Certificate2? _loaded;

    public static X509Certificate2 Load(IServiceProvider services, KeeperSiteOptions options)
    {
        if (_loaded is { } cached)
        {
            return cached;
        }

        var path = options.CertificatePath ?? Path.Combine(services.GetRequiredService<StationStore>().DataPath, KeeperSiteOptions.CertificateFileName);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"KeeperSite:Urls has an https:// address but {path} does not exist: make it with 'station-edge keeper cert'");
        }

        return _loaded = X509CertificateLoader.LoadPkcs12FromFile(path, null);
    }
}

internal static partial class SiteLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "KeeperSite: {Url} serves the keeper's pages over plain http on the LAN (KeeperSite:AllowPlainHttpOnLan=true): passwords and the login cookie cross the Wi-Fi in clear; use https (station-edge keeper cert)")]
    public static partial void PlainHttp(ILogger logger, Uri url);
}
