using System.Runtime.InteropServices;
using StationEdge.Vision.Interop.OnnxRuntime;

namespace StationEdge.Vision.Onnx;

/// <summary>
/// Settings for <see cref="InferenceSession"/>, applied when a session is created (later changes do not reach
/// existing sessions). Defaults are ORT's: 0 threads means "ORT chooses", optimisation level All.
/// </summary>
public sealed class SessionOptions : IDisposable
{
    private readonly List<KeyValuePair<string, string>> _configEntries = [];

    /// <summary>Threads inside one operator (0 = ORT's default, one per core).</summary>
    public int IntraOpNumThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    /// <summary>Threads across operators; only used by ORT's parallel execution mode (0 = ORT's default).</summary>
    public int InterOpNumThreads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            field = value;
        }
    }

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.All;

    /// <summary>
    /// A raw ORT session setting (keys from onnxruntime_session_options_config_keys.h), e.g.
    /// <c>session.intra_op.allow_spinning = 0</c> so idle worker threads do not spin on a shared Pi.
    /// </summary>
    public void AddSessionConfigEntry(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _configEntries.Add(new(key, value));
    }

    /// <summary>Nothing native is held between sessions; kept so code written for Microsoft.ML.OnnxRuntime compiles.</summary>
    public void Dispose()
    {
    }

    internal unsafe OrtSessionOptionsHandle CreateNative()
    {
        nint native;
        OrtStatus.Check(OrtApi.CreateSessionOptions(&native), "cannot create ONNX Runtime session options");
        var handle = new OrtSessionOptionsHandle(native);
        try
        {
            OrtStatus.Check(OrtApi.SetIntraOpNumThreads(native, IntraOpNumThreads), $"cannot set IntraOpNumThreads={IntraOpNumThreads}");
            OrtStatus.Check(OrtApi.SetInterOpNumThreads(native, InterOpNumThreads), $"cannot set InterOpNumThreads={InterOpNumThreads}");
            OrtStatus.Check(
                OrtApi.SetSessionGraphOptimizationLevel(native, (int)GraphOptimizationLevel),
                $"cannot set GraphOptimizationLevel={GraphOptimizationLevel}");
            foreach (var (key, value) in _configEntries)
            {
                var utf8Key = Marshal.StringToCoTaskMemUTF8(key);
                var utf8Value = Marshal.StringToCoTaskMemUTF8(value);
                try
                {
                    OrtStatus.Check(
                        OrtApi.AddSessionConfigEntry(native, (byte*)utf8Key, (byte*)utf8Value),
                        $"cannot set session config entry {key}={value}");
                }
                finally
                {
                    Marshal.FreeCoTaskMem(utf8Key);
                    Marshal.FreeCoTaskMem(utf8Value);
                }
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
