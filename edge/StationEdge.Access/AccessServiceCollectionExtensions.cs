using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;
using StationEdge.Store;

namespace StationEdge.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates (at start-up, naming the key) the <c>Store</c>, <c>Vision</c>, <c>Access</c> and <c>Greeting</c>
    /// sections, and adds the station's access services: the event stream and its door/camera bridge, the models, the
    /// records (store and gallery), the recorder, the gallery refresher, the greeting and the access loop. The door
    /// (<c>AddStationDoor</c>) and the camera (<c>AddStationCamera</c>) are added by the caller, after this, so that the
    /// host stops the door first (services stop in reverse order).
    /// </summary>
    public static IServiceCollection AddStationAccess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Bind<StoreOptions, StoreOptionsValidator>(services, configuration, StoreOptions.SectionName);
        Bind<StationVisionOptions, StationVisionOptionsValidator>(services, configuration, StationVisionOptions.SectionName);
        Bind<AccessOptions, AccessOptionsValidator>(services, configuration, AccessOptions.SectionName);
        Bind<GreetingOptions, GreetingOptionsValidator>(services, configuration, GreetingOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StationEvents>();
        services.TryAddSingleton<AccessHeartbeat>();
        services.TryAddSingleton(sp => StationVision.Load(sp.GetRequiredService<IOptions<StationVisionOptions>>().Value));
        Hosted<StationEventBridge>(services);
        Hosted<StationRecords>(services);
        services.TryAddSingleton<IStationStoreSource>(sp => sp.GetRequiredService<StationRecords>());
        AddStationRecorder(services);
        Hosted<GalleryRefresher>(services);
        Hosted<GreetingPlayer>(services);
        Hosted<AccessLoop>(services);
        return services;
    }

    /// <summary>
    /// The gallery that learns at the door (<see cref="GalleryLearner"/>), fed by the access loop; added by the station host
    /// after <see cref="AddStationAccess"/>. <c>Access:LearnEnabled</c> false leaves it idle.
    /// </summary>
    public static IServiceCollection AddGalleryLearner(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(d => d.ServiceType == typeof(GalleryLearner)))
        {
            services.AddSingleton(sp => new GalleryLearner(
                sp.GetRequiredService<StationRecords>(), sp.GetRequiredService<StationEvents>(), sp.GetRequiredService<IOptions<AccessOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<GalleryLearner>>()));
            services.AddHostedService(sp => sp.GetRequiredService<GalleryLearner>());
        }

        return services;
    }

    /// <summary>
    /// The one recorder (<see cref="AccessRecorder"/>) and the event stream it follows, once: every visit, whatever its
    /// method, is stored through it. A composition without <see cref="AddStationAccess"/> registers its own
    /// <see cref="IStationStoreSource"/> (<see cref="OpenedStationStore"/>) first.
    /// </summary>
    public static IServiceCollection AddStationRecorder(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StationEvents>();
        services.AddOptions<AccessOptions>();
        if (!services.Any(d => d.ServiceType == typeof(AccessRecorder)))
        {
            Hosted<AccessRecorder>(services);
        }

        return services;
    }

    private static void Bind<TOptions, TValidator>(IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Configure(o => StrictConfiguration.Bind(configuration.GetSection(section), o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }

    /// <summary>One instance, both as itself (for those who read it) and as a hosted service.</summary>
    private static void Hosted<T>(IServiceCollection services)
        where T : class, IHostedService
    {
        services.TryAddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
