using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StationEdge.Configuration;
using StationEdge.Hub;

namespace StationEdge.CountySite;

/// <summary>How <c>county-hub run</c> mounts the county site: <c>builder.AddCountySite()</c>, only when the config has a <c>CountySite</c> section.</summary>
public static class CountySiteExtensions
{
    /// <summary>
    /// With a <c>CountySite</c> section: binds it strictly (unknown keys refused naming the key, values checked at start)
    /// and runs the site on its own Kestrel inside the hub's host, on <c>Hub:Database</c>. Without one: nothing.
    /// </summary>
    public static IHostApplicationBuilder AddCountySite(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(CountySiteOptions.SectionName);
        if (!section.Exists())
        {
            return builder;
        }

        builder.Services.AddOptions<CountySiteOptions>().Configure(o => StrictConfiguration.Bind(section, o)).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CountySiteOptions>>(CountySiteOptionsValidator.Instance));
        builder.Services.AddHostedService<CountySiteService>();
        return builder;
    }

    /// <summary>
    /// The site as a web application of its own on <paramref name="database"/> (the hub's connection string), the roster
    /// of <paramref name="county"/> (the hub's <c>Hub:County</c>). The key ring is kept in <paramref name="keysDirectory"/>;
    /// null keeps it in memory (logins end with the process: the bench, tests that do not restart).
    /// </summary>
    public static WebApplication Build(CountySiteOptions site, string database, ILoggerFactory? logs = null, TimeProvider? time = null, string? county = null, string? keysDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(CountySiteExtensions).Assembly.GetName().Name });
        builder.WebHost.UseUrls(site.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 64 * 1024;
        });
        if (logs is not null)
        {
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(logs);
        }

        var services = builder.Services;
        services.AddSingleton(Options.Create(site));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddSingleton(_ => NpgsqlDataSource.Create(database));
        services.AddSingleton(sp => new CountyAccounts(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new CountyData(sp.GetRequiredService<NpgsqlDataSource>(), site.Zone()));
        services.AddSingleton(sp => new CountyTokens(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton(sp => new CountyStats(sp.GetRequiredService<NpgsqlDataSource>(), site.Zone()));
        services.AddSingleton(sp => new CountyLoginGuard(site.LoginAttempts, TimeSpan.FromMinutes(site.LockoutMinutes), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CountyRosterData(sp.GetRequiredService<NpgsqlDataSource>(), county));
        var protection = services.AddDataProtection().SetApplicationName("StationEdge.CountySite");
        if (keysDirectory is not null)
        {
            protection.PersistKeysToFileSystem(KeyRing(keysDirectory));
        }
        else
        {
            // Explicitly in memory: ASP.NET Core's default would write an unprotected ring under $HOME/.aspnet.
            protection.UseEphemeralDataProtectionProvider();
        }

        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "cs_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__csrf";
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "cs_login";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/login";
            o.AccessDeniedPath = "/denied";
            o.ExpireTimeSpan = TimeSpan.FromMinutes(site.SessionMinutes);
            o.SlidingExpiration = false;
            o.Events.OnValidatePrincipal = ValidateAsync;
            o.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(CountySitePages.StaffPolicy, p => p.RequireAuthenticatedUser().RequireRole("county-admin", "reviewer"))
            .AddPolicy(CountySitePages.AdminPolicy, p => p.RequireAuthenticatedUser().RequireRole("county-admin"));

        var app = builder.Build();
        app.Use(Headers);
        app.Use(Lang.Remember);
        app.UseAuthentication();
        app.UseAuthorization();
        CountySitePages.Map(app);
        return app;
    }

    /// <summary>
    /// The key ring's directory, made 0700 when missing. The keys are stored unencrypted (Linux has no DPAPI), and whoever
    /// reads them can forge any login: a directory others may read or write is refused rather than used.
    /// </summary>
    internal static DirectoryInfo KeyRing(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(path);
        }

        var dir = Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(dir.FullName);
        if ((mode & others) != 0)
        {
            throw new InvalidOperationException(
                $"CountySite:KeysDirectory {dir.FullName} is open to other users (mode {Convert.ToString((int)mode, 8)}); it holds the keys of every login: chmod 700 it, owned by the hub's user");
        }

        return dir;
    }

    /// <summary><c>CountySite:KeysDirectory</c>, else <c>county-site-keys</c> beside <c>Hub:SigningKeyFile</c>, else null (in memory).</summary>
    public static string? KeysDirectoryOf(CountySiteOptions site, HubOptions hub)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(hub);
        return site.KeysDirectory
            ?? (string.IsNullOrWhiteSpace(hub.SigningKeyFile) ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(hub.SigningKeyFile))!, "county-site-keys"));
    }

    private static Task Headers(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        return next();
    }

    /// <summary>A session ends when its account is gone or its password or role changed (the stamp or the role differ).</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<CountyAccounts>();
        var principal = context.Principal;
        var account = principal?.Identity?.Name is { } name ? await accounts.FindAsync(name, context.HttpContext.RequestAborted) : null;
        if (account is null || account.Stamp != principal!.FindFirst(CountySitePages.StampClaim)?.Value
            || !principal.IsInRole(CountyAccounts.RoleName(account.Role)))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}

/// <summary>The county site's web server as one of the hub's services: started after the options check, stopped with the hub.</summary>
public sealed partial class CountySiteService(IOptions<CountySiteOptions> site, IOptions<HubOptions> hub, ILoggerFactory logs, ILogger<CountySiteService> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keys = CountySiteExtensions.KeysDirectoryOf(site.Value, hub.Value);
        if (keys is null)
        {
            LogKeysInMemory(logger);
        }

        _app = CountySiteExtensions.Build(site.Value, hub.Value.Database!, logs, county: hub.Value.County, keysDirectory: keys);
        await _app.StartAsync(cancellationToken);
        LogListening(logger, site.Value.Urls);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "county site: neither CountySite:KeysDirectory nor Hub:SigningKeyFile is set; login keys are kept in memory and every login ends when the hub restarts")]
    private static partial void LogKeysInMemory(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "county site: {Urls}")]
    private static partial void LogListening(ILogger logger, string urls);
}
