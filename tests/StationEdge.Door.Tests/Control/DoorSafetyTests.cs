using System.Device.Gpio;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;
using StationEdge.Door.Tests.Support;

namespace StationEdge.Door.Tests.Control;

/// <summary>
/// The review's door defects, each shown fixed: whatever a handler, a timer, the wall clock, a chattering contact or
/// a crash does, the relay is never energised past its cap and the door ends in its rest state.
/// </summary>
public sealed class DoorSafetyTests
{
    // Real-time tests measure the relay from the simulated chip's record; this much scheduling delay is allowed.
    private static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(250);

    public enum ReaderKind
    {
        Blocks,
        Throws,
        GrantsAgain,
    }

    // 1. Events leave the lock through a channel: what DoorService's handlers do cannot hold the relay.
    [Theory]
    [InlineData(ReaderKind.Blocks)]
    [InlineData(ReaderKind.Throws)]
    [InlineData(ReaderKind.GrantsAgain)]
    public async Task EventHandler_ThatBlocksThrowsOrGrantsAgain_CannotKeepTheRelayPastTheCap(ReaderKind kind)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gpio:Driver"] = "sim",
            ["Door:PulseMs"] = "200",
            ["Door:ExitPulseMs"] = "200",
            ["Door:MaxUnlockMs"] = "300",
            ["Door:CapLockoutMs"] = "0",
        });
        builder.Services.AddLogging();
        builder.Services.AddStationDoor(builder.Configuration);
        using var host = builder.Build();
        var chip = ((SimulatedGpioDriver)host.Services.GetRequiredService<GpioDriver>()).Chip;
        var door = host.Services.GetRequiredService<DoorService>();
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        door.EventRaised += (_, e) =>
        {
            switch (kind)
            {
                case ReaderKind.Blocks when e is DoorUnlocked:
                    entered.Set();
                    release.Wait(TimeSpan.FromSeconds(10));
                    break;
                case ReaderKind.Throws:
                    entered.Set();
                    throw new InvalidOperationException("handler bug");
                case ReaderKind.GrantsAgain when e is DoorRelocked or DoorUnlocked:
                    entered.Set();
                    door.Grant("handler");
                    break;
            }
        };
        await host.StartAsync();

        Assert.True(door.Grant("worker-17"));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(5)), "the handler never ran");
        await Task.Delay(1500);
        var longest = DoorRig.LongestEnergised(chip, 17, PinValue.High);
        var energisedWhileHandlerRuns = chip.GetLevel(17) == PinValue.High && kind == ReaderKind.Blocks;
        release.Set();
        await host.StopAsync();

        Assert.False(energisedWhileHandlerRuns, "relay still energised 1.5 s after the grant while a handler blocks");
        Assert.True(longest <= TimeSpan.FromMilliseconds(300) + Tolerance, $"relay energised for {longest.TotalMilliseconds} ms (cap 300)");
        Assert.Equal(PinValue.Low, chip.GetLevel(17));
    }

    // 2. A fault in a timer callback: no exception escapes, the relay is written before the state says locked.
    [Fact]
    public void RelayWriteFailsAtTheRelock_TheTimerDoesNotThrow_TheRetryDropsTheRelay_AndTheFaultAlarmIsRaised()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.Chip.FailNextWrites(DoorRig.Relay);

        var escaped = Record.Exception(() => rig.At(3000));

        Assert.Null(escaped);
        Assert.False(rig.RelayEnergised);
        Assert.False(rig.Door.Status.Unlocked);
        Assert.Equal(["3000 relocked Fault", "3000 alarm Fault"], rig.Log.TakeLast(2));
        Assert.True(rig.BuzzerOn);

        // The controller carries on; the next unlock that ends well clears the alarm.
        Assert.True(rig.At(4000).Door.Grant("worker-18"));
        rig.At(7000);
        Assert.Equal(["7000 relocked PulseEnded", "7000 cleared Fault"], rig.Log.TakeLast(2));
        Assert.False(rig.BuzzerOn);
    }

    [Fact]
    public void RelayCannotBeWrittenAtAll_TheLineIsReleasedToTheBoardsPull_GrantsAreRefused_UntilItIsRequestedAgain()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.Chip.FailNextWrites(DoorRig.Relay, 2);

        rig.At(3000);

        Assert.False(rig.Chip.IsRequested(DoorRig.Relay));
        Assert.False(rig.RelayEnergised);
        Assert.False(rig.Door.Grant("worker-18"));
        Assert.Equal("3000 refused worker-18 fault", rig.Log[^1]);
        rig.At(4000);
        Assert.True(rig.Chip.IsRequested(DoorRig.Relay));
        Assert.True(rig.Door.Grant("worker-18"));
        Assert.True(rig.RelayEnergised);
    }

    [Fact]
    public void ReadFailsWhenTheContactSettles_ItIsAFault_NotACrash_AndTheUnlockEnds()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(500).OpenDoor();
        rig.Chip.FailNextReads(DoorRig.Contact);

        var escaped = Record.Exception(() => rig.At(700));

        // The read is tried again a debounce later: the opening is not lost with it.
        Assert.Null(escaped);
        Assert.False(rig.RelayEnergised);
        Assert.Equal(["550 relocked Fault", "550 alarm Fault", "600 opened"], rig.Log.TakeLast(3));
    }

    // 3. Deadlines on the monotonic clock: wall-clock steps move neither a pulse nor a lock-out.
    [Theory]
    [InlineData(-3600_000)]
    [InlineData(3600_000)]
    public void WallClockStepMidPulse_ThePulseStillEndsOnTime(int stepMs)
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(1000).Clock.StepWallClock(TimeSpan.FromMilliseconds(stepMs));

        rig.At(2999);
        Assert.True(rig.RelayEnergised);
        rig.At(3000);

        Assert.False(rig.RelayEnergised);
        Assert.Equal("3000 relocked PulseEnded", rig.Log[^1]);
    }

    [Fact]
    public void WallClockSteppedBackMidLockout_TheLockoutStillEndsOnTime()
    {
        using var rig = CappedRig();
        rig.At(11000).Clock.StepWallClock(TimeSpan.FromMinutes(-10));

        Assert.False(rig.At(14999).Door.Grant("worker-17"));
        Assert.True(rig.At(15000).Door.Grant("worker-17"));
    }

    [Fact]
    public void WallClockSteppedForwardMidLockout_TheLockoutStillHolds()
    {
        using var rig = CappedRig();
        rig.At(10500).Clock.StepWallClock(TimeSpan.FromHours(1));

        Assert.False(rig.At(11000).Door.Grant("worker-17"));
        Assert.Equal("11000 refused worker-17 cap-lockout", rig.Log[^1]);
    }

    // 4. Every timer checks its deadline: a callback queued for the previous unlock cannot cut the next one short.
    [Fact]
    public void StaleCapCallbackFromThePreviousUnlock_DoesNotCutTheNextOneShort()
    {
        var clock = new LateTimerClock();
        using var rig = new DoorRig(o => (o.PulseMs, o.MaxUnlockMs) = (5000, 5000), late: clock);
        rig.Door.Grant("worker-17");
        clock.Hold = true;
        rig.At(5000);
        Assert.Equal(2, clock.HeldCount);

        // The pulse timer's callback runs and relocks; a new grant comes; only then does the cap's callback run.
        clock.RunHeld(1);
        clock.Hold = false;
        Assert.True(rig.Door.Grant("worker-18"));
        clock.RunHeld(1);

        Assert.True(rig.Door.Status.Unlocked, "the stale cap callback relocked the new unlock");
        Assert.True(rig.RelayEnergised);
        rig.At(10000);
        Assert.Equal("10000 relocked PulseEnded", rig.Log[^1]);
    }

    [Fact]
    public void StaleHeldOpenCallback_DoesNotRaiseHeldOpenForTheNextOpening()
    {
        var clock = new LateTimerClock();
        using var rig = new DoorRig(late: clock);
        rig.Door.Grant("worker-17");
        rig.At(100).OpenDoor();
        rig.At(30149);
        clock.Hold = true;
        rig.At(30150);
        var held = clock.HeldCount;
        clock.Hold = false;

        // The door closes and opens again before the held-open callback of the first opening gets to run.
        rig.CloseDoor();
        rig.At(30300).OpenDoor();
        rig.At(30400);
        clock.RunHeld(held);

        Assert.Equal(1, held);
        Assert.Equal(["30200 closed", "30350 opened", "30350 alarm ForcedOpen"], rig.Log.TakeLast(3));
        Assert.DoesNotContain(rig.Log, l => l.EndsWith("alarm HeldOpen", StringComparison.Ordinal));
    }

    // 5. A forced opening is judged when it began; chatter cannot hide it.
    [Fact]
    public void ExitPressAfterTheDoorBeganToOpen_TheOpeningIsStillForced()
    {
        using var rig = new DoorRig();
        rig.At(1000).OpenDoor();
        rig.At(1010).PressExit();

        // The contact bounces until 1030, so it settles (1080) after the exit press has (1060) and unlocked the door.
        rig.At(1020).CloseDoor();
        rig.At(1030).OpenDoor();
        rig.At(1300).ReleaseExit();
        rig.At(2000);

        Assert.Equal(["0 started", "1060 granted exit-button", "1060 unlocked until 6060", "1080 opened", "1080 alarm ForcedOpen"], rig.Log);
    }

    [Fact]
    public void ExitPressThatBeganBeforeTheDoorOpened_ButSettledAfterTheContact_ClearsTheForcedAlarm()
    {
        using var rig = new DoorRig();
        rig.At(1000).PressExit();
        rig.At(1010).OpenDoor();

        // The button bounces until 1040 (settles 1090); the contact settled at 1060.
        rig.At(1020).ReleaseExit();
        rig.At(1040).PressExit();
        rig.At(1300);

        Assert.Equal(["1060 opened", "1060 alarm ForcedOpen", "1090 cleared ForcedOpen", "1090 granted exit-button"], rig.Log.Skip(1).Take(4));
    }

    [Fact]
    public void ChatteringContact_CountsAsOpenAfterMaxSettle_SoAForcedOpeningCannotHide()
    {
        using var rig = new DoorRig();
        for (var ms = 1000; ms < 11000; ms += 20)
        {
            rig.At(ms);
            if (ms / 20 % 2 == 0)
            {
                rig.OpenDoor();
            }
            else
            {
                rig.CloseDoor();
            }
        }

        rig.At(11000).CloseDoor();
        rig.At(12000);

        Assert.Equal(["0 started", "2000 opened", "2000 alarm ForcedOpen", "11050 closed", "11050 cleared ForcedOpen"], rig.Log);
    }

    // 6. Real time, several threads, the real timers.
    [Fact]
    [Trait("Category", "Stress")]
    public async Task Stress_ThreadsGrantingAndPressingExitForTenSeconds_TheRelayNeverOutlastsTheCap_AndEveryUnlockEnds()
    {
        var options = DoorRig.StandardOptions();
        (options.PulseMs, options.ExitPulseMs, options.MaxUnlockMs, options.CapLockoutMs, options.DebounceMs) = (100, 150, 300, 100, 5);
        var chip = new SimulatedGpioChip(TimeProvider.System);
        using var driver = new SimulatedGpioDriver(chip);
        SimulatedDoorWiring.Wire(chip, options);
        var events = 0;
        using (var door = new DoorController(driver, options, TimeProvider.System))
        {
            door.Start();
            var reader = Task.Run(async () =>
            {
                await foreach (var e in door.Events.ReadAllAsync())
                {
                    events++;
                }
            });
            var end = DateTime.UtcNow.AddSeconds(10);
            var workers = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                var random = new Random(i);
                while (DateTime.UtcNow < end)
                {
                    if (i == 0)
                    {
                        chip.DriveInput(DoorRig.Exit, PinValue.Low);
                        await Task.Delay(random.Next(5, 30));
                        chip.DriveInput(DoorRig.Exit, PinValue.High);
                    }
                    else
                    {
                        door.Grant($"worker-{i}");
                    }

                    await Task.Delay(random.Next(1, 20));
                }
            })).ToArray();
            await Task.WhenAll(workers);
            await Task.Delay(TimeSpan.FromMilliseconds(options.MaxUnlockMs) + Tolerance);

            Assert.False(door.Status.Unlocked, "an unlock never ended");
            Assert.Equal(PinValue.High, chip.GetLevel(DoorRig.Relay));
            door.Dispose();
            await reader;
        }

        var longest = DoorRig.LongestEnergised(chip, DoorRig.Relay, PinValue.Low);
        Assert.True(longest <= TimeSpan.FromMilliseconds(options.MaxUnlockMs) + Tolerance, $"relay energised for {longest.TotalMilliseconds} ms (cap {options.MaxUnlockMs} + {Tolerance.TotalMilliseconds})");
        Assert.True(chip.OutputHistory.Count(c => c.Offset == DoorRig.Relay && c.Level == PinValue.Low) > 10, "the stress never unlocked the door");
        Assert.True(events > 0);
    }

    // 7. kill -9: what the kernel does with the relay line, and what door --rest (the unit's ExecStopPost) fixes.
    [Fact]
    public void KillMidPulse_OnARaspberryPiKernel_LeavesTheRelayEnergised_UntilDoorRestDrivesItToRest()
    {
        using var rig = new DoorRig();
        rig.Chip.ReleasedOutputs = ReleasedOutputs.KeepDriven;
        rig.Door.Grant("worker-17");

        rig.Driver.SimulateProcessExit();
        Assert.True(rig.RelayEnergised, "persist_gpio_outputs keeps a killed daemon's relay energised");

        using var nextProcess = new SimulatedGpioDriver(rig.Chip);
        Assert.Equal(PinValue.High, DoorRest.Drive(nextProcess, rig.Options));

        Assert.False(rig.RelayEnergised);
        Assert.False(rig.Chip.IsRequested(DoorRig.Relay));
        Assert.True(rig.Chip.OutputHistory[^1] is { Offset: DoorRig.Relay, Driven: false });
    }

    [Fact]
    public void KillMidPulse_WithStrictGpiod_TheReleaseDropsTheRelay_AndDoorRestKeepsItDown()
    {
        using var rig = new DoorRig();
        rig.Chip.ReleasedOutputs = ReleasedOutputs.ReturnToInput;
        rig.Door.Grant("worker-17");

        rig.Driver.SimulateProcessExit();
        Assert.False(rig.RelayEnergised);

        using var nextProcess = new SimulatedGpioDriver(rig.Chip);
        DoorRest.Drive(nextProcess, rig.Options);
        Assert.False(rig.RelayEnergised);
    }

    [Fact]
    public void DoorRest_WhenTheRelayLineIsHeld_FailsNamingTheKey()
    {
        using var rig = new DoorRig();
        using var other = new SimulatedGpioDriver(rig.Chip, "another-process");

        var failure = Assert.Throws<GpioException>(() => DoorRest.Drive(other, rig.Options));

        Assert.Equal("Door:Relay:Line 17 could not be driven to rest: gpiochip0 line 17 is busy (requested by station-edge)", failure.Message);
    }

    private static DoorRig CappedRig()
    {
        var rig = new DoorRig();
        for (var ms = 0; ms <= 10000; ms += 2000)
        {
            rig.At(ms).Door.Grant("worker-17");
        }

        Assert.Contains("10000 relocked Cap", rig.Log);
        return rig;
    }
}
