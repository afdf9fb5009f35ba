using StationEdge.Door.Control;

namespace StationEdge.KeeperSite.Station;

/// <summary><see cref="IKeeperDoor"/> on the daemon's <see cref="DoorService"/>: its events are kept (the last 100) as they are raised.</summary>
public sealed class DoorServiceDoor : IKeeperDoor
{
    private const int Kept = 100;
    private readonly DoorService _door;
    private readonly LinkedList<DoorEvent> _events = new();

    public DoorServiceDoor(DoorService door)
    {
        _door = door;
        door.EventRaised += (_, e) =>
        {
            lock (_events)
            {
                _events.AddFirst(e);
                if (_events.Count > Kept)
                {
                    _events.RemoveLast();
                }
            }
        };
    }

    public DoorStatus? Status => _door.Status;

    public IReadOnlyList<DoorEvent> RecentEvents
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public bool OpenByKeeper(string keeperName) => _door.Grant("keeper:" + keeperName);
}
