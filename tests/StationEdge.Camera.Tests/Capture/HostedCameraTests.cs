using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Camera.Tests.Support;

namespace StationEdge.Camera.Tests.Capture;

/// <summary>The camera inside a generic host, as the daemon runs it: options validated at start, killed at stop (SIGTERM).</summary>
public sealed class HostedCameraTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddStationCamera(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task Host_RunsTheCamera_AndStoppingTheHostLeavesNoFfmpeg()
    {
        using var host = Build(new() { ["Camera:Source"] = "lavfi:" + Media.CountingGraph(64, 48, 10, 10), ["Camera:Width"] = "64", ["Camera:Height"] = "48" });
        using var timeout = new CancellationTokenSource(RunningCamera.Patience);
        await host.StartAsync(timeout.Token);
        var camera = host.Services.GetRequiredService<FrameSource>();
        using (var frame = await camera.ReadNextAsync(timeout.Token))
        {
            Assert.Equal((64, 48), (frame!.Width, frame.Height));
        }

        Assert.Single(ChildProcesses.Named("ffmpeg"));
        await host.StopAsync(timeout.Token);

        Assert.Empty(ChildProcesses.Named("ffmpeg"));
        Assert.Equal(CameraState.Stopped, camera.Health.State);
    }

    [Fact]
    public async Task Host_WithABadCameraValue_FailsToStartNamingTheKey()
    {
        using var host = Build(new() { ["Camera:Source"] = "lavfi:testsrc", ["Camera:Fps"] = "0" });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));
        Assert.Equal(["Camera:Fps must be between 1 and 60 (was 0)"], e.Failures);
        Assert.Empty(ChildProcesses.Named("ffmpeg"));
    }

    [Fact]
    public async Task Host_WithAMisspelledKey_FailsToStartNamingIt()
    {
        using var host = Build(new() { ["Camera:Source"] = "lavfi:testsrc", ["Camera:StalMs"] = "100" });
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(CancellationToken.None));
        Assert.StartsWith("Camera:StalMs is not a known key", Assert.Single(e.Failures), StringComparison.Ordinal);
    }
}
