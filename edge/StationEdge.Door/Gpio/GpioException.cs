namespace StationEdge.Door.Gpio;

/// <summary>
/// Every failure of a GPIO driver: a missing library or chip, a busy or invalid line, a failed read or write.
/// <see cref="NativeMessage"/> carries the native error text (strerror of errno) when there is one.
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

    public GpioException(string message, int errno, string nativeMessage)
        : base(message)
    {
        Errno = errno;
        NativeMessage = nativeMessage;
    }

    /// <summary>The errno the native call left, or null when the failure did not come from native code.</summary>
    public int? Errno { get; }

    public string? NativeMessage { get; }
}
