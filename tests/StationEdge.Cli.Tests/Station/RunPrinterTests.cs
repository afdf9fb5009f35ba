using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using StationEdge.Access;
using StationEdge.Cli.Commands.Run;
using StationEdge.Door.Control;
using StationEdge.Door.Timing;

namespace StationEdge.Cli.Tests.Station;

/// <summary>What <c>run</c>'s printer asks of the station's event stream while the station is quiet.</summary>
public sealed class RunPrinterTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task RunAsync_WhileNoEventComes_KeepsOneWaitOnTheChannel_AndEndsWithIt()
    {
        var channel = Channel.CreateBounded<StationEvent>(16);
        var reader = new CountingReader(channel.Reader);
        var time = new VirtualTimeProvider();
        var printer = new RunPrinter(json: true, TextWriter.Null, reader, time, new DoorOptions(), chip: null);
        var printing = printer.RunAsync();

        // A quiet station: two hundred of the printer's ticks with nothing published.
        for (var tick = 0; tick < 200; tick++)
        {
            await UntilTimerSetAsync(time);
            time.Advance(Tick);
        }

        await UntilTimerSetAsync(time);
        Assert.Equal(1, reader.Pending);

        channel.Writer.Complete();
        await printing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, reader.Pending);
    }

    /// <summary>Until the printer has set its next tick's timer (its loop turned).</summary>
    private static async Task UntilTimerSetAsync(VirtualTimeProvider time)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (time.NextDue is null)
        {
            await Task.Delay(1, bound.Token);
        }
    }

    /// <summary>A channel's reader that counts the waits asked of it and not yet answered.</summary>
    private sealed class CountingReader(ChannelReader<StationEvent> inner) : ChannelReader<StationEvent>
    {
        private int _pending;

        public int Pending => Volatile.Read(ref _pending);

        public override Task Completion => inner.Completion;

        public override bool TryRead([MaybeNullWhen(false)] out StationEvent item) => inner.TryRead(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        {
            var wait = inner.WaitToReadAsync(cancellationToken).AsTask();
            if (!wait.IsCompleted)
            {
                Interlocked.Increment(ref _pending);
                _ = wait.ContinueWith(_ => Interlocked.Decrement(ref _pending), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            return new ValueTask<bool>(wait);
        }
    }
}
