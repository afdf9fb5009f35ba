using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace StationEdge.Camera;

public static class CameraServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Camera</c> (unknown keys are errors), validates it at start-up, and runs <see cref="FrameSource"/> as a
    /// hosted service; the access loop and the keeper site take the same <see cref="FrameSource"/> singleton.
    /// </summary>
    public static IServiceCollection AddStationCamera(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CameraOptions>()
            .Configure(o => CameraSettings.Bind(configuration.GetSection(CameraOptions.SectionName), o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CameraOptions>, CameraOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FrameSource>();
        services.AddHostedService(sp => sp.GetRequiredService<FrameSource>());
        return services;
    }
}
