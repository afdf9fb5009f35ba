using StationEdge.Vision.Interop.OnnxRuntime;

namespace StationEdge.Vision.Onnx;

/// <summary>
/// Loads ONNX Runtime from an explicit path (the models folder, <c>&lt;models&gt;/libonnxruntime.so.1</c>) once per process.
/// Sessions and tensors can only be made after <see cref="Load"/>.
/// </summary>
public static class OnnxRuntimeLibrary
{
    /// <summary>The library's file name inside the models folder.</summary>
    public const string FileName = "libonnxruntime.so.1";

    private static readonly Lock Gate = new();
    private static OrtNativeLibrary? s_library;

    public static bool IsLoaded => Volatile.Read(ref s_library) is not null;

    /// <summary>ORT's own version string, e.g. "1.30.0".</summary>
    public static string Version => Loaded().Version;

    /// <summary>The full path the library was loaded from, or null before <see cref="Load"/>.</summary>
    public static string? LoadedPath => Volatile.Read(ref s_library)?.Path;

    /// <summary>
    /// Loads the library and checks that it is ONNX Runtime 1.30 or newer. Safe to call again: once a library is loaded,
    /// later calls only check that their file exists (one ORT per process; the first one loaded stays).
    /// </summary>
    /// <exception cref="OnnxRuntimeException">the file is missing, cannot be loaded, is not ORT, or is too old.</exception>
    public static void Load(string libraryPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(libraryPath);
        var full = Path.GetFullPath(libraryPath);
        if (!File.Exists(full))
        {
            throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile, $"ONNX Runtime library not found at {full}: run ./deploy.sh setup");
        }

        lock (Gate)
        {
            if (s_library is not null)
            {
                return;
            }

            var library = OrtNativeLibrary.Open(full);
            unsafe
            {
                OrtApi.Bind(library.Api);
            }

            Volatile.Write(ref s_library, library);
        }
    }

    /// <summary>Loads <c>&lt;modelsDirectory&gt;/libonnxruntime.so.1</c>.</summary>
    public static void LoadFromModelsDirectory(string modelsDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsDirectory);
        Load(Path.Combine(modelsDirectory, FileName));
    }

    internal static void EnsureLoaded() => Loaded();

    private static OrtNativeLibrary Loaded() =>
        Volatile.Read(ref s_library)
        ?? throw new OnnxRuntimeException(
            OrtErrorCode.Fail,
            $"ONNX Runtime is not loaded: call OnnxRuntimeLibrary.Load(\"<models dir>/{FileName}\") first");
}
