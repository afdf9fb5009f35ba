using System.Threading.Channels;
using StationEdge.Camera;
using StationEdge.Door.Control;

namespace StationEdge.Access;

/// <summary>
/// Something that happened at the station, for whoever follows it (the store recorder, the greeting, <c>run --json</c>,
/// the keeper site). <see cref="Timestamp"/> is the monotonic <see cref="TimeProvider.GetTimestamp"/> it happened at,
/// which orders events whatever the wall clock does.
/// </summary>
public abstract record StationEvent(DateTimeOffset Time)
{
    public long Timestamp { get; init; }
}

/// <summary>
/// A grant. <see cref="Recorded"/> is false inside the worker's cooldown (the door opened, no second visit row);
/// <see cref="DoorOpened"/> false when the door refused the grant (its own event says why). <see cref="FrameToRelay"/>:
/// from the matched frame's arrival to the relay energised (null when the door was already unlocked, so nothing switched);
/// <see cref="WalkUpToGrant"/>: from the first frame of the walk-up; <see cref="WalkUpFrames"/>: the frames of the walk-up
/// the face was seen in, the granting one included.
/// </summary>
public sealed record AccessGranted(FrameDecision Decision, bool Recorded, bool DoorOpened, TimeSpan? FrameToRelay, TimeSpan WalkUpToGrant, int WalkUpFrames)
    : StationEvent(Decision.Time);

/// <summary>A refusal, recorded once per walk-up. <see cref="UnknownFace"/>: the face's crop, only when <c>Access:UnknownFacesFolder</c> is set.</summary>
public sealed record AccessRefused(FrameDecision Decision, TimeSpan WalkUpToDecision) : StationEvent(Decision.Time)
{
    public UnknownFaceImage? UnknownFace { get; init; }
}

/// <summary>The crop of an unknown face, rgb24, for <c>Access:UnknownFacesFolder</c>.</summary>
public sealed record UnknownFaceImage(int Width, int Height, byte[] Rgb);

/// <summary>
/// A visit decided beside the access loop — a pass at the door, the keeper's opening, a remote unlock — for the one
/// recorder to store as it stores a face's: in order, with its sync message, and held in memory while the data folder
/// takes no writes. <see cref="Draft"/>'s time is when it was decided (kept through a backlog). <see cref="WhenStored"/>
/// runs after the visit is stored (a pass links its use to it); its failure is logged, never stored twice.
/// </summary>
public sealed record VisitRequested(StationEdge.Store.VisitDraft Draft) : StationEvent(Draft.Time ?? throw new ArgumentException("a requested visit needs its time", nameof(Draft)))
{
    public Func<StationEdge.Store.Visit, CancellationToken, Task>? WhenStored { get; init; }
}

/// <summary>A visit the recorder has just stored (the keeper site's live pages follow these).</summary>
public sealed record VisitRecorded(StationEdge.Store.Visit Visit) : StationEvent(Visit.Time);

/// <summary>
/// A pass shown at the door, decided, acted on (<see cref="StationEdge.Store.Visit.Decision"/>: the door opened or not)
/// and already stored as a visit with <c>method = pass</c>. <see cref="PassId"/> null: a code that claims to be a pass
/// and names none the station issued.
/// </summary>
public sealed record PassDecided(StationEdge.Store.Visit Visit, Guid? PassId, string? WorkerName, string? VisitorName) : StationEvent(Visit.Time);

public sealed record DoorActivity(DoorEvent Event) : StationEvent(Event.At);

public sealed record CameraActivity(CameraEvent Event) : StationEvent(Event.Time);

/// <summary>The greeting (or the refusal sound) started: <see cref="Sound"/> is the file, <see cref="Text"/> what it says.</summary>
public sealed record GreetingPlayed(DateTimeOffset Time, AccessDecision For, string Sound, string? Text) : StationEvent(Time);

/// <summary>
/// Fans events out to every subscriber, each through its own channel, so a slow reader delays only itself and never the
/// access loop. A bounded subscription drops its oldest events when full (a display); an unbounded one keeps all (the
/// store recorder, which has its own bound).
/// </summary>
public sealed class StationEvents
{
    private readonly Lock _gate = new();
    private Channel<StationEvent>[] _subscribers = [];
    private bool _completed;

    /// <summary>Every event published from now on; <paramref name="capacity"/> null keeps them all.</summary>
    public StationEventSubscription Subscribe(int? capacity = 256)
    {
        var channel = capacity is { } bound
            ? Channel.CreateBounded<StationEvent>(new BoundedChannelOptions(bound) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true })
            : Channel.CreateUnbounded<StationEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (_completed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _subscribers = [.. _subscribers, channel];
            }
        }

        return new StationEventSubscription(this, channel);
    }

    public void Publish(StationEvent stationEvent)
    {
        ArgumentNullException.ThrowIfNull(stationEvent);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Writer.TryWrite(stationEvent);
        }
    }

    /// <summary>Ends every subscription (their readers finish after the events already published).</summary>
    public void Complete()
    {
        Channel<StationEvent>[] subscribers;
        lock (_gate)
        {
            _completed = true;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Writer.TryComplete();
        }
    }

    internal void Unsubscribe(Channel<StationEvent> channel)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(c => c != channel)];
        }

        channel.Writer.TryComplete();
    }
}

/// <summary>One reader's events; dispose to stop receiving them.</summary>
public sealed class StationEventSubscription : IDisposable
{
    private readonly StationEvents _owner;
    private readonly Channel<StationEvent> _channel;

    internal StationEventSubscription(StationEvents owner, Channel<StationEvent> channel)
    {
        _owner = owner;
        _channel = channel;
    }

    public ChannelReader<StationEvent> Reader => _channel.Reader;

    public void Dispose() => _owner.Unsubscribe(_channel);
}
