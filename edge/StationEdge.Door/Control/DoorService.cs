using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The door inside the daemon: takes the lines when the host starts (so a missing chip or a busy line fails start-up),
/// logs every door event, and de-energises the relay when the host stops — which the generic host does on SIGTERM
/// and SIGINT. If the process dies instead, the kernel releases the line requests (see README).
/// </summary>
public sealed class DoorService : BackgroundService
{
    private readonly GpioDriver _driver;
    private readonly DoorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DoorService> _logger;
    private readonly ILogger<DoorController> _controllerLogger;
    private DoorController? _controller;

    public DoorService(GpioDriver driver, IOptions<DoorOptions> options, TimeProvider timeProvider, ILogger<DoorService> logger, ILogger<DoorController> controllerLogger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _driver = driver;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _controllerLogger = controllerLogger;
    }

    /// <summary>Every door event, raised on the controller's lock (see <see cref="DoorController.EventRaised"/>).</summary>
    public event EventHandler<DoorEvent>? EventRaised;

    /// <summary>The door's state, or null before start and after stop.</summary>
    public DoorStatus? Status => _controller?.Status;

    /// <summary>Grants access (worker id or "keeper:name"); false when refused or the service is not running.</summary>
    public bool Grant(string by) => _controller?.Grant(by) ?? false;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_driver is SimulatedGpioDriver sim)
        {
            SimulatedDoorWiring.Wire(sim, _options);
        }

        var controller = new DoorController(_driver, _options, _time, _controllerLogger);
        controller.EventRaised += OnEvent;
        controller.Start();
        _controller = controller;
        DoorLog.Started(
            _logger,
            _driver.ChipName,
            _options.Relay.Line ?? -1,
            _options.Relay.ActiveLevel.ToString(),
            _options.FailSafe ? "fail-safe (relay energised = locked)" : "fail-secure (relay energised = unlocked)");
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken);
        }
        finally
        {
            _controller?.Dispose();
        }
    }

    public override void Dispose()
    {
        _controller?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The controller runs on edges and timers; this only waits for the stop.
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stoppingToken.Register(() => stopped.TrySetResult());
        await stopped.Task;
        _controller?.Dispose();
    }

    private void OnEvent(object? sender, DoorEvent doorEvent)
    {
        switch (doorEvent)
        {
            case DoorGranted e:
                DoorLog.Granted(_logger, e.By);
                break;
            case DoorGrantRefused e:
                DoorLog.GrantRefused(_logger, e.By, e.Reason);
                break;
            case DoorAlarmRaised e:
                DoorLog.AlarmRaised(_logger, e.Alarm.ToString());
                break;
            case DoorAlarmCleared e:
                DoorLog.AlarmCleared(_logger, e.Alarm.ToString());
                break;
            case DoorRelocked e:
                DoorLog.Relocked(_logger, e.Reason.ToString());
                break;
            case DoorStopped { LeftUnlocked: true }:
                DoorLog.StoppedFailSafe(_logger);
                break;
            default:
                if (_logger.IsEnabled(LogLevel.Information))
                {
                    DoorLog.Event(_logger, doorEvent.ToString());
                }

                break;
        }

        EventRaised?.Invoke(this, doorEvent);
    }
}

internal static partial class DoorLog
{
    [LoggerMessage(1, LogLevel.Information, "Door started on {Chip}: relay line {RelayLine} (active {RelayLevel}), {Wiring}")]
    public static partial void Started(ILogger logger, string chip, int relayLine, string relayLevel, string wiring);

    [LoggerMessage(2, LogLevel.Information, "Door granted by {Grantor}")]
    public static partial void Granted(ILogger logger, string grantor);

    [LoggerMessage(3, LogLevel.Warning, "Door grant by {Grantor} refused: {Reason}")]
    public static partial void GrantRefused(ILogger logger, string grantor, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Door alarm raised: {Alarm}")]
    public static partial void AlarmRaised(ILogger logger, string alarm);

    [LoggerMessage(5, LogLevel.Information, "Door alarm cleared: {Alarm}")]
    public static partial void AlarmCleared(ILogger logger, string alarm);

    [LoggerMessage(6, LogLevel.Information, "Door relocked: {Reason}")]
    public static partial void Relocked(ILogger logger, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Door stopped: fail-safe wiring, the relay is released and the lock is open until the service runs again")]
    public static partial void StoppedFailSafe(ILogger logger);

    [LoggerMessage(8, LogLevel.Information, "Door {DoorEvent}")]
    public static partial void Event(ILogger logger, string doorEvent);

    [LoggerMessage(9, LogLevel.Error, "A door event handler failed on {DoorEvent}")]
    public static partial void HandlerFailed(ILogger logger, Exception failure, string doorEvent);

    [LoggerMessage(10, LogLevel.Error, "Writing the door's stop levels failed; releasing the lines")]
    public static partial void StopWriteFailed(ILogger logger, Exception failure);
}
