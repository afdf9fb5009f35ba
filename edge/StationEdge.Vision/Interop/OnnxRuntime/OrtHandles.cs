using System.Buffers;
using System.Runtime.InteropServices;

namespace StationEdge.Vision.Interop.OnnxRuntime;

// One SafeHandle per ORT object kind, so every native object is released exactly once,
// also when an exception or a forgotten Dispose leaves it to the finalizer.

/// <summary>Base for ORT handles: the handle is null when invalid and is set once, after ORT created the object.</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle(nint handle)
        : base(0, ownsHandle: true) => SetHandle(handle);

    public override bool IsInvalid => handle == 0;
}

internal sealed unsafe class OrtStatusHandle(nint handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseStatus(handle);
        return true;
    }
}

/// <summary>The process's single OrtEnv; ORT requires it to outlive every session.</summary>
internal sealed unsafe class OrtEnvHandle(nint handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseEnv(handle);
        return true;
    }
}

internal sealed unsafe class OrtMemoryInfoHandle(nint handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseMemoryInfo(handle);
        return true;
    }
}

internal sealed unsafe class OrtSessionOptionsHandle(nint handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseSessionOptions(handle);
        return true;
    }
}

internal sealed unsafe class OrtTypeInfoHandle(nint handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseTypeInfo(handle);
        return true;
    }
}

internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle(nint handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseTensorTypeAndShapeInfo(handle);
        return true;
    }
}

/// <summary>
/// An OrtSession plus the UTF-8 copies of its input and output names that Run passes to ORT.
/// The names are freed with the session, so a Run that holds a reference on this handle never sees them go.
/// </summary>
internal sealed unsafe class OrtSessionHandle(nint handle) : OrtHandle(handle)
{
    private readonly List<nint> _ownedStrings = [];

    /// <summary>Keeps <paramref name="utf8"/> (allocated with Marshal.StringToCoTaskMemUTF8) until the session is released.</summary>
    internal void Own(nint utf8) => _ownedStrings.Add(utf8);

    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseSession(handle);
        foreach (var text in _ownedStrings)
        {
            Marshal.FreeCoTaskMem(text);
        }

        _ownedStrings.Clear();
        return true;
    }
}

/// <summary>
/// An OrtValue. When ORT reads the tensor straight from managed memory, the pin is held here and undone
/// only after ORT released the value, so ORT never sees the buffer move.
/// </summary>
internal sealed unsafe class OrtValueHandle : OrtHandle
{
    private MemoryHandle _pin;

    internal OrtValueHandle(nint handle, MemoryHandle pin = default)
        : base(handle) => _pin = pin;

    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseValue(handle);
        _pin.Dispose();
        return true;
    }
}
