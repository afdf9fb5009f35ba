namespace StationEdge.Vision.Interop.OnnxRuntime;

/// <summary>
/// The slice of the ONNX Runtime C API (the <c>OrtApi</c> struct of function pointers) that the binding uses.
/// Slots are positions in that struct; the struct only ever grows, so these stay valid for every
/// library that answers <c>GetApi(<see cref="OrtNativeLibrary.ApiVersion"/>)</c>.
/// All pointers are null until <see cref="Bind"/> runs; public entry points check
/// <c>OnnxRuntimeLibrary.EnsureLoaded()</c> before anything here is called.
/// </summary>
internal static unsafe class OrtApi
{
    // Slot numbers, counted from onnxruntime_c_api.h (0..101 is the frozen "version 1" block).
    private const int SlotCreateStatus = 0;
    private const int SlotGetErrorCode = 1;
    private const int SlotGetErrorMessage = 2;
    private const int SlotCreateEnv = 3;
    private const int SlotCreateSession = 7;
    private const int SlotCreateSessionFromArray = 8;
    private const int SlotRun = 9;
    private const int SlotCreateSessionOptions = 10;
    private const int SlotSetSessionGraphOptimizationLevel = 23;
    private const int SlotSetIntraOpNumThreads = 24;
    private const int SlotSetInterOpNumThreads = 25;
    private const int SlotSessionGetInputCount = 30;
    private const int SlotSessionGetOutputCount = 31;
    private const int SlotSessionGetInputTypeInfo = 33;
    private const int SlotSessionGetOutputTypeInfo = 34;
    private const int SlotSessionGetInputName = 36;
    private const int SlotSessionGetOutputName = 37;
    private const int SlotCreateTensorWithDataAsOrtValue = 49;
    private const int SlotGetTensorMutableData = 51;
    private const int SlotCastTypeInfoToTensorInfo = 55;
    private const int SlotGetTensorElementType = 60;
    private const int SlotGetDimensionsCount = 61;
    private const int SlotGetDimensions = 62;
    private const int SlotGetTensorTypeAndShape = 65;
    private const int SlotCreateCpuMemoryInfo = 69;
    private const int SlotAllocatorFree = 76;
    private const int SlotGetAllocatorWithDefaultOptions = 78;
    private const int SlotReleaseEnv = 92;
    private const int SlotReleaseStatus = 93;
    private const int SlotReleaseMemoryInfo = 94;
    private const int SlotReleaseSession = 95;
    private const int SlotReleaseValue = 96;
    private const int SlotReleaseTypeInfo = 98;
    private const int SlotReleaseTensorTypeAndShapeInfo = 99;
    private const int SlotReleaseSessionOptions = 100;
    private const int SlotAddSessionConfigEntry = 130;

    // ORT enum values used by the binding (from the same header).
    internal const int LoggingLevelError = 3;
    internal const int AllocatorTypeArena = 1;
    internal const int MemTypeDefault = 0;

    // Every OrtStatus* is returned as nint: null means success.
    internal static delegate* unmanaged<int, byte*, nint> CreateStatus;
    internal static delegate* unmanaged<nint, int> GetErrorCode;
    internal static delegate* unmanaged<nint, byte*> GetErrorMessage;
    internal static delegate* unmanaged<int, byte*, nint*, nint> CreateEnv;
    internal static delegate* unmanaged<nint, byte*, nint, nint*, nint> CreateSession;
    internal static delegate* unmanaged<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray;
    internal static delegate* unmanaged<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint> Run;
    internal static delegate* unmanaged<nint*, nint> CreateSessionOptions;
    internal static delegate* unmanaged<nint, int, nint> SetSessionGraphOptimizationLevel;
    internal static delegate* unmanaged<nint, int, nint> SetIntraOpNumThreads;
    internal static delegate* unmanaged<nint, int, nint> SetInterOpNumThreads;
    internal static delegate* unmanaged<nint, nuint*, nint> SessionGetInputCount;
    internal static delegate* unmanaged<nint, nuint*, nint> SessionGetOutputCount;
    internal static delegate* unmanaged<nint, nuint, nint*, nint> SessionGetInputTypeInfo;
    internal static delegate* unmanaged<nint, nuint, nint*, nint> SessionGetOutputTypeInfo;
    internal static delegate* unmanaged<nint, nuint, nint, byte**, nint> SessionGetInputName;
    internal static delegate* unmanaged<nint, nuint, nint, byte**, nint> SessionGetOutputName;
    internal static delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue;
    internal static delegate* unmanaged<nint, void**, nint> GetTensorMutableData;
    internal static delegate* unmanaged<nint, nint*, nint> CastTypeInfoToTensorInfo;
    internal static delegate* unmanaged<nint, int*, nint> GetTensorElementType;
    internal static delegate* unmanaged<nint, nuint*, nint> GetDimensionsCount;
    internal static delegate* unmanaged<nint, long*, nuint, nint> GetDimensions;
    internal static delegate* unmanaged<nint, nint*, nint> GetTensorTypeAndShape;
    internal static delegate* unmanaged<int, int, nint*, nint> CreateCpuMemoryInfo;
    internal static delegate* unmanaged<nint, void*, nint> AllocatorFree;
    internal static delegate* unmanaged<nint*, nint> GetAllocatorWithDefaultOptions;
    internal static delegate* unmanaged<nint, void> ReleaseEnv;
    internal static delegate* unmanaged<nint, void> ReleaseStatus;
    internal static delegate* unmanaged<nint, void> ReleaseMemoryInfo;
    internal static delegate* unmanaged<nint, void> ReleaseSession;
    internal static delegate* unmanaged<nint, void> ReleaseValue;
    internal static delegate* unmanaged<nint, void> ReleaseTypeInfo;
    internal static delegate* unmanaged<nint, void> ReleaseTensorTypeAndShapeInfo;
    internal static delegate* unmanaged<nint, void> ReleaseSessionOptions;
    internal static delegate* unmanaged<nint, byte*, byte*, nint> AddSessionConfigEntry;

