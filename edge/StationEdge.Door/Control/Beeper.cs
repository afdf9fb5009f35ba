using System.Device.Gpio;
using System.Device.Pwm;
using Iot.Device.Buzzer;
using Microsoft.Extensions.Logging;
using StationEdge.Door.Gpio;

namespace StationEdge.Door.Control;

/// <summary>
/// The door's beeper: one short tone on a grant, two on a refusal. Tones are timed on the controller's clock (so
/// door-sim plays them in virtual time) and never block the caller: a new pattern cuts the one playing.
/// </summary>
internal sealed class Beeper : IDisposable
{
    private readonly ITone _tone;
    private readonly TimeSpan _toneLength;
    private readonly TimeSpan _gap;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private int _remaining;
    private bool _on;
    private bool _disposed;

    private Beeper(ITone tone, BeeperOptions options, TimeProvider time, ILogger logger)
    {
        _tone = tone;
        _toneLength = TimeSpan.FromMilliseconds(options.ToneMs);
        _gap = TimeSpan.FromMilliseconds(options.GapMs);
        _logger = logger;
        _timer = time.CreateTimer(_ => Step(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private interface ITone : IDisposable
    {
        void Set(bool on);
    }

    /// <summary>Takes the beeper's line (or PWM channel), silent.</summary>
    public static Beeper Open(BeeperOptions options, GpioController gpio, GpioDriver driver, TimeProvider time, ILogger logger)
    {
        var pin = options.Line!.Value;
        ITone tone = options.Kind switch
        {
            BeeperKind.Pwm when driver is SimulatedGpioDriver => new BuzzerTone(new Buzzer(new SimulatedPwmChannel(gpio, driver, pin)), options.FrequencyHz),
            BeeperKind.Pwm => new BuzzerTone(new Buzzer(PwmChannel.Create(options.PwmChip, options.PwmChannel, options.FrequencyHz, 0.5)), options.FrequencyHz),
            _ => new LineTone(gpio, driver, pin, options.ActiveLevel.ToPinValue()),
        };
        return new Beeper(tone, options, time, logger);
    }

    public void Granted() => Play(1);

    public void Refused() => Play(2);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            try
            {
                _tone.Set(false);
            }
            finally
            {
                _tone.Dispose();
            }
        }
    }

    private void Play(int tones)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _remaining = tones;
            _on = false;
            Advance();
        }
    }

    private void Step()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                Advance();
            }
        }
    }

    // A tone is worth no fault alarm: a beeper that fails only goes quiet.
    private void Advance()
    {
        try
        {
            if (_on)
            {
                _on = false;
                _tone.Set(false);
                _timer.Change(_remaining > 0 ? _gap : Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            if (_remaining > 0)
            {
                _remaining--;
                _on = true;
                _tone.Set(true);
                _timer.Change(_toneLength, Timeout.InfiniteTimeSpan);
            }
        }
        catch (Exception failure)
        {
            _remaining = 0;
            DoorLog.BeeperFailed(_logger, failure);
        }
    }

    private sealed class LineTone : ITone
    {
        private readonly GpioController _gpio;
        private readonly int _pin;
        private readonly PinValue _active;

        public LineTone(GpioController gpio, GpioDriver driver, int pin, PinValue active)
        {
            _gpio = gpio;
            _pin = pin;
            _active = active;
            GpioRequests.OpenOutput(gpio, driver, pin, !active);
        }

        public void Set(bool on) => _gpio.Write(_pin, on ? _active : !_active);

        public void Dispose() => _gpio.ClosePin(_pin);
    }

    private sealed class BuzzerTone(Buzzer buzzer, int frequency) : ITone
    {
        public void Set(bool on)
        {
            if (on)
            {
                buzzer.StartPlaying(frequency);
            }
            else
            {
                buzzer.StopPlaying();
            }
        }

        public void Dispose() => buzzer.Dispose();
    }
}
