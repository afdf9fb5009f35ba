using System.Device.Gpio;
using Microsoft.Extensions.Options;
using StationEdge.Door.Control;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Tests.Control;

public sealed class DoorControllerTests
{
    [Fact]
    public void Start_RequestsTheRelayAtItsDeEnergisedLevel_SoTheDoorIsLockedFromTheFirstInstant()
    {
        using var rig = new DoorRig();

        // Active-low relay: de-energised is high, and the request itself drove it (no glitch through low).
        Assert.Equal(new GpioOutputChange(DoorRig.Relay, PinValue.High, rig.Clock.Start, 0, Driven: true), rig.Chip.OutputHistory[0]);
        Assert.DoesNotContain(rig.Chip.OutputHistory, c => c.Offset == DoorRig.Relay && c.Level == PinValue.Low);
        Assert.False(rig.RelayEnergised);
        Assert.Equal(["0 started"], rig.Log);
        var status = rig.Door.Status;
        Assert.Equal((false, null, false), (status.Unlocked, status.UnlockedUntil, status.DoorOpen));
        Assert.Empty(status.Alarms);
    }

    [Fact]
    public void Grant_WhenLocked_EnergisesRelayForThePulseAndLightsTheLed()
    {
        using var rig = new DoorRig();

        Assert.True(rig.Door.Grant("worker-17"));

        Assert.True(rig.RelayEnergised);
        Assert.True(rig.LedOn);
        Assert.Equal(["0 started", "0 granted worker-17", "0 unlocked until 3000"], rig.Log);
        Assert.True(rig.Door.Status.Unlocked);
    }

    [Fact]
    public void Pulse_WhenItEnds_RelocksAndDeEnergisesTheRelay()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");

        rig.At(2999);
        Assert.True(rig.RelayEnergised);
        rig.At(3000);

