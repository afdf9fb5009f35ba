namespace StationEdge.Camera.Tests.Frames;

public sealed class LatestFrameSlotTests
{
    private readonly FramePool _pool = new(4, 2);
    private readonly LatestFrameSlot _slot = new(TimeProvider.System);

    private long Publish(byte value)
    {
        var buffer = _pool.Rent();
        buffer.Pixels.AsSpan().Fill(value);
        return _slot.Publish(buffer, TimeProvider.System.GetTimestamp());
    }

    [Fact]
    public async Task TakeNext_WhenConsumerWasSlow_GetsTheNewestFrameAndCountsTheOnesItMissed()
    {
        Publish(1);
        using (var first = await _slot.TakeNextAsync(CancellationToken.None))
        {
            Assert.Equal(1, first!.Sequence);
        }

        Publish(2);
        Publish(3);
        Publish(4);
        using var newest = await _slot.TakeNextAsync(CancellationToken.None);
        Assert.Equal((4L, (byte)4), (newest!.Sequence, newest.Pixels[0]));
        Assert.Equal(2, _slot.Dropped);
    }

    [Fact]
    public async Task TakeNext_NeverReturnsTheSameFrameTwice()
    {
        Publish(1);
        using var first = await _slot.TakeNextAsync(CancellationToken.None);
        var second = _slot.TakeNextAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Publish(2);
        using var frame = await second;
        Assert.Equal(2, frame!.Sequence);
    }

    [Fact]
    public async Task TryGetLatest_LeavesTheFrameToTheAccessLoopAndCountsNoDrop()
    {
        Publish(1);
        (await _slot.TakeNextAsync(CancellationToken.None))!.Dispose();
        Publish(2);
        using (var peek = _slot.TryGetLatest())
        {
            Assert.Equal(2, peek!.Sequence);
        }

        using var taken = await _slot.TakeNextAsync(CancellationToken.None);
        Assert.Equal((2L, 0L), (taken!.Sequence, _slot.Dropped));
    }

    [Fact]
    public void HeldLease_KeepsItsPixelsWhileNewerFramesArrive_AndBuffersAreReused()
    {
        Publish(7);
        using var held = _slot.TryGetLatest()!;
        for (byte v = 10; v < 60; v++)
        {
            Publish(v);
        }

        Assert.True(held.Pixels.ToArray().All(p => p == 7));

        // The held one, the slot's, and the one being filled: 50 frames did not need 50 buffers.
        Assert.InRange(_pool.Allocated, 2, 4);
    }

    [Fact]
    public void Dispose_TwiceReleasesOnce()
    {
        Publish(1);
        var lease = _slot.TryGetLatest()!;
        lease.Dispose();
        lease.Dispose();
        using var again = _slot.TryGetLatest();
        Assert.Equal(1, again!.Pixels[0]);
        Assert.Throws<ObjectDisposedException>(() => lease.Buffer);
    }

    [Fact]
    public async Task End_WakesAWaitingReaderWithNull()
    {
        var waiting = _slot.TakeNextAsync(CancellationToken.None);
        var peeking = _slot.WaitNewerAsync(0, CancellationToken.None);
        _slot.End(keepLast: false);
        Assert.Null(await waiting);
        Assert.Null(await peeking);
        Assert.Null(_slot.TryGetLatest());
    }

    [Fact]
    public async Task End_OfARecording_StillHandsOutItsLastFrameOnce()
    {
        Publish(1);
        _slot.End(keepLast: true);
        using var last = await _slot.TakeNextAsync(CancellationToken.None);
        Assert.Equal(1, last!.Sequence);
        Assert.Null(await _slot.TakeNextAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WaitNewer_DoesNotMoveTheAccessLoopOn()
    {
        Publish(1);
        using var preview = await _slot.WaitNewerAsync(0, CancellationToken.None);
        using var taken = await _slot.TakeNextAsync(CancellationToken.None);
        Assert.Equal((1L, 1L), (preview!.Sequence, taken!.Sequence));
    }

    [Fact]
    public async Task Clear_DropsTheStaleFrameSoNobodyGetsAPictureFromALostCamera()
    {
        Publish(1);
        _slot.Clear();
        Assert.Null(_slot.TryGetLatest());
        var next = _slot.TakeNextAsync(CancellationToken.None);
        Publish(2);
        using var frame = await next;
        Assert.Equal(2, frame!.Sequence);
    }
}
