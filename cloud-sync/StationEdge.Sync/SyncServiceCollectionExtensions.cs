using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;

namespace StationEdge.Sync;

public static class SyncServiceCollectionExtensions
{
    /// <summary>
    /// The <c>Sync</c> section, validated at start naming the key; the agent only when <c>Sync:Broker</c> is set, so a
    /// station without a network runs exactly as before. Needs a <see cref="Store.StationStore"/> in the container.
    /// </summary>
    public static IServiceCollection AddStationSync(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SyncOptions>()
            .Configure(o => StrictConfiguration.Bind(configuration.GetSection(SyncOptions.SectionName), o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>());
        if (!string.IsNullOrWhiteSpace(configuration[$"{SyncOptions.SectionName}:Broker"]))
        {
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<SyncAgent>();
            services.AddHostedService(sp => sp.GetRequiredService<SyncAgent>());
        }

        return services;
    }
}
