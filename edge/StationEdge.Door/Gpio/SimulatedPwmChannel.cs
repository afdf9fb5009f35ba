using System.Device.Gpio;
using System.Device.Pwm;

namespace StationEdge.Door.Gpio;

/// <summary>
/// A PWM channel on the simulated chip, for a passive buzzer played by Iot.Device.Buzzer: the pin is high while the
/// square wave runs and low while it is stopped, which is what door-sim shows of a tone.
/// </summary>
public sealed class SimulatedPwmChannel : PwmChannel
{
    private readonly GpioController _gpio;
    private readonly int _pin;

    public SimulatedPwmChannel(GpioController gpio, GpioDriver driver, int pin)
    {
        ArgumentNullException.ThrowIfNull(gpio);
        _gpio = gpio;
        _pin = pin;
        GpioRequests.OpenOutput(gpio, driver, pin, PinValue.Low);
    }

    public override int Frequency { get; set; } = 400;

    public override double DutyCycle { get; set; } = 0.5;

    public override void Start()
    {
        _gpio.Write(_pin, PinValue.High);
    }

    public override void Stop()
    {
        _gpio.Write(_pin, PinValue.Low);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _gpio.IsPinOpen(_pin))
        {
            _gpio.ClosePin(_pin);
        }

        base.Dispose(disposing);
    }
}
