using System.Runtime.InteropServices;
using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Interop.OnnxRuntime;

/// <summary>
/// A loaded <c>libonnxruntime.so.1</c>: the only exported symbol used is <c>OrtGetApiBase</c>;
/// everything else is reached through the <c>OrtApi</c> function table it hands out. It stays loaded for the
/// life of the process (the env and every session depend on it), so its handle is never kept for a Free.
/// </summary>
internal sealed unsafe class OrtNativeLibrary
{
    /// <summary>
    /// The C API version asked of <c>GetApi</c>: the header this binding was counted from (ORT 1.8).
    /// Every slot used lies in that table, and newer libraries keep answering older versions.
    /// </summary>
    internal const uint ApiVersion = 8;

    /// <summary>The ONNX Runtime release the product is pinned to and tested with.</summary>
    internal static readonly Version MinimumVersion = new(1, 30);

    private OrtNativeLibrary(string path, string version, nint* api)
    {
        Path = path;
        Version = version;
        Api = api;
    }

    internal string Path { get; }

    internal string Version { get; }

    internal nint* Api { get; }

    /// <summary>Loads the library at <paramref name="path"/> and checks that it is ONNX Runtime, new enough.</summary>
    internal static OrtNativeLibrary Open(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new OnnxRuntimeException(OrtErrorCode.NoSuchFile, $"ONNX Runtime library not found at {full}: run ./deploy.sh setup");
        }

        nint library;
        try
        {
            library = NativeLibrary.Load(full);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET's text is a paragraph of advice; its last line is the loader's own reason (dlerror).
            var reason = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? e.Message;
            throw new OnnxRuntimeException(OrtErrorCode.Fail, $"cannot load ONNX Runtime library {full}: {reason}", inner: e);
        }

        try
        {
            if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBase))
            {
                throw new OnnxRuntimeException(OrtErrorCode.Fail, $"{full} is not ONNX Runtime: it does not export OrtGetApiBase");
            }

            // OrtApiBase is { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }.
            var apiBase = ((delegate* unmanaged<nint*>)getApiBase)();
            if (apiBase == null)
            {
                throw new OnnxRuntimeException(OrtErrorCode.Fail, $"{full}: OrtGetApiBase returned null");
            }

            var getApi = (delegate* unmanaged<uint, nint*>)apiBase[0];
            var getVersionString = (delegate* unmanaged<byte*>)apiBase[1];
            var version = Marshal.PtrToStringUTF8((nint)getVersionString()) ?? string.Empty;
            if (ParseVersion(version) is not { } parsed || parsed < MinimumVersion)
            {
                throw new OnnxRuntimeException(
                    OrtErrorCode.Fail,
                    $"ONNX Runtime at {full} is version '{version}'; StationEdge needs {MinimumVersion} or newer: run ./deploy.sh setup");
            }

            var api = getApi(ApiVersion);
            if (api == null)
            {
                throw new OnnxRuntimeException(OrtErrorCode.Fail, $"ONNX Runtime {version} at {full} does not offer C API version {ApiVersion}");
            }

            return new OrtNativeLibrary(full, version, api);
        }
        catch
        {
            NativeLibrary.Free(library);
            throw;
        }
    }

    /// <summary>"1.30.0" or "1.30.0-dev+abc" → 1.30.0; null when the text does not start with a version.</summary>
    internal static Version? ParseVersion(string text)
    {
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }

        return System.Version.TryParse(text.AsSpan(0, end).TrimEnd('.'), out var version) ? version : null;
    }
}