    /// <summary>Reads the function pointers out of the table that <c>GetApi</c> returned.</summary>
    internal static void Bind(nint* table)
    {
        CreateStatus = (delegate* unmanaged<int, byte*, nint>)table[SlotCreateStatus];
        GetErrorCode = (delegate* unmanaged<nint, int>)table[SlotGetErrorCode];
        GetErrorMessage = (delegate* unmanaged<nint, byte*>)table[SlotGetErrorMessage];
        CreateEnv = (delegate* unmanaged<int, byte*, nint*, nint>)table[SlotCreateEnv];
        CreateSession = (delegate* unmanaged<nint, byte*, nint, nint*, nint>)table[SlotCreateSession];
        CreateSessionFromArray = (delegate* unmanaged<nint, void*, nuint, nint, nint*, nint>)table[SlotCreateSessionFromArray];
        Run = (delegate* unmanaged<nint, nint, nint*, nint*, nuint, nint*, nuint, nint*, nint>)table[SlotRun];
        CreateSessionOptions = (delegate* unmanaged<nint*, nint>)table[SlotCreateSessionOptions];
        SetSessionGraphOptimizationLevel = (delegate* unmanaged<nint, int, nint>)table[SlotSetSessionGraphOptimizationLevel];
        SetIntraOpNumThreads = (delegate* unmanaged<nint, int, nint>)table[SlotSetIntraOpNumThreads];
        SetInterOpNumThreads = (delegate* unmanaged<nint, int, nint>)table[SlotSetInterOpNumThreads];
        SessionGetInputCount = (delegate* unmanaged<nint, nuint*, nint>)table[SlotSessionGetInputCount];
        SessionGetOutputCount = (delegate* unmanaged<nint, nuint*, nint>)table[SlotSessionGetOutputCount];
        SessionGetInputTypeInfo = (delegate* unmanaged<nint, nuint, nint*, nint>)table[SlotSessionGetInputTypeInfo];
        SessionGetOutputTypeInfo = (delegate* unmanaged<nint, nuint, nint*, nint>)table[SlotSessionGetOutputTypeInfo];
        SessionGetInputName = (delegate* unmanaged<nint, nuint, nint, byte**, nint>)table[SlotSessionGetInputName];
        SessionGetOutputName = (delegate* unmanaged<nint, nuint, nint, byte**, nint>)table[SlotSessionGetOutputName];
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)table[SlotCreateTensorWithDataAsOrtValue];
        GetTensorMutableData = (delegate* unmanaged<nint, void**, nint>)table[SlotGetTensorMutableData];
        CastTypeInfoToTensorInfo = (delegate* unmanaged<nint, nint*, nint>)table[SlotCastTypeInfoToTensorInfo];
        GetTensorElementType = (delegate* unmanaged<nint, int*, nint>)table[SlotGetTensorElementType];
        GetDimensionsCount = (delegate* unmanaged<nint, nuint*, nint>)table[SlotGetDimensionsCount];
        GetDimensions = (delegate* unmanaged<nint, long*, nuint, nint>)table[SlotGetDimensions];
        GetTensorTypeAndShape = (delegate* unmanaged<nint, nint*, nint>)table[SlotGetTensorTypeAndShape];
        CreateCpuMemoryInfo = (delegate* unmanaged<int, int, nint*, nint>)table[SlotCreateCpuMemoryInfo];
        AllocatorFree = (delegate* unmanaged<nint, void*, nint>)table[SlotAllocatorFree];
        GetAllocatorWithDefaultOptions = (delegate* unmanaged<nint*, nint>)table[SlotGetAllocatorWithDefaultOptions];
        ReleaseEnv = (delegate* unmanaged<nint, void>)table[SlotReleaseEnv];
        ReleaseStatus = (delegate* unmanaged<nint, void>)table[SlotReleaseStatus];
        ReleaseMemoryInfo = (delegate* unmanaged<nint, void>)table[SlotReleaseMemoryInfo];
        ReleaseSession = (delegate* unmanaged<nint, void>)table[SlotReleaseSession];
        ReleaseValue = (delegate* unmanaged<nint, void>)table[SlotReleaseValue];
        ReleaseTypeInfo = (delegate* unmanaged<nint, void>)table[SlotReleaseTypeInfo];
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged<nint, void>)table[SlotReleaseTensorTypeAndShapeInfo];
        ReleaseSessionOptions = (delegate* unmanaged<nint, void>)table[SlotReleaseSessionOptions];
        AddSessionConfigEntry = (delegate* unmanaged<nint, byte*, byte*, nint>)table[SlotAddSessionConfigEntry];
    }
}
