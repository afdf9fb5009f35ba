namespace StationEdge.Vision.Onnx;

/// <summary>ORT's error codes (<c>OrtErrorCode</c> in the C API).</summary>
public enum OrtErrorCode
{
    Ok = 0,
    Fail = 1,
    InvalidArgument = 2,
    NoSuchFile = 3,
    NoModel = 4,
    EngineError = 5,
    RuntimeException = 6,
    InvalidProtobuf = 7,
    ModelLoaded = 8,
    NotImplemented = 9,
    InvalidGraph = 10,
    EpFail = 11,
}

/// <summary>
/// Any failure of ONNX Runtime or of loading it. <see cref="Exception.Message"/> is one line that says what was being
/// done (model file, library path) followed by ORT's own text, which is also in <see cref="NativeMessage"/>.
/// </summary>
public sealed class OnnxRuntimeException : Exception
{
    public OnnxRuntimeException()
        : this(OrtErrorCode.Fail, "ONNX Runtime failed")
    {
    }

    public OnnxRuntimeException(string message)
        : this(OrtErrorCode.Fail, message)
    {
    }

    public OnnxRuntimeException(string message, Exception innerException)
        : this(OrtErrorCode.Fail, message, inner: innerException)
    {
    }

    public OnnxRuntimeException(OrtErrorCode errorCode, string message, string? nativeMessage = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = errorCode;
        NativeMessage = nativeMessage;
    }

    public OrtErrorCode ErrorCode { get; }

    /// <summary>ORT's own error text when the error came from ORT; null when the binding itself refused.</summary>
    public string? NativeMessage { get; }
}
