using StationEdge.Door.Timing;

namespace StationEdge.Door.Tests.Timing;

public sealed class VirtualTimeProviderTests
{
    [Fact]
    public void Advance_FiresDueTimersInDueOrder_EachSeeingItsOwnTime()
    {
        var clock = new VirtualTimeProvider();
        var fired = new List<(string, TimeSpan)>();
        using var late = clock.CreateTimer(_ => fired.Add(("late", clock.Elapsed)), null, TimeSpan.FromMilliseconds(300), Timeout.InfiniteTimeSpan);
        using var early = clock.CreateTimer(_ => fired.Add(("early", clock.Elapsed)), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
        using var never = clock.CreateTimer(_ => fired.Add(("never", clock.Elapsed)), null, TimeSpan.FromMilliseconds(301), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromMilliseconds(300));

        Assert.Equal([("early", TimeSpan.FromMilliseconds(100)), ("late", TimeSpan.FromMilliseconds(300))], fired);
        Assert.Equal(TimeSpan.FromMilliseconds(300), clock.Elapsed);
    }

    [Fact]
    public void Timers_DueAtTheSameInstant_FireInTheOrderTheyWereScheduled()
    {
        var clock = new VirtualTimeProvider();
        var fired = new List<string>();
        using var b = clock.CreateTimer(_ => fired.Add("b"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        using var a = clock.CreateTimer(_ => fired.Add("a"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        b.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(["a", "b"], fired);
    }

    [Fact]
    public void PeriodicTimer_FiresOncePerPeriod_AndStopsWhenDisposed()
    {
        var clock = new VirtualTimeProvider();
        var count = 0;
        var timer = clock.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        clock.Advance(TimeSpan.FromSeconds(3.5));
        timer.Dispose();
        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(3, count);
        Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void RunUntilIdle_StopsWhenNothingIsScheduled_AndRefusesToChaseAPeriodicTimer()
    {
        var clock = new VirtualTimeProvider();
        var chain = 0;
        ITimer? timer = null;
        timer = clock.CreateTimer(_ => { if (++chain < 3) { timer!.Change(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan); } }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);

        Assert.True(clock.RunUntilIdle(TimeSpan.FromMinutes(1)));
        Assert.Equal((3, TimeSpan.FromSeconds(3)), (chain, clock.Elapsed));

        using var forever = clock.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.False(clock.RunUntilIdle(TimeSpan.FromSeconds(10)));
        timer.Dispose();
    }

    [Fact]
    public async Task Delay_OnTheVirtualClock_CompletesOnlyWhenAdvanced()
    {
        var clock = new VirtualTimeProvider();
        var delay = Task.Delay(TimeSpan.FromSeconds(5), clock, CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        await delay;
    }

    [Fact]
    public void StepWallClock_MovesUtcNowOnly_TimersAndTimestampsKeepTheirCourse()
    {
        var clock = new VirtualTimeProvider();
        var fired = false;
        using var timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        var before = clock.GetTimestamp();

        clock.StepWallClock(TimeSpan.FromHours(-3));
        clock.Advance(TimeSpan.FromMilliseconds(999));

        Assert.Equal(clock.Start.AddHours(-3).AddMilliseconds(999), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromMilliseconds(999), clock.GetElapsedTime(before));
        Assert.False(fired);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(fired);
    }
}
