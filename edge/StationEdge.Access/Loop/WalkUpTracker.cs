using System.Drawing;
using StationEdge.Vision.Liveness;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access;

/// <summary>
/// One person's approach to the door: the main face followed from frame to frame. It holds the last
/// <c>Access:WindowFrames</c> votes (the worker each usable frame matched, or null for an unknown face) and what was
/// already decided for it, so a decision is made once per walk-up, never once per frame.
/// </summary>
internal sealed class WalkUp(long id, long firstTimestamp, RectangleF box, int agree, int window, int fuse = 1)
{
    private readonly Queue<string?> _votes = new(window);
    private readonly Queue<float[]> _embeddings = new(fuse);
    private readonly HashSet<string> _settled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LivenessResult> _live = new(StringComparer.Ordinal);

    public long Id { get; } = id;

    /// <summary>When the walk-up's first frame arrived (monotonic).</summary>
    public long FirstTimestamp { get; } = firstTimestamp;

    public long LastTimestamp { get; set; } = firstTimestamp;

    public RectangleF LastBox { get; set; } = box;

    /// <summary>Frames in which the walk-up's face was seen (usable or not), this one included.</summary>
    public int Frames { get; set; } = 1;

    /// <summary>Frames whose face passed the quality gate and was matched.</summary>
    public int UsableFrames { get; private set; }

    public bool UnknownRecorded { get; private set; }

    /// <summary>Something was decided for a worker in this walk-up (granted, or refused for good).</summary>
    public bool HasSettled => _settled.Count > 0;

    public bool HasSettledFor(string workerId) => _settled.Contains(workerId);

    /// <summary>
    /// Counts one usable frame's vote. Returns the worker when <c>AgreeFrames</c> of the last <c>WindowFrames</c> votes
    /// (this one included) name them and nothing was settled for them yet in this walk-up; otherwise null.
    /// </summary>
    public string? Vote(string? workerId)
    {
        UsableFrames++;
        if (_votes.Count == window)
        {
            _votes.Dequeue();
        }

        _votes.Enqueue(workerId);
        if (workerId is null || _settled.Contains(workerId))
        {
            return null;
        }

        var agreeing = 0;
        foreach (var vote in _votes)
        {
            agreeing += string.Equals(vote, workerId, StringComparison.Ordinal) ? 1 : 0;
        }

        return agreeing >= agree ? workerId : null;
    }

    /// <summary>
    /// This usable frame's embedding fused with the walk-up's previous ones (the last <c>Access:FuseFrames</c>): what the
    /// frame is matched by. One stranger's frame that happens to look like a worker is outweighed by the others, and a
    /// rider's frames add up (models/README.md measured it: the open-set rule's fusion of a walk-up's frames).
    /// </summary>
    public float[] Fuse(float[] embedding)
    {
        if (fuse <= 1)
        {
            return embedding;
        }

        if (_embeddings.Count == fuse)
        {
            _embeddings.Dequeue();
        }

        _embeddings.Enqueue(embedding);
        return WalkUpFusion.Fuse([.. _embeddings]);
    }

    /// <summary>No worker reached agreement in <paramref name="unknownAfter"/> usable frames: time to record an unknown face (once).</summary>
    public bool IsDueForUnknown(int unknownAfter) => !UnknownRecorded && !HasSettled && UsableFrames >= unknownAfter;

    public void MarkUnknownRecorded() => UnknownRecorded = true;

    /// <summary>The worker was granted, or refused for a reason that will not change during the walk-up (suspended, expired, closed).</summary>
    public void Settle(string workerId) => _settled.Add(workerId);

    /// <summary>A passing liveness score of a frame of this walk-up that matched <paramref name="workerId"/>, if one ran.</summary>
    public LivenessResult? LiveFor(string workerId) => _live.GetValueOrDefault(workerId);

    /// <summary>Keeps a passing liveness score for the worker the frame matched, for the frame that completes the agreement.</summary>
    public void RememberLive(string workerId, LivenessResult liveness)
    {
        if (liveness.IsLive)
        {
            _live[workerId] = liveness;
        }
    }

    /// <summary>True the first time a refusal (e.g. liveness for a worker) happens in this walk-up: it is recorded once.</summary>
    public bool FirstRefusal(string key) => _refused.Add(key);
}

/// <summary>
/// Follows the main face across frames. A face continues the current walk-up when it is near where the last one was
/// (its centre within a face width, its size within a factor of two) and no more than <c>Access:WalkUpGapMs</c> has
/// passed without one; otherwise it starts a new walk-up, as does a gap with no face.
/// </summary>
internal sealed class WalkUpTracker(AccessOptions options, TimeProvider time)
{
    private long _nextId = 1;

    public WalkUp? Current { get; private set; }

    public WalkUp Follow(RectangleF box, long timestamp)
    {
        var current = Current;
        if (current is not null && !GapPassed(current, timestamp) && Continues(current.LastBox, box))
        {
            current.LastBox = box;
            current.LastTimestamp = timestamp;
            current.Frames++;
            return current;
        }

        Current = new WalkUp(_nextId++, timestamp, box, options.AgreeFrames, options.WindowFrames, options.FuseFrames);
        return Current;
    }

    /// <summary>A frame without a face: the walk-up ends once the gap is long enough.</summary>
    public void Missed(long timestamp)
    {
        if (Current is { } current && GapPassed(current, timestamp))
        {
            Current = null;
        }
    }

    private bool GapPassed(WalkUp walkUp, long timestamp) =>
        time.GetElapsedTime(walkUp.LastTimestamp, timestamp) > TimeSpan.FromMilliseconds(options.WalkUpGapMs);

    private static bool Continues(RectangleF last, RectangleF next)
    {
        var dx = (last.X + (last.Width / 2)) - (next.X + (next.Width / 2));
        var dy = (last.Y + (last.Height / 2)) - (next.Y + (next.Height / 2));
        var reach = Math.Max(last.Width, next.Width);
        var ratio = next.Width / Math.Max(last.Width, 1e-3f);
        return (dx * dx) + (dy * dy) <= reach * reach && ratio is >= 0.5f and <= 2f;
    }
}
