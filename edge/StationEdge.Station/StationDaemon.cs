using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;
using StationEdge.KeeperSite;
using StationEdge.KeeperSite.Accounts;
using StationEdge.KeeperSite.Station;
using StationEdge.Passes;
using StationEdge.Store;
using StationEdge.Sync;

namespace StationEdge.Station;

/// <summary>
/// <c>station-edge run</c> as one process on one container: the station (<see cref="StationHost.AddStation"/>: access
/// loop, camera, door, records), the pass reader on the same camera and door, and — unless <c>KeeperSite:Enabled</c> is
/// false — the keeper's site, Kestrel on <c>KeeperSite:Urls</c>, on the same store, door and camera (its preview takes
/// <c>FrameSource.WaitForNewerAsync</c> leases, never frames from the loop). With the site off no web server is built
/// at all. The store is opened by <see cref="StartAsync"/> once every section has been validated, before the host
/// starts: the site and the pass book need it then.
/// </summary>
public sealed class StationDaemon : IAsyncDisposable
{
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(10);

    private readonly StoreOptions _storeOptions;
    private StationStore? _store;
    private bool _stopped;

    private StationDaemon(StoreOptions storeOptions, IReadOnlyList<Uri> siteUrls)
    {
        _storeOptions = storeOptions;
        SiteUrls = siteUrls;
    }

    public IHost Host { get; private set; } = null!;

    public IServiceProvider Services => Host.Services;

    /// <summary>Where the keeper's site listens; empty when <c>KeeperSite:Enabled</c> is false.</summary>
    public IReadOnlyList<Uri> SiteUrls { get; }

    /// <summary>The station's store, opened by <see cref="StartAsync"/>.</summary>
    public StationStore Store => _store ?? throw new InvalidOperationException("the station's store is opened when the daemon starts");

    /// <summary>
    /// Composes the daemon from <paramref name="sources"/>; <paramref name="adjust"/> runs on the builder last, before it
    /// is built (the tests put their log collector there).
    /// </summary>
    /// <exception cref="ConfigFileException">A config file cannot be used.</exception>
    /// <exception cref="OptionsValidationException">A section or key is unknown, or a value of the wrong shape; the message names it.</exception>
    public static StationDaemon Create(StationSources sources, Action<IHostApplicationBuilder>? adjust = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        var configuration = StationConfiguration.Build(sources);
        var site = new KeeperSiteOptions();
        StrictConfiguration.Bind(configuration.GetSection(KeeperSiteOptions.SectionName), site);
        var storeOptions = StrictConfiguration.Load(configuration.GetSection(StoreOptions.SectionName), new StoreOptionsValidator());
        IReadOnlyList<Uri> urls = [];
        if (site.Enabled)
        {
            try
            {
                urls = site.ParseUrls();
            }
            catch (FormatException e)
            {
                // The validator says the same at start; parsed here to tell the caller where the site is.
                throw new OptionsValidationException(KeeperSiteOptions.SectionName, typeof(KeeperSiteOptions), [$"KeeperSite:Urls: {e.Message}"]);
            }
        }

        var daemon = new StationDaemon(storeOptions, urls);
        var contentRoot = Directory.GetCurrentDirectory();
        IHostApplicationBuilder builder = site.Enabled
            ? WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = Environments.Production, ContentRootPath = contentRoot })
            : Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = contentRoot });
        // Under every source the station reads (Logging:LogLevel:… in the config sets them): a request log line per MJPEG
        // picture or event stream is noise in the journal, and so is data protection's warning at each first start that
        // the login keys are kept unencrypted — they are, in the 0700 data folder, as the device key is.
        var defaults = new Dictionary<string, string?>(sources.Defaults)
        {
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.DataProtection"] = "Error",
            // The site's own detector comes from the door's models folder (--models, Vision:ModelsPath) unless told otherwise.
            ["KeeperSite:ModelsPath"] = configuration[$"{StationEdge.Access.StationVisionOptions.SectionName}:ModelsPath"],
        };
        builder.AddStation(sources with { Defaults = defaults });

        var services = builder.Services;
        services.AddSingleton(_ => daemon.Store);
        services.TryAddSingleton<DoorPassSink>();
        services.TryAddSingleton<IPassDecisionSink, StationPassSink>();
        services.AddStationPasses(builder.Configuration);
        services.TryAddSingleton(new RetentionLink(!string.IsNullOrWhiteSpace(builder.Configuration["Sync:Broker"])));
        services.TryAddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        // Last in, so first out at stop: the agent says offline before the door and the store go.
        services.TryAddSingleton<IStationFacts, StationFactsProbe>();
        services.TryAddSingleton<IStationControl, StationControl>();
        services.AddStationSync(builder.Configuration);
        if (builder is WebApplicationBuilder web)
        {
            // Validated at start, before the store is opened: the accounts need only the data folder's path.
            services.TryAddSingleton(new KeeperAccounts(DataFolder.Resolve(storeOptions.DataPath)));
            services.AddHostedService<VisitFeedNudger>();
            services.TryAddSingleton<IDoorModels, DoorModels>();
            services.TryAddSingleton<IKeeperVisits, StationKeeperVisits>();
            web.AddKeeperSite();
        }

        adjust?.Invoke(builder);
        daemon.Host = builder is WebApplicationBuilder built ? built.Build() : ((HostApplicationBuilder)builder).Build();
        return daemon;
    }

    /// <summary>
    /// Validates every section (naming the key) before the data folder is touched, opens the store, maps the keeper's
    /// pages, then starts the host:
    /// the station's services in their order, the keeper's site last. A start that fails stops what did start (the relay
    /// rests) and throws.
    /// </summary>
    /// <exception cref="OptionsValidationException">A value is wrong; the message names the key.</exception>
    /// <exception cref="StoreException">The store cannot be opened (a damaged database: the message names the file).</exception>
    /// <exception cref="IOException">The keeper's site cannot listen on <c>KeeperSite:Urls</c>; the message names the address.</exception>
    public async Task StartAsync(CancellationToken ct)
    {
        if (Services.GetService<IAsyncStartupValidator>() is { } validator)
        {
            await validator.ValidateAsync(ct);
        }

        _store = await StationStore.OpenAsync(
            _storeOptions, Services.GetRequiredService<ILogger<StationStore>>(), Services.GetRequiredService<TimeProvider>(), ct);
        if (Host is WebApplication app)
        {
            // Mapping the pages builds services that read the store (the login keys live in the data folder).
            app.MapKeeperSite();
        }

        try
        {
            await Host.StartAsync(ct);
        }
        catch (IOException failure) when (failure.InnerException is AddressInUseException || failure.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            await StopAsync();
            throw new IOException(
                $"KeeperSite:Urls: {failure.Message.TrimEnd('.')} (another program has that port: stop it, choose another address in KeeperSite:Urls, or set KeeperSite:Enabled to false)",
                failure);
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>Stops the host (the relay drops first), bounded: a stop that hangs must not keep the process alive. Once.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var bound = new CancellationTokenSource(StopBound);
        try
        {
            await Host.StopAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the relay was dropped first; what is left ends with the process.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            Host.Dispose();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
