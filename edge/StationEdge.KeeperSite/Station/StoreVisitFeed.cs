using System.Runtime.CompilerServices;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// <see cref="IVisitFeed"/> on the store: the newest visits are read every <see cref="PollInterval"/> (a 0.3 ms query)
/// or at once after <see cref="Nudge"/>, and those past the reader's sequence number are handed on in order. It sees
/// visits from every writer, including commands in other processes.
/// </summary>
public sealed class StoreVisitFeed(StationStore store, TimeProvider time) : IVisitFeed
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    private TaskCompletionSource _nudge = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async IAsyncEnumerable<Visit> ReadAsync(long afterSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            var nudged = Volatile.Read(ref _nudge).Task;
            var fresh = (await store.ListVisitsAsync(limit: 200, ct: ct)).Where(v => v.Seq > afterSeq).OrderBy(v => v.Seq);
            foreach (var visit in fresh)
            {
                afterSeq = visit.Seq;
                yield return visit;
            }

            await Task.WhenAny(nudged, Task.Delay(PollInterval, time, ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    public void Nudge() => Interlocked.Exchange(ref _nudge, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
