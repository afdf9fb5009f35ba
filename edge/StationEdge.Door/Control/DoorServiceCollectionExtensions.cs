using System.Device.Gpio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

public static class DoorServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Gpio</c> and <c>Door</c> (unknown keys are errors), validates them at start-up, opens the configured
    /// GPIO driver and runs <see cref="DoorService"/> as a hosted service.
    /// </summary>
    public static IServiceCollection AddStationDoor(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<GpioOptions>().Configure(o => StrictConfiguration.Bind(configuration.GetSection(GpioOptions.SectionName), o)).ValidateOnStart();
        services.AddOptions<DoorOptions>().Configure(o => StrictConfiguration.Bind(configuration.GetSection(DoorOptions.SectionName), o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GpioOptions>, GpioOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DoorOptions>, DoorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => GpioDriverFactory.Create(
            sp.GetRequiredService<IOptions<GpioOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<DoorService>();
        services.AddHostedService(sp => sp.GetRequiredService<DoorService>());
        return services;
    }
}
