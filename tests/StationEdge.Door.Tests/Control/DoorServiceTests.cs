using System.Device.Gpio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Control;

/// <summary>The door inside a real generic host, as the daemon will run it.</summary>
public sealed class DoorServiceTests
{
    [Fact]
    public async Task Host_StartGrantStop_RelayEnergisedWhileGrantedAndReleasedOnStop()
    {
        var clock = new VirtualTimeProvider();
        using var host = BuildHost(clock, ("Gpio:Driver", "sim"), ("Door:Relay:ActiveLevel", "Low"));
        var chip = ((SimulatedGpioDriver)host.Services.GetRequiredService<GpioDriver>()).Chip;
        var door = host.Services.GetRequiredService<DoorService>();
        var events = new List<DoorEvent>();

        door.EventRaised += (_, e) => events.Add(e);
        await host.StartAsync(TestContext.Token);
        Assert.True(door.Grant("worker-17"));
        Assert.Equal(PinValue.Low, chip.GetLevel(17));
        await host.StopAsync(TestContext.Token);

        Assert.Equal(PinValue.High, chip.GetLevel(17));
        Assert.False(chip.IsRequested(17));
        Assert.Equal(
            [typeof(DoorStarted), typeof(DoorGranted), typeof(DoorUnlocked), typeof(DoorRelocked), typeof(DoorStopped)],
            events.Select(e => e.GetType()));
        Assert.Equal(RelockReason.Stopped, events.OfType<DoorRelocked>().Single().Reason);
        Assert.False(door.Grant("worker-17"));
    }

    [Fact]
    public async Task Host_PulseEndsOnTheInjectedClock()
    {
        var clock = new VirtualTimeProvider();
        using var host = BuildHost(clock, ("Gpio:Driver", "sim"));
        var chip = ((SimulatedGpioDriver)host.Services.GetRequiredService<GpioDriver>()).Chip;
        var door = host.Services.GetRequiredService<DoorService>();
        await host.StartAsync(TestContext.Token);

        door.Grant("worker-17");
        clock.Advance(TimeSpan.FromMilliseconds(3000));

        Assert.Equal(PinValue.Low, chip.GetLevel(17));
        Assert.False(door.Status!.Unlocked);
        await host.StopAsync(TestContext.Token);
    }

    [Fact]
    public async Task Host_InvalidDoorOption_FailsStartWithTheKeyInTheMessage()
    {
        using var host = BuildHost(new VirtualTimeProvider(), ("Gpio:Driver", "sim"), ("Door:PulseMs", "0"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Token));

        Assert.Equal("Door:PulseMs must be between 100 and 30000 (was 0)", failure.Message);
    }

    [Fact]
    public async Task Host_MistypedDoorValue_FailsStartWithTheFullKeyInTheMessage()
    {
        using var host = BuildHost(new VirtualTimeProvider(), ("Gpio:Driver", "sim"), ("Door:Relay:ActiveLevel", "sideways"));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Token));

        Assert.Equal("Door:Relay:ActiveLevel must be one of Low, High (was 'sideways')", failure.Message);
    }

    [Fact]
    public async Task Host_LibgpiodOnAMissingChip_FailsStartNamingTheChip()
    {
        using var host = BuildHost(new VirtualTimeProvider(), ("Gpio:Driver", "libgpiod"), ("Gpio:Chip", "gpiochip95"));

        var failure = await Assert.ThrowsAsync<GpioException>(() => host.StartAsync(TestContext.Token));

        Assert.Equal("GPIO chip 'gpiochip95' not found: LibGpiodDriver (libgpiod 1.6) says \"Unable to find a chip, error: 2 (No such file or directory)\"", failure.Message);
    }

    private static IHost BuildHost(TimeProvider clock, params (string Key, string Value)[] values)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        builder.Services.AddSingleton(clock);
        builder.Services.AddLogging();
        builder.Services.AddStationDoor(builder.Configuration);
        return builder.Build();
    }

    private static class TestContext
    {
        public static CancellationToken Token => CancellationToken.None;
    }
}
