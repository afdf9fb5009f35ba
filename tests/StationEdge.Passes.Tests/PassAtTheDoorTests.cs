using System.Device.Gpio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StationEdge.Camera;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Store;

namespace StationEdge.Passes.Tests;

/// <summary>
/// The door as the daemon runs it — a real camera (ffmpeg playing a video), the door on the simulated chip, the real
/// store and pass book — shown printed passes: one valid, one with a changed byte, one expired, one revoked.
/// </summary>
public sealed class PassAtTheDoorTests : IAsyncDisposable
{
    private const int RelayLine = 17;
    private readonly TempFolder _folder = new("passes-door-");

    [Fact]
    public async Task PrintedPasses_OnASyntheticStream_TheValidOneOpensTheDoorOnce_TheOthersAreRefusedAndRecorded()
    {
        var data = Path.Combine(_folder.Path, "data");
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
        await store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "test" }, [], new KeeperContext("keeper:li"));
        var codes = await PrintedPasses.IssueAsync(store.DataPath, "W001");
        var video = PrintedPasses.Video(_folder.Path, codes.InOrder);

        var logs = new LogCollector();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gpio:Driver"] = "sim",
            ["Camera:Source"] = video,
            ["Camera:Width"] = "640",
            ["Camera:Height"] = "480",
            ["Camera:Fps"] = "15",
        });
        builder.Services.AddSingleton(store);
        builder.Services.AddStationDoor(builder.Configuration);
        builder.Services.AddStationCamera(builder.Configuration);
        builder.Services.AddStationPasses(builder.Configuration);
        using var host = builder.Build();
        var door = host.Services.GetRequiredService<DoorService>();
        var chip = ((SimulatedGpioDriver)host.Services.GetRequiredService<GpioDriver>()).Chip;
        var grants = new List<string>();
        door.EventRaised += (_, e) =>
        {
            if (e is DoorGranted granted)
            {
                lock (grants)
                {
                    grants.Add(granted.By);
                }
            }
        };

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await host.StartAsync(timeout.Token);
        var camera = host.Services.GetRequiredService<FrameSource>();
        while (camera.Health.State != CameraState.Ended)
        {
            await Task.Delay(100, timeout.Token);
        }

        await Task.Delay(500, timeout.Token);
        await host.StopAsync(timeout.Token);

        var visits = (await store.ListVisitsAsync()).OrderBy(v => v.Seq).ToList();
        Assert.All(visits, v => Assert.Equal(VisitMethod.Pass, v.Method));
        Assert.Equal(["pass", "pass_forged", "pass_expired", "pass_revoked"], visits.Select(v => v.Reason));
        Assert.Equal([VisitDecision.Granted, VisitDecision.Refused, VisitDecision.Refused, VisitDecision.Refused], visits.Select(v => v.Decision));
        Assert.Equal("W001", visits[0].WorkerId);
        Assert.Equal($"pass:{codes.ValidId}", Assert.Single(grants));
        var energised = chip.OutputHistory.Count(c => c.Offset == RelayLine && c.Level == PinValue.High);
        Assert.Equal(1, energised);
        Assert.True(host.Services.GetRequiredService<PassWatcher>().FramesSearched > 20);
        logs.AssertNoErrors();
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
