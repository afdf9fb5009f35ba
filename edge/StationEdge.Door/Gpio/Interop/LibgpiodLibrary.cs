using System.Runtime.InteropServices;

namespace StationEdge.Door.Gpio.Interop;

/// <summary>Loads libgpiod once and turns its errno failures into <see cref="GpioException"/>s.</summary>
internal static class LibgpiodLibrary
{
    private const int Enoent = 2;
    private const int Eintr = 4;
    private const int Eacces = 13;

    private static readonly Lazy<string> LoadedVersion = new(() =>
    {
        Probe(LibgpiodNative.Library);
        return Marshal.PtrToStringUTF8(LibgpiodNative.VersionString()) ?? "unknown";
    });

    /// <summary>The version libgpiod reports (e.g. 1.6.3); loading it on first use.</summary>
    /// <exception cref="GpioException">The library is not installed.</exception>
    public static string Version
    {
        get
        {
            try
            {
                return LoadedVersion.Value;
            }
            catch (GpioException failure)
            {
                // Lazy caches the exception; hand each caller its own copy with the same one-line message.
                throw new GpioException(failure.Message, failure);
            }
        }
    }

    public static bool IsInterrupted(int errno) => errno == Eintr;

    /// <summary>Checks that <paramref name="libraryName"/> loads the way the runtime will load it for the P/Invokes.</summary>
    public static void Probe(string libraryName)
    {
        if (!NativeLibrary.TryLoad(libraryName, typeof(LibgpiodLibrary).Assembly, null, out _))
        {
            throw new GpioException(
                $"GPIO library {libraryName} could not be loaded: install the apt package {LibgpiodNative.AptPackage} (apt-get install {LibgpiodNative.AptPackage})");
        }
    }

    /// <summary>The exception for a failed call, built from the errno it left (read it right after the call).</summary>
    public static GpioException LastError(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return new GpioException($"{what} (libgpiod: {text})", errno, text);
    }

    public static GpioException ChipOpenFailed(string chipName)
    {
        var errno = Marshal.GetLastPInvokeError();
        var text = Marshal.GetPInvokeErrorMessage(errno);
        var message = errno switch
        {
            Enoent => $"GPIO chip '{chipName}' not found (libgpiod: {text})",
            Eacces => $"GPIO chip '{chipName}' could not be opened (libgpiod: {text}); the user needs read-write access to /dev/{chipName} (group gpio)",
            _ => $"GPIO chip '{chipName}' could not be opened (libgpiod: {text})",
        };
        return new GpioException(message, errno, text);
    }
}
