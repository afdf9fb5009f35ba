using System.Runtime.CompilerServices;
using StationEdge.Store;

namespace StationEdge.KeeperSite.Station;

/// <summary>
/// <see cref="IVisitFeed"/> on the store, one reader for every stream: while at least one page or door screen listens,
/// a single poller reads the newest <see cref="Window"/> visits every <see cref="PollInterval"/> (a 0.3 ms query) or at
/// once after <see cref="Nudge"/>, and each stream takes what is past its own sequence number from that shared window.
/// Twenty open screens cost what one does. It sees visits from every writer, including commands in other processes.
/// A stream further behind than the window (a page left open through a busy hour) resumes at the window's start: the
/// page's table was rendered from the store when it loaded, and a reload shows the rest.
/// </summary>
public sealed class StoreVisitFeed(StationStore store, TimeProvider time) : IVisitFeed, IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);
    public const int Window = 200;

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private TaskCompletionSource _nudge = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<Visit>? _recent;
    private int _readers;
    private bool _polling;
    private long _storeReads;

    /// <summary>How many times the store was read for the feed (the streams share these reads).</summary>
    public long StoreReads => Interlocked.Read(ref _storeReads);

    public async IAsyncEnumerable<Visit> ReadAsync(long afterSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        Attach();
        try
        {
            while (true)
            {
                Task changed;
                IReadOnlyList<Visit>? recent;
                lock (_gate)
                {
                    (changed, recent) = (_changed.Task, _recent);
                }

                foreach (var visit in recent ?? [])
                {
                    if (visit.Seq > afterSeq)
                    {
                        afterSeq = visit.Seq;
                        yield return visit;
                    }
                }

                await changed.WaitAsync(ct);
            }
        }
        finally
        {
            lock (_gate)
            {
                _readers--;
            }
        }
    }

    public void Nudge() => Interlocked.Exchange(ref _nudge, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private void Attach()
    {
        lock (_gate)
        {
            _readers++;
            if (_polling)
            {
                return;
            }

            _polling = true;
        }

        _ = Task.Run(PollAsync);
    }

    /// <summary>Runs while anyone listens; the last stream to close ends it, the next to open starts it again.</summary>
    private async Task PollAsync()
    {
        var ct = _disposed.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var nudged = Volatile.Read(ref _nudge).Task;
                try
                {
                    Interlocked.Increment(ref _storeReads);
                    var newest = (await store.ListVisitsAsync(limit: Window, ct: ct)).OrderBy(v => v.Seq).ToList();
                    lock (_gate)
                    {
                        var known = _recent is [.., var last] ? last.Seq : -1;
                        if (_recent is null || (newest is [.., var top] && top.Seq != known))
                        {
                            _recent = newest;
                            _changed.TrySetResult();
                            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                        }
                    }
                }
                catch (StoreException)
                {
                    // A busy or full store: the streams wait for the next look, as they would for a quiet hour.
                }

                await Task.WhenAny(nudged, Task.Delay(PollInterval, time, ct));
                lock (_gate)
                {
                    if (_readers == 0)
                    {
                        // Forgotten with the poller: a stream opened later must not start from a stale window.
                        (_polling, _recent) = (false, null);
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
            // The host disposed the feed while the poller slept.
        }
    }
}
