using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;

namespace StationEdge.Hub;

public static class HubServiceCollectionExtensions
{
    /// <summary>The <c>Hub</c> section (strict: unknown keys refused; validated at start naming the key), the database and the ingest.</summary>
    public static IServiceCollection AddCountyHubIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<HubOptions>()
            .Configure(o => StrictConfiguration.Bind(configuration.GetSection(HubOptions.SectionName), o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HubOptions>>(HubOptionsValidator.ForIngest));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new HubDatabase(sp.GetRequiredService<IOptions<HubOptions>>().Value.Database!));
        services.TryAddSingleton<RosterSignal>();
        services.TryAddSingleton<IngestHeartbeat>();
        services.AddSingleton<HubIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<HubIngest>());
        services.AddSingleton<RosterPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<RosterPublisher>());
        return services;
    }
}
