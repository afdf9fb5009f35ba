namespace StationEdge.Door.Gpio;

/// <summary>
/// A GPIO failure the door reports in one line: a missing library or chip, a busy line, a failed request. The
/// drivers' own exception (IOException, GpiodException, …) is the inner exception.
/// </summary>
public sealed class GpioException : Exception
{
    public GpioException()
    {
    }

    public GpioException(string message)
        : base(message)
    {
    }

    public GpioException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
