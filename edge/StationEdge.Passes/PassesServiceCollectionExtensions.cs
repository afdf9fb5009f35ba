using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Configuration;
using StationEdge.Store;

namespace StationEdge.Passes;

public static class PassesServiceCollectionExtensions
{
    /// <summary>
    /// The pass book (<c>passes.db</c> beside the station's <see cref="StationStore"/>, which must be registered), the
    /// <c>Passes</c> section (strict, validated at start), and — unless <paramref name="watchCamera"/> is false — the
    /// <see cref="PassWatcher"/> on the registered <c>FrameSource</c>, ending in <see cref="DoorPassSink"/> unless
    /// another <see cref="IPassDecisionSink"/> was registered first, and the station's one recorder (added when the
    /// face path did not add it), which stores each pass visit.
    /// </summary>
    public static IServiceCollection AddStationPasses(this IServiceCollection services, IConfiguration configuration, bool watchCamera = true)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<PassOptions>()
            .Configure(o => StrictConfiguration.Bind(configuration.GetSection(PassOptions.SectionName), o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PassOptions>, PassOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => PassBook.Open(sp.GetRequiredService<StationStore>(), sp.GetRequiredService<TimeProvider>()));
        if (watchCamera)
        {
            // Without the face path (AddStationAccess), the recorder still stores every pass visit, on the opened store.
            services.TryAddSingleton<IStationStoreSource>(sp => new OpenedStationStore(sp.GetRequiredService<StationStore>()));
            services.AddStationRecorder();
            services.TryAddSingleton<IPassDecisionSink, DoorPassSink>();
            services.TryAddSingleton<PassWatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<PassWatcher>());
        }

        return services;
    }
}
