using System.Device.Gpio;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The door inside the daemon: takes the lines when the host starts (so a missing chip or a busy line fails start-up),
/// reads the controller's events outside its lock, logs each and hands it to <see cref="EventRaised"/>, and
/// de-energises the relay when the host stops — which the generic host does on SIGTERM and SIGINT. What happens if the
/// process dies instead depends on the kernel (README, "Fail-secure and fail-safe"). The relay drops in
/// <see cref="StoppingAsync"/>, which the host calls before it stops any service, so whatever else shares the host (a web
/// server draining its connections, say) and in whatever order the services stop, the relay is at rest first.
/// </summary>
public sealed class DoorService : BackgroundService, IHostedLifecycleService
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

    /// <summary>
    /// Every door event, in order, raised from the service's reader loop — never under the controller's lock, so a slow
    /// or failing handler delays only later events, never the relay.
    /// </summary>
    public event EventHandler<DoorEvent>? EventRaised;

    /// <summary>The door's state, or null before start and after stop.</summary>
    public DoorStatus? Status => _controller?.Status;

    /// <summary>Grants access (worker id or "keeper:name"); false when refused or the service is not running.</summary>
    public bool Grant(string by) => _controller?.Grant(by) ?? false;

    /// <summary>Two beeps for a refusal decided before the door (see <see cref="DoorController.SignalRefusal"/>).</summary>
    public void SignalRefusal() => _controller?.SignalRefusal();

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_driver is SimulatedGpioDriver sim)
        {
            SimulatedDoorWiring.Wire(sim.Chip, _options);
        }

        var controller = new DoorController(_driver, _options, _time, _controllerLogger);
        controller.Start();
        _controller = controller;
        DoorLog.Started(
            _logger,
            _options.Relay.Line ?? -1,
            _options.Relay.ActiveLevel.ToString(),
            _options.FailSafe ? "fail-safe (relay energised = locked)" : "fail-secure (relay energised = unlocked)");
        await base.StartAsync(cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host is stopping: the relay drops now, before any service of the host stops.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        _controller?.Dispose();
        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The relay first (already, when the host called StoppingAsync); the reader then drains what the stop emitted.
        _controller?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Dispose()
    {
        _controller?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var events = _controller!.Events;
        try
        {
            await foreach (var doorEvent in events.ReadAllAsync(stoppingToken))
            {
                Deliver(doorEvent);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is left is delivered below.
        }

        while (events.TryRead(out var doorEvent))
        {
            Deliver(doorEvent);
        }
    }

    private void Deliver(DoorEvent doorEvent)
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

        try
        {
            EventRaised?.Invoke(this, doorEvent);
        }
        catch (Exception failure)
        {
            DoorLog.HandlerFailed(_logger, failure, doorEvent.GetType().Name);
        }
    }
}

internal static partial class DoorLog
{
    [LoggerMessage(1, LogLevel.Information, "Door started: relay line {RelayLine} (active {RelayLevel}), {Wiring}")]
    public static partial void Started(ILogger logger, int relayLine, string relayLevel, string wiring);

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

    [LoggerMessage(11, LogLevel.Error, "Door fault: the door was relocked and the controller carries on")]
    public static partial void Fault(ILogger logger, Exception failure);

    [LoggerMessage(12, LogLevel.Critical, "Door relay line {RelayLine} cannot be written; released it to the board's pull and refusing grants")]
    public static partial void RelayWriteFailed(ILogger logger, Exception failure, int relayLine);

    [LoggerMessage(13, LogLevel.Error, "Door relay line {RelayLine} still cannot be requested; trying again")]
    public static partial void RelayRetryFailed(ILogger logger, Exception failure, int relayLine);

    [LoggerMessage(14, LogLevel.Warning, "Door relay line {RelayLine} requested again at its locked level")]
    public static partial void RelayRecovered(ILogger logger, int relayLine);

    [LoggerMessage(15, LogLevel.Warning, "Releasing a door line failed")]
    public static partial void ReleaseFailed(ILogger logger, Exception failure);

    [LoggerMessage(16, LogLevel.Warning, "The door beeper failed; it stays quiet")]
    public static partial void BeeperFailed(ILogger logger, Exception failure);
}
