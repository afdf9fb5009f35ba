using Microsoft.Extensions.Hosting;
using StationEdge.Camera;
using StationEdge.Door.Control;

namespace StationEdge.Access;

/// <summary>
/// Brings the door's and the camera's events into <see cref="StationEvents"/>, so one stream tells everything that
/// happened. Registered before the door and the camera (so it sees the door's first event) and so stopped after them:
/// when it stops, the stream completes.
/// </summary>
public sealed class StationEventBridge : BackgroundService
{
    private readonly StationEvents _events;
    private readonly DoorService _door;
    private readonly FrameSource _camera;
    private readonly TimeProvider _time;

    public StationEventBridge(StationEvents events, DoorService door, FrameSource camera, TimeProvider time)
    {
        _events = events;
        _door = door;
        _camera = camera;
        _time = time;
        _door.EventRaised += OnDoorEvent;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _door.EventRaised -= OnDoorEvent;
        _events.Complete();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var cameraEvent in _camera.Events.ReadAllAsync(stoppingToken))
            {
                _events.Publish(new CameraActivity(cameraEvent) { Timestamp = _time.GetTimestamp() });
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stop.
        }
    }

    private void OnDoorEvent(object? sender, DoorEvent doorEvent) =>
        _events.Publish(new DoorActivity(doorEvent) { Timestamp = doorEvent.Timestamp });
}
