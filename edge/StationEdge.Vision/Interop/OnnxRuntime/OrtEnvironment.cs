using System.Runtime.InteropServices;

namespace StationEdge.Vision.Interop.OnnxRuntime;

/// <summary>
/// Process-wide ORT objects, created on first use: the single OrtEnv (logging errors only: its warnings about the pinned models (unused initializers) are noise to a station keeper),
/// the default allocator (owned by ORT, never freed) and the CPU memory description for tensors over managed memory.
/// They live as long as the process: sessions may be released at any time, and the env must outlive them all.
/// </summary>
internal static unsafe class OrtEnvironment
{
    private static readonly Lock Gate = new();
    private static OrtEnvHandle? s_env;
    private static OrtMemoryInfoHandle? s_cpuMemoryInfo;
    private static nint s_allocator;

    internal static OrtEnvHandle Env
    {
        get
        {
            EnsureCreated();
            return s_env!;
        }
    }

    /// <summary>Describes plain CPU memory, for tensors whose data stays in a caller's buffer.</summary>
    internal static nint CpuMemoryInfo
    {
        get
        {
            EnsureCreated();
            return s_cpuMemoryInfo!.DangerousGetHandle();
        }
    }

    /// <summary>ORT's default allocator: strings ORT returns (names) are freed with it.</summary>
    internal static nint Allocator
    {
        get
        {
            EnsureCreated();
            return s_allocator;
        }
    }

    private static void EnsureCreated()
    {
        if (Volatile.Read(ref s_env) is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (s_env is not null)
            {
                return;
            }

            nint allocator;
            OrtStatus.Check(OrtApi.GetAllocatorWithDefaultOptions(&allocator), "cannot get ONNX Runtime's default allocator");

            nint memoryInfo;
            OrtStatus.Check(
                OrtApi.CreateCpuMemoryInfo(OrtApi.AllocatorTypeArena, OrtApi.MemTypeDefault, &memoryInfo),
                "cannot describe CPU memory to ONNX Runtime");
            var memoryInfoHandle = new OrtMemoryInfoHandle(memoryInfo);

            nint env;
            var logId = Marshal.StringToCoTaskMemUTF8("StationEdge");
            try
            {
                OrtStatus.Check(OrtApi.CreateEnv(OrtApi.LoggingLevelError, (byte*)logId, &env), "cannot create the ONNX Runtime environment");
            }
            catch
            {
                memoryInfoHandle.Dispose();
                throw;
            }
            finally
            {
                Marshal.FreeCoTaskMem(logId);
            }

            s_allocator = allocator;
            s_cpuMemoryInfo = memoryInfoHandle;
            Volatile.Write(ref s_env, new OrtEnvHandle(env));
        }
    }
}
