using System.Runtime.InteropServices;
using StationEdge.Vision.Interop.OnnxRuntime;

namespace StationEdge.Vision.Onnx;

/// <summary>
/// One loaded ONNX model. Run may be called from several threads at once on the same session (ORT's Run is
/// thread-safe); creating and disposing are not concurrent with Run — a Run in flight keeps the native session alive.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    // Names and values go to ORT as pointer arrays; up to this many stay on the stack.
    private const int StackLimit = 16;

    private readonly OrtSessionHandle _handle;
    private readonly string _model;
    private readonly Dictionary<string, nint> _nativeNames = new(StringComparer.Ordinal);

    /// <summary>Loads a model file.</summary>
    /// <exception cref="OnnxRuntimeException">ORT cannot read or accept the model; the message names the file.</exception>
    public unsafe InferenceSession(string modelPath, SessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        OnnxRuntimeLibrary.EnsureLoaded();
        _model = Path.GetFullPath(modelPath);

        using var nativeOptions = (options ?? new SessionOptions()).CreateNative();
        var env = OrtEnvironment.Env.DangerousGetHandle();
        var path = Marshal.StringToCoTaskMemUTF8(_model);
        nint session;
        try
        {
            OrtStatus.Check(
                OrtApi.CreateSession(env, (byte*)path, nativeOptions.DangerousGetHandle(), &session),
                $"cannot load ONNX model {_model}");
        }
        finally
        {
            Marshal.FreeCoTaskMem(path);
        }

        _handle = new OrtSessionHandle(session);
        (InputNames, InputMetadata, OutputNames, OutputMetadata) = ReadSignatureOrRelease();
    }

    /// <summary>Loads a model from its serialized bytes (ORT copies what it needs; the array is free afterwards).</summary>
    /// <exception cref="OnnxRuntimeException">ORT cannot parse or accept the model.</exception>
    public unsafe InferenceSession(byte[] modelBytes, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        OnnxRuntimeLibrary.EnsureLoaded();
        _model = $"<{modelBytes.Length}-byte model in memory>";

        using var nativeOptions = (options ?? new SessionOptions()).CreateNative();
        var env = OrtEnvironment.Env.DangerousGetHandle();
        nint session;
        fixed (byte* bytes = modelBytes)
        {
            OrtStatus.Check(
                OrtApi.CreateSessionFromArray(env, bytes, (nuint)modelBytes.Length, nativeOptions.DangerousGetHandle(), &session),
                $"cannot load ONNX model from {modelBytes.Length} bytes");
        }

        _handle = new OrtSessionHandle(session);
        (InputNames, InputMetadata, OutputNames, OutputMetadata) = ReadSignatureOrRelease();
    }

    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyList<string> OutputNames { get; }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata { get; }

    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata { get; }

    /// <summary>Runs the model; ORT allocates the outputs, which the caller disposes (disposing the collection does).</summary>
    /// <exception cref="OnnxRuntimeException">ORT rejected the inputs (unknown name, wrong shape or type) or failed.</exception>
    public IDisposableReadOnlyCollection<OrtValue> Run(
        IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        var produced = outputNames.Count <= StackLimit ? stackalloc nint[outputNames.Count] : new nint[outputNames.Count];
        produced.Clear();
        RunCore(inputNames, inputs, outputNames, null, produced);

        var results = new DisposableList<OrtValue>(produced.Length);
        foreach (var value in produced)
        {
            results.Add(OrtValue.FromNative(value));
        }

        return results;
    }

    /// <summary>
    /// Runs the model into caller-made outputs (e.g. <see cref="OrtValue.CreateTensorValueFromMemory(float[], long[])"/>
    /// over reused arrays), so a hot loop allocates nothing native per frame. Output shapes must match what the model produces.
    /// </summary>
    /// <exception cref="OnnxRuntimeException">ORT rejected the inputs or outputs or failed.</exception>
    public void Run(
        IReadOnlyList<string> inputNames, IReadOnlyList<OrtValue> inputs, IReadOnlyList<string> outputNames, IReadOnlyList<OrtValue> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputNames);
        ArgumentNullException.ThrowIfNull(outputs);
        if (outputs.Count != outputNames.Count)
        {
            throw new ArgumentException($"{outputNames.Count} output names but {outputs.Count} output values", nameof(outputs));
        }

        var handles = outputs.Count <= StackLimit ? stackalloc nint[outputs.Count] : new nint[outputs.Count];
        RunCore(inputNames, inputs, outputNames, outputs, handles);
    }

    /// <summary>One float input in, one float output copied out: for tools and tests, not the per-frame path.</summary>
    public float[] RunSingle(string inputName, float[] input, long[] shape, string outputName)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var results = Run([inputName], [value], [outputName]);
        return results[0].GetTensorDataAsSpan().ToArray();
    }

    public void Dispose() => _handle.Dispose();

    private unsafe void RunCore(
        IReadOnlyList<string> inputNames,
        IReadOnlyList<OrtValue> inputs,
        IReadOnlyList<string> outputNames,
        IReadOnlyList<OrtValue>? outputs,
        Span<nint> outputHandles)
    {
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != inputNames.Count)
        {
            throw new ArgumentException($"{inputNames.Count} input names but {inputs.Count} input values", nameof(inputs));
        }

        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var inputCount = inputs.Count;
        var outputCount = outputNames.Count;
        var inNames = inputCount <= StackLimit ? stackalloc nint[inputCount] : new nint[inputCount];
        var inValues = inputCount <= StackLimit ? stackalloc nint[inputCount] : new nint[inputCount];
        var outNames = outputCount <= StackLimit ? stackalloc nint[outputCount] : new nint[outputCount];
        List<nint>? temporaryNames = null;

        // Every handle ORT will touch is referenced for the call, so a Dispose on another thread cannot free it mid-run.
        var sessionAdded = false;
        var inputsAdded = 0;
        var outputsAdded = 0;
        try
        {
            _handle.DangerousAddRef(ref sessionAdded);
            for (var i = 0; i < inputCount; i++)
            {
                inNames[i] = NativeName(inputNames[i], ref temporaryNames);
                inValues[i] = AddRef(inputs[i], nameof(inputs));
                inputsAdded++;
            }

            for (var i = 0; i < outputCount; i++)
            {
                outNames[i] = NativeName(outputNames[i], ref temporaryNames);
                if (outputs is not null)
                {
                    outputHandles[i] = AddRef(outputs[i], nameof(outputs));
                    outputsAdded++;
                }
            }

            fixed (nint* inNamesPtr = inNames, inValuesPtr = inValues, outNamesPtr = outNames, outValuesPtr = outputHandles)
            {
                var status = OrtApi.Run(
                    _handle.DangerousGetHandle(), 0, inNamesPtr, inValuesPtr, (nuint)inputCount, outNamesPtr, (nuint)outputCount, outValuesPtr);
                if (status != 0)
                {
                    throw OrtStatus.ToException(status, $"run of ONNX model {_model} failed", UnknownNamesHint(inputNames, outputNames));
                }
            }
        }
        finally
        {
            for (var i = 0; i < inputsAdded; i++)
            {
                inputs[i].Handle.DangerousRelease();
            }

            for (var i = 0; i < outputsAdded; i++)
            {
                outputs![i].Handle.DangerousRelease();
            }

            if (sessionAdded)
            {
                _handle.DangerousRelease();
            }

            if (temporaryNames is not null)
            {
                foreach (var name in temporaryNames)
                {
                    Marshal.FreeCoTaskMem(name);
                }
            }
        }
    }

    // When a caller's name is not the model's, the error also lists what the model has.
    private string UnknownNamesHint(IReadOnlyList<string> inputNames, IReadOnlyList<string> outputNames)
    {
        var hint = string.Empty;
        if (inputNames.Any(name => !InputMetadata.ContainsKey(name)))
        {
            hint += $" (model inputs: {string.Join(", ", InputNames)})";
        }

        if (outputNames.Any(name => !OutputMetadata.ContainsKey(name)))
        {
            hint += $" (model outputs: {string.Join(", ", OutputNames)})";
        }

        return hint;
    }

    private static nint AddRef(OrtValue value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        var added = false;
        value.Handle.DangerousAddRef(ref added);
        return value.Handle.DangerousGetHandle();
    }

    // Names the model does not have still go to ORT, so the caller gets ORT's own "invalid name" error.
    private nint NativeName(string name, ref List<nint>? temporary)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_nativeNames.TryGetValue(name, out var known))
        {
            return known;
        }

        var utf8 = Marshal.StringToCoTaskMemUTF8(name);
        (temporary ??= []).Add(utf8);
        return utf8;
    }

    private (IReadOnlyList<string>, IReadOnlyDictionary<string, NodeMetadata>, IReadOnlyList<string>, IReadOnlyDictionary<string, NodeMetadata>) ReadSignatureOrRelease()
    {
        try
        {
            return ReadSignature();
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    private (IReadOnlyList<string>, IReadOnlyDictionary<string, NodeMetadata>, IReadOnlyList<string>, IReadOnlyDictionary<string, NodeMetadata>) ReadSignature()
    {
        var session = _handle.DangerousGetHandle();
        var (inputNames, inputMetadata) = ReadNodes(session, isInput: true);
        var (outputNames, outputMetadata) = ReadNodes(session, isInput: false);
        foreach (var name in inputNames.Concat(outputNames))
        {
            if (!_nativeNames.ContainsKey(name))
            {
                var utf8 = Marshal.StringToCoTaskMemUTF8(name);
                _handle.Own(utf8);
                _nativeNames[name] = utf8;
            }
        }

        return (Array.AsReadOnly(inputNames), inputMetadata.AsReadOnly(), Array.AsReadOnly(outputNames), outputMetadata.AsReadOnly());
    }

    private unsafe (string[] Names, Dictionary<string, NodeMetadata> Metadata) ReadNodes(nint session, bool isInput)
    {
        var kind = isInput ? "input" : "output";
        var context = $"cannot read the {kind}s of ONNX model {_model}";
        nuint count;
        OrtStatus.Check(isInput ? OrtApi.SessionGetInputCount(session, &count) : OrtApi.SessionGetOutputCount(session, &count), context);

        var allocator = OrtEnvironment.Allocator;
        var names = new string[(int)count];
        var metadata = new Dictionary<string, NodeMetadata>((int)count, StringComparer.Ordinal);
        for (nuint i = 0; i < count; i++)
        {
            byte* utf8;
            OrtStatus.Check(
                isInput ? OrtApi.SessionGetInputName(session, i, allocator, &utf8) : OrtApi.SessionGetOutputName(session, i, allocator, &utf8),
                context);
            try
            {
                names[i] = Marshal.PtrToStringUTF8((nint)utf8) ?? string.Empty;
            }
            finally
            {
                OrtStatus.Check(OrtApi.AllocatorFree(allocator, utf8), context);
            }

            nint typeInfo;
            OrtStatus.Check(
                isInput ? OrtApi.SessionGetInputTypeInfo(session, i, &typeInfo) : OrtApi.SessionGetOutputTypeInfo(session, i, &typeInfo),
                context);
            using var typeInfoHandle = new OrtTypeInfoHandle(typeInfo);

            // The tensor info belongs to the type info: read it, do not release it.
            nint tensorInfo;
            OrtStatus.Check(OrtApi.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo), context);
            metadata[names[i]] = tensorInfo == 0
                ? new NodeMetadata(TensorElementType.Undefined, [])
                : ToMetadata(OrtTensorInfo.Read(tensorInfo, context));
        }

        return (names, metadata);
    }

    private static NodeMetadata ToMetadata((TensorElementType ElementType, long[] Dimensions) info) =>
        new(info.ElementType, info.Dimensions);
}
