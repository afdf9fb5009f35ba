using System.Runtime.InteropServices;
using StationEdge.Vision.Onnx;

namespace StationEdge.Vision.Interop.OnnxRuntime;

/// <summary>Turns a returned <c>OrtStatus*</c> into an <see cref="OnnxRuntimeException"/> carrying ORT's code and text.</summary>
internal static unsafe class OrtStatus
{
    /// <summary>Throws when <paramref name="status"/> is an error; <paramref name="context"/> says what was being done.</summary>
    internal static void Check(nint status, string context)
    {
        if (status != 0)
        {
            throw ToException(status, context);
        }
    }

    /// <summary>Reads and releases <paramref name="status"/>; <paramref name="hint"/> goes after ORT's text.</summary>
    internal static OnnxRuntimeException ToException(nint status, string context, string hint = "")
    {
        using var handle = new OrtStatusHandle(status);
        var code = (OrtErrorCode)OrtApi.GetErrorCode(status);
        var message = Marshal.PtrToStringUTF8((nint)OrtApi.GetErrorMessage(status)) ?? string.Empty;
        return new OnnxRuntimeException(code, $"{context}: {OneLine(message)}{hint}", message);
    }

    /// <summary>Some ORT messages span lines (e.g. one per bad dimension); an error is reported on one.</summary>
    internal static string OneLine(string text) =>
        string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