        Assert.False(rig.RelayEnergised);
        Assert.False(rig.LedOn);
        Assert.Equal("3000 relocked PulseEnded", rig.Log[^1]);
    }

    [Fact]
    public void Grant_WhileUnlocked_ExtendsThePulseFromTheNewGrant()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(2000);
        rig.Door.Grant("keeper:li");

        rig.At(4999);
        Assert.True(rig.RelayEnergised);
        rig.At(5000);

        Assert.Equal(
            ["0 started", "0 granted worker-17", "0 unlocked until 3000", "2000 granted keeper:li", "2000 extended until 5000", "5000 relocked PulseEnded"],
            rig.Log);
        Assert.False(rig.RelayEnergised);
    }

    [Fact]
    public void Door_OpenedWhileUnlocked_IsNotAnAlarm_AndRelocksAsSoonAsItCloses()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(500).OpenDoor();
        rig.At(1500).CloseDoor();
        rig.At(1600);

        Assert.Equal(
            ["0 started", "0 granted worker-17", "0 unlocked until 3000", "550 opened", "1550 closed", "1550 relocked DoorClosed"],
            rig.Log);
        Assert.False(rig.RelayEnergised);
        Assert.False(rig.BuzzerOn);
    }

    [Fact]
    public void Door_StillOpenWhenThePulseEnds_RelocksThenAndClosingLaterRelocksNothingMore()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(1000).OpenDoor();
        rig.At(5000).CloseDoor();
        rig.At(6000);

        Assert.Equal(
            ["0 started", "0 granted worker-17", "0 unlocked until 3000", "1050 opened", "3000 relocked PulseEnded", "5050 closed"],
            rig.Log);
    }

    [Fact]
    public void Debounce_BouncingContact_MakesOneOpenedAndOneClosedEvent()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        foreach (var (ms, open) in new[] { (1000, true), (1003, false), (1008, true), (1015, false), (1021, true) })
        {
            rig.At(ms);
            if (open)
            {
                rig.OpenDoor();
            }
            else
            {
                rig.CloseDoor();
            }
        }

        foreach (var (ms, open) in new[] { (2000, false), (2004, true), (2010, false) })
        {
            rig.At(ms);
            if (open)
            {
                rig.OpenDoor();
            }
            else
            {
                rig.CloseDoor();
            }
        }

        rig.At(2500);

        Assert.Equal(
            ["0 started", "0 granted worker-17", "0 unlocked until 3000", "1071 opened", "2060 closed", "2060 relocked DoorClosed"],
            rig.Log);
    }

    [Fact]
    public void Debounce_ExitButtonGlitchShorterThanTheDebounce_OpensNothing()
    {
        using var rig = new DoorRig();
        rig.At(100).PressExit();
        rig.At(130).ReleaseExit();
        rig.At(1000);

        Assert.Equal(["0 started"], rig.Log);
        Assert.False(rig.RelayEnergised);
    }

    [Fact]
    public void ExitButton_Pressed_UnlocksWithTheExitPulse()
    {
        using var rig = new DoorRig();
        rig.PushExit(100);
        rig.At(5149);
        Assert.True(rig.RelayEnergised);
        rig.At(5150);

        Assert.Equal(
            ["0 started", "150 granted exit-button", "150 unlocked until 5150", "5150 relocked PulseEnded"],
            rig.Log);
    }

    [Fact]
    public void ForcedOpen_ContactOpensWhileLocked_RaisesOnceSoundsBuzzer_AndClearsWhenTheDoorCloses()
    {
        using var rig = new DoorRig();
        rig.At(1000).OpenDoor();
        rig.At(1100).CloseDoor();
        rig.At(1120).OpenDoor();
        rig.At(1300);
        Assert.True(rig.BuzzerOn);
        rig.At(2000).CloseDoor();
        rig.At(2100).OpenDoor();
        rig.At(4000).CloseDoor();
        rig.At(4100);

        // The 20 ms close at 1100 is a bounce; the 100 ms close at 2000 is a real one, so the next opening is a new alarm.
        Assert.Equal(
            ["0 started", "1050 opened", "1050 alarm ForcedOpen", "2050 closed", "2050 cleared ForcedOpen",
             "2150 opened", "2150 alarm ForcedOpen", "4050 closed", "4050 cleared ForcedOpen"],
            rig.Log);
        Assert.False(rig.BuzzerOn);
        Assert.False(rig.RelayEnergised);
    }

    [Fact]
    public void ForcedOpen_NotRaised_WhenTheDoorOpensSoonAfterAnExitPressAndTheRelock()
    {
        using var rig = new DoorRig();
        rig.PushExit(0);
        rig.At(9000).OpenDoor();
        rig.At(9500).CloseDoor();
        rig.At(10000);

        Assert.Equal(
            ["0 started", "50 granted exit-button", "50 unlocked until 5050", "5050 relocked PulseEnded", "9050 opened", "9550 closed"],
            rig.Log);
    }

    [Fact]
    public void ForcedOpen_Raised_WhenTheLastExitPressIsOlderThanTheGrace()
    {
        using var rig = new DoorRig();
        rig.PushExit(0);
        rig.At(10001).OpenDoor();
        rig.At(10100);

        Assert.Equal("10051 alarm ForcedOpen", rig.Log[^1]);
    }

    [Fact]
    public void ForcedOpen_NotRaised_WhenTheDoorBeganOpeningJustBeforeTheRelock()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(2990).OpenDoor();
        rig.At(3100);

        Assert.Equal(["0 started", "0 granted worker-17", "0 unlocked until 3000", "3000 relocked PulseEnded", "3040 opened"], rig.Log);
    }

    [Fact]
    public void HeldOpen_DoorOpenLongerThanConfigured_RaisesOnce_AndClearsWhenItCloses()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(1000).OpenDoor();
        rig.At(31049);
        Assert.False(rig.BuzzerOn);
        rig.At(31050);
        Assert.True(rig.BuzzerOn);
        rig.At(60000);
        rig.At(70000).CloseDoor();
        rig.At(71000);

        Assert.Equal(
            ["1050 opened", "3000 relocked PulseEnded", "31050 alarm HeldOpen", "70050 closed", "70050 cleared HeldOpen"],
            rig.Log.Skip(3));
        Assert.False(rig.BuzzerOn);
    }

    [Fact]
    public void RelayStuck_ReadbackDisagreesWithTheRelay_RaisesAfterTheGrace_AndClearsWhenTheyAgreeAgain()
    {
        using var rig = new DoorRig(o => o.RelayReadback = new InputLineOptions { Line = DoorRig.Readback, ActiveLevel = GpioLevel.High, Bias = InputBias.PullDown });

        // The relay's contacts weld open: the read-back stays at "de-energised" whatever the coil is told.
        rig.Chip.Unloop(DoorRig.Relay);
        rig.At(1000);
        rig.Door.Grant("worker-17");
        rig.At(5000);

        Assert.Equal(
            ["0 started", "1000 granted worker-17", "1000 unlocked until 4000", "1200 alarm RelayStuck", "4000 relocked PulseEnded", "4200 cleared RelayStuck"],
            rig.Log);
    }

    [Fact]
    public void RelayStuck_ReadbackStuckEnergisedWhileLocked_RaisesWithoutAnyGrant()
    {
        using var rig = new DoorRig(o => o.RelayReadback = new InputLineOptions { Line = DoorRig.Readback, ActiveLevel = GpioLevel.High, Bias = InputBias.PullDown });
        rig.Chip.Unloop(DoorRig.Relay);

        rig.At(1000);
        rig.Chip.DriveInput(DoorRig.Readback, PinValue.High);
        rig.At(1100);
        rig.Chip.DriveInput(DoorRig.Readback, PinValue.Low);
        rig.At(1200);

        Assert.Equal(["0 started", "1050 alarm RelayStuck", "1150 cleared RelayStuck"], rig.Log);
    }

    [Fact]
    public void RelayStuck_HealthyRelayWithReadback_NeverAlarms()
    {
        using var rig = new DoorRig(o => o.RelayReadback = new InputLineOptions { Line = DoorRig.Readback, ActiveLevel = GpioLevel.Low, Bias = InputBias.PullUp });
        rig.Door.Grant("worker-17");
        rig.At(10000);

        Assert.Equal(["0 started", "0 granted worker-17", "0 unlocked until 3000", "3000 relocked PulseEnded"], rig.Log);
    }

    [Fact]
    public void MaxUnlock_GrantsThatKeepComing_RelockAtTheCap_AndAreRefusedDuringTheLockout()
    {
        using var rig = new DoorRig();
        for (var ms = 0; ms <= 14000; ms += 2000)
        {
            rig.At(ms).Door.Grant("worker-17");
        }

        Assert.Contains("10000 relocked Cap", rig.Log);
        Assert.All(
            rig.Events.OfType<DoorUnlockExtended>(),
            e => Assert.True(e.Until <= rig.Clock.Start.AddMilliseconds(10000), $"extended past the cap to {e.Until}"));
        // The grant at 10000 arrives just after the cap fired at the same instant.
        Assert.Equal(
            ["10000 refused worker-17 cap-lockout", "12000 refused worker-17 cap-lockout", "14000 refused worker-17 cap-lockout"],
            rig.Log.Where(l => l.Contains("refused")));
        Assert.Equal(
            ["8000 granted worker-17", "8000 extended until 10000", "10000 relocked Cap"],
            rig.Log.SkipWhile(l => !l.StartsWith("8000", StringComparison.Ordinal)).Take(3));
        Assert.False(rig.RelayEnergised);

        rig.At(15000).Door.Grant("worker-17");
        Assert.True(rig.RelayEnergised);
    }

    [Fact]
    public void MaxUnlock_ExitButtonDuringTheLockout_StillLetsPeopleOut()
    {
        using var rig = new DoorRig();
        for (var ms = 0; ms <= 10000; ms += 2000)
        {
            rig.At(ms).Door.Grant("worker-17");
        }

        rig.PushExit(11000);

        Assert.Equal(["11050 granted exit-button", "11050 unlocked until 16050"], rig.Log.TakeLast(2));
        Assert.True(rig.RelayEnergised);
    }

    [Fact]
    public void MaxUnlock_RelayEnergisedTime_NeverExceedsTheCap()
    {
        using var rig = new DoorRig();
        for (var ms = 0; ms <= 60000; ms += 500)
        {
            rig.At(ms).Door.Grant("worker-17");
            if (ms % 1500 == 0)
            {
                rig.PressExit();
            }
            else
            {
                rig.ReleaseExit();
            }
        }

        rig.At(80000);
        var longest = rig.LongestEnergised();
        Assert.True(longest <= TimeSpan.FromMilliseconds(rig.Options.MaxUnlockMs), $"relay energised for {longest}");
    }

    [Fact]
    public void Dispose_WhileUnlocked_DeEnergisesTheRelayAndReleasesEveryLine()
    {
        var rig = new DoorRig();
        rig.Door.Grant("worker-17");
        rig.At(1000);

        rig.Door.Dispose();

        Assert.False(rig.RelayEnergised);
        Assert.False(rig.LedOn);
        Assert.Equal(["1000 relocked Stopped", "1000 stopped"], rig.Log.TakeLast(2));
        foreach (var line in new[] { DoorRig.Relay, DoorRig.Contact, DoorRig.Exit, DoorRig.Buzzer, DoorRig.Led })
        {
            Assert.False(rig.Chip.IsRequested(line), $"line {line} still requested");
        }

        Assert.False(rig.Door.Grant("worker-17"));
        rig.At(5000);
        Assert.Equal("1000 stopped", rig.Log[^1]);
        rig.Dispose();
    }

    [Fact]
    public async Task RunAsync_WhenCancelled_DeEnergisesTheRelay()
    {
        using var rig = new DoorRig(start: false);
        using var stop = new CancellationTokenSource();
        var running = rig.Door.RunAsync(stop.Token);
        rig.Door.Grant("worker-17");
        Assert.True(rig.RelayEnergised);

        await stop.CancelAsync();
        await running;

        Assert.False(rig.RelayEnergised);
        Assert.False(rig.Chip.IsRequested(DoorRig.Relay));
        Assert.Equal(["0 started", "0 granted worker-17", "0 unlocked until 3000", "0 relocked Stopped", "0 stopped"], rig.Log);
    }

    [Fact]
    public void ProcessDeath_WhileUnlocked_TheKernelsReleaseDropsTheRelayWithoutTheControllersHelp()
    {
        using var rig = new DoorRig();
        rig.Door.Grant("worker-17");

        rig.Driver.SimulateProcessExit();

        Assert.False(rig.RelayEnergised);
        Assert.False(rig.Chip.OutputHistory[^1].Driven);
        Assert.Equal(["0 started", "0 granted worker-17", "0 unlocked until 3000"], rig.Log);
    }

    [Fact]
    public void FailSafe_LocksByEnergising_UnlocksByDeEnergising_AndIsCappedTheSameWay()
    {
        using var rig = new DoorRig(o => o.FailSafe = true);
        Assert.True(rig.RelayEnergised);

        rig.Door.Grant("worker-17");
        Assert.False(rig.RelayEnergised);
        for (var ms = 2000; ms <= 12000; ms += 2000)
        {
            rig.At(ms).Door.Grant("worker-17");
        }

        Assert.Contains("10000 relocked Cap", rig.Log);
        Assert.True(rig.RelayEnergised);
    }

    [Fact]
    public void FailSafe_Dispose_DeEnergisesTheRelay_AndSaysTheDoorIsLeftUnlocked()
    {
        var rig = new DoorRig(o => o.FailSafe = true);
        rig.At(1000);

        rig.Door.Dispose();

        Assert.False(rig.RelayEnergised);
        Assert.Equal(["0 started", "1000 stopped left-unlocked"], rig.Log);
        rig.Dispose();
    }

    [Fact]
    public void Start_WithTheDoorAlreadyOpen_ReportsItAndRaisesHeldOpenLater_ButNotForced()
    {
        using var rig = new DoorRig(start: false);
        rig.OpenDoor();
        rig.Door.Start();
        rig.At(30000);

        Assert.Equal(["0 started door-open", "30000 alarm HeldOpen"], rig.Log);
    }

    [Fact]
    public void Start_WhenALineIsBusy_FailsAndReleasesWhatItHadTaken()
    {
        using var rig = new DoorRig(start: false);
        using var squatter = new GpioController(new SimulatedGpioDriver(rig.Chip, "someone-else"));
        squatter.OpenPin(DoorRig.Exit, PinMode.Input);

        var failure = Assert.Throws<GpioException>(() => rig.Door.Start());

        Assert.Equal("Door:ExitButton:Line 22 could not be requested: gpiochip0 line 22 is busy (requested by someone-else)", failure.Message);
        Assert.False(rig.Chip.IsRequested(DoorRig.Relay));
        Assert.False(rig.RelayEnergised);
    }

    [Fact]
    public void Grant_BeforeStart_Throws()
    {
        using var rig = new DoorRig(start: false);

        Assert.Throws<InvalidOperationException>(() => rig.Door.Grant("worker-17"));
    }

    [Fact]
    public void PwmBeeper_OnTheSimulator_PlaysThroughIotDeviceBuzzer_OneToneForAGrant()
    {
        using var rig = new DoorRig(o => o.Beeper = new BeeperOptions { Line = 18, Kind = BeeperKind.Pwm, ToneMs = 100 });

        rig.Door.Grant("worker-17");
        Assert.Equal(PinValue.High, rig.Chip.GetLevel(18));
        rig.At(100);

        Assert.Equal(PinValue.Low, rig.Chip.GetLevel(18));
        Assert.Equal([PinValue.Low, PinValue.High, PinValue.Low], rig.Chip.OutputHistory.Where(c => c.Offset == 18).Select(c => c.Level));
    }

    [Fact]
    public void SignalRefusal_BeepsTwice_AndLeavesTheRelayAlone()
    {
        using var rig = new DoorRig(o => o.Beeper = new BeeperOptions { Line = 18, ToneMs = 80, GapMs = 80 });

        rig.Door.SignalRefusal();
        rig.At(1000);

        Assert.Equal([PinValue.Low, PinValue.High, PinValue.Low, PinValue.High, PinValue.Low], rig.Chip.OutputHistory.Where(c => c.Offset == 18).Select(c => c.Level));
        Assert.False(rig.RelayEnergised);
        Assert.Single(rig.Chip.OutputHistory, c => c.Offset == DoorRig.Relay);
    }

    [Fact]
    public void Presence_PirSeesSomeone_IsAnEventAndInTheStatus()
    {
        using var rig = new DoorRig(o => o.Presence = new PresenceOptions { Line = 4 });

        rig.At(100).Chip.DriveInput(4, PinValue.High);
        rig.At(101);

        Assert.Equal("100 presence", rig.Log[^1]);
        Assert.True(rig.Door.Status.PresenceDetected);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheKey()
    {
        using var driver = new SimulatedGpioDriver();
        var options = DoorRig.StandardOptions();
        options.PulseMs = 0;

        var failure = Assert.Throws<OptionsValidationException>(() => new DoorController(driver, options));

        Assert.Equal("Door:PulseMs must be between 100 and 30000 (was 0)", failure.Message);
    }
}
