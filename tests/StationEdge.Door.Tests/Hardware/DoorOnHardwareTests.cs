using System.Device.Gpio;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Tests.Hardware;

/// <summary>
/// The whole door on a real chip: the bench's output line is the relay, its wired input the relay read-back, and two
/// unconnected lines with pull-ups stand in for a closed door and a released exit button.
/// </summary>
[Trait("Category", "Hardware")]
public sealed class DoorOnHardwareTests
{
    [HardwareFact]
    public async Task Pulse_OnRealLines_ReadbackFollowsTheRelayAndItDropsAtTheEnd()
    {
        var options = new DoorOptions
        {
            Relay = new OutputLineOptions { Line = HardwareBench.LoopOut, ActiveLevel = GpioLevel.High },
            RelayReadback = new InputLineOptions { Line = HardwareBench.LoopIn, ActiveLevel = GpioLevel.High, Bias = InputBias.None },
            Contact = new ContactLineOptions { Line = HardwareBench.SpareA, ClosedLevel = GpioLevel.High, Bias = InputBias.PullUp },
            ExitButton = new InputLineOptions { Line = HardwareBench.SpareB, ActiveLevel = GpioLevel.Low, Bias = InputBias.PullUp },
            PulseMs = 300,
        };
        using var driver = GpioDriverFactory.Create(new GpioOptions { Driver = GpioDriverKind.Auto, Chip = HardwareBench.Chip }, TimeProvider.System);
        var events = new List<DoorEvent>();
        using (var door = new DoorController(driver, options))
        {
            door.Start();
            door.Grant("hardware-test");
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await foreach (var e in door.Events.ReadAllAsync(guard.Token))
            {
                events.Add(e);
                if (e is DoorRelocked)
                {
                    break;
                }
            }

            // Let the read-back grace run out after the relock, so a stuck relay would have been reported.
            await Task.Delay(TimeSpan.FromMilliseconds(options.ReadbackGraceMs * 2));
            while (door.Events.TryRead(out var late))
            {
                events.Add(late);
            }
        }

        Assert.DoesNotContain(events, e => e is DoorAlarmRaised);
        Assert.Equal(RelockReason.PulseEnded, events.OfType<DoorRelocked>().First().Reason);
        using var gpio = new GpioController(driver);
        gpio.OpenPin(HardwareBench.LoopIn, PinMode.InputPullDown);
        Assert.Equal(PinValue.Low, gpio.Read(HardwareBench.LoopIn));
    }
}
