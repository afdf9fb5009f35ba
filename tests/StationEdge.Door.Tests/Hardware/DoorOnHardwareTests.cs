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
            RelayReadback = new InputLineOptions { Line = HardwareBench.LoopIn, ActiveLevel = GpioLevel.High, Bias = GpioBias.AsIs },
            Contact = new ContactLineOptions { Line = HardwareBench.SpareA, ClosedLevel = GpioLevel.High, Bias = GpioBias.PullUp },
            ExitButton = new InputLineOptions { Line = HardwareBench.SpareB, ActiveLevel = GpioLevel.Low, Bias = GpioBias.PullUp },
            PulseMs = 300,
        };
        using var chip = new LibgpiodDriver(HardwareBench.Chip);
        var events = new List<DoorEvent>();
        var relocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var door = new DoorController(chip, options))
        {
            door.EventRaised += (_, e) =>
            {
                events.Add(e);
                if (e is DoorRelocked)
                {
                    relocked.TrySetResult();
                }
            };
            door.Start();
            door.Grant("hardware-test");
            await relocked.Task.WaitAsync(TimeSpan.FromSeconds(10));

            // Let the read-back grace run out after the relock, so a stuck relay would have been reported.
            await Task.Delay(TimeSpan.FromMilliseconds(options.ReadbackGraceMs * 2));
        }

        Assert.DoesNotContain(events, e => e is DoorAlarmRaised);
        Assert.Equal(RelockReason.PulseEnded, events.OfType<DoorRelocked>().First().Reason);
        using var probe = chip.OpenInput(HardwareBench.LoopIn, GpioBias.PullDown, "door-test-probe");
        Assert.Equal(GpioLevel.Low, probe.Read());
    }
}
