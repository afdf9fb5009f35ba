namespace StationEdge.ModelTools.TfLite;

#pragma warning disable CA1707 // schema spelling on purpose
public enum TfLitePadding : byte
{
    SAME = 0,
    VALID = 1,
}

public enum TfLiteActivation : byte
{
    NONE = 0,
    RELU = 1,
    RELU_N1_TO_1 = 2,
    RELU6 = 3,
    TANH = 4,
    SIGN_BIT = 5,
}
#pragma warning restore CA1707

/// <summary>The builtin_options union of an operator, for the option tables the converter understands.</summary>
public abstract record TfLiteOptions;

public sealed record Conv2DOptions(
    TfLitePadding Padding, int StrideW, int StrideH, TfLiteActivation Activation, int DilationW, int DilationH) : TfLiteOptions;

public sealed record DepthwiseConv2DOptions(
    TfLitePadding Padding, int StrideW, int StrideH, int DepthMultiplier, TfLiteActivation Activation, int DilationW, int DilationH)
    : TfLiteOptions;

public sealed record Pool2DOptions(
    TfLitePadding Padding, int StrideW, int StrideH, int FilterWidth, int FilterHeight, TfLiteActivation Activation) : TfLiteOptions;

public sealed record FullyConnectedOptions(TfLiteActivation Activation, byte WeightsFormat, bool KeepNumDims) : TfLiteOptions;

public sealed record ConcatenationOptions(int Axis, TfLiteActivation Activation) : TfLiteOptions;

/// <summary>AddOptions, SubOptions, MulOptions and DivOptions: all they carry is the fused activation.</summary>
public sealed record ActivationOptions(TfLiteActivation Activation) : TfLiteOptions;

public sealed record ReshapeOptions(int[] NewShape) : TfLiteOptions;

public sealed record StridedSliceOptions(
    int BeginMask, int EndMask, int EllipsisMask, int NewAxisMask, int ShrinkAxisMask, bool Offset) : TfLiteOptions;

public sealed record LeakyReluOptions(float Alpha) : TfLiteOptions;

public sealed record CastOptions(TfLiteTensorType InType, TfLiteTensorType OutType) : TfLiteOptions;

/// <summary>An option table this reader does not decode; <see cref="UnionType"/> is its BuiltinOptions index.</summary>
public sealed record UnparsedOptions(byte UnionType) : TfLiteOptions;
