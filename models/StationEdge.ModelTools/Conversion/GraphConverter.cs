using System.Globalization;
using System.Runtime.InteropServices;
using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Conversion;

/// <summary>
/// Walks the TFLite main graph in execution order and emits ONNX nodes. Every rank-4 value can exist in TFLite's own
/// NHWC order, in NCHW (what ONNX Conv and pooling need), or both; a Transpose is inserted only when a consumer needs
/// the order that is missing, so chains of convolutions and elementwise ops stay in NCHW.
/// </summary>
internal sealed class GraphConverter
{
    private static readonly long[] ToNchw = [0, 3, 1, 2];
    private static readonly long[] ToNhwc = [0, 2, 3, 1];
    private static readonly int[] NhwcToNchwAxis = [0, 2, 3, 1];

    private readonly TfLiteModel _model;
    private readonly TfLiteSubGraph _graph;
    private readonly ConvertOptions _options;
    private readonly string?[] _native;
    private readonly string?[] _nchw;
    private readonly Constant?[] _constants;
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
    private readonly HashSet<int> _io = [];
    private readonly Dictionary<string, string> _initializerNames = new(StringComparer.Ordinal);
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];

    private int _opIndex;
    private TfLiteBuiltinOperator _opCode;

    public GraphConverter(TfLiteModel model, ConvertOptions options)
    {
        _model = model;
        _graph = model.Main;
        _options = options;
        int n = _graph.Tensors.Count;
        _native = new string?[n];
        _nchw = new string?[n];
        _constants = new Constant?[n];
        for (int i = 0; i < n; i++)
        {
            var tensor = _graph.Tensors[i];
            var data = model.DataOf(tensor);
            if (tensor.Buffer != 0 && !data.IsEmpty)
            {
                _constants[i] = Constant.Read(tensor, data.Span);
            }
        }
    }

    public OnnxGraph Convert()
    {
        // Graph inputs and outputs keep their TFLite names exactly; everything else is made unique around them.
        foreach (int t in _graph.Inputs.Concat(_graph.Outputs))
        {
            if (_io.Add(t) && !_usedNames.Add(Tensor(t).Name))
            {
                throw new ConversionException($"two graph inputs/outputs share the name '{Tensor(t).Name}'");
            }
        }

        foreach (int t in _graph.Inputs)
        {
            _native[t] = Tensor(t).Name;
        }

        for (_opIndex = 0; _opIndex < _graph.Operators.Count; _opIndex++)
        {
            var op = _graph.Operators[_opIndex];
            var code = _model.OperatorCodes[op.OpcodeIndex];
            _opCode = code.Builtin;
            if (_opCode == TfLiteBuiltinOperator.CUSTOM)
            {
                throw Fail($"is the custom operator '{code.CustomCode}', which has no ONNX equivalent here");
            }

            RequireFloatActivations(op);
            ConvertOperator(op);
        }

        foreach (int t in _graph.Outputs)
        {
            if (_constants[t] is not null)
            {
                Emit("Identity", Tensor(t).Name, [ConstantInput(t, Layout.Native, keepRank: true)]);
            }
            else if (_native[t] is null && _nchw[t] is null)
            {
                throw new ConversionException($"graph output '{Tensor(t).Name}' is not produced by any operator");
            }
            else
            {
                _ = Value(t, Layout.Native);
            }
        }

        return new OnnxGraph(
            "main",
            _nodes,
            _initializers,
            _graph.Inputs.Select(ValueInfo).ToArray(),
            _graph.Outputs.Select(ValueInfo).ToArray());
    }

    private void ConvertOperator(TfLiteOperator op)
    {
        switch (_opCode)
        {
            case TfLiteBuiltinOperator.CONV_2D:
                Conv(op, depthwise: false);
                break;
            case TfLiteBuiltinOperator.DEPTHWISE_CONV_2D:
                Conv(op, depthwise: true);
                break;
            case TfLiteBuiltinOperator.MAX_POOL_2D:
                Pool(op, "MaxPool");
                break;
            case TfLiteBuiltinOperator.AVERAGE_POOL_2D:
                Pool(op, "AveragePool");
                break;
            case TfLiteBuiltinOperator.ADD:
                Binary(op, "Add");
                break;
            case TfLiteBuiltinOperator.SUB:
                Binary(op, "Sub");
                break;
            case TfLiteBuiltinOperator.MUL:
                Binary(op, "Mul");
                break;
            case TfLiteBuiltinOperator.DIV:
                Binary(op, "Div");
                break;
            case TfLiteBuiltinOperator.MAXIMUM:
                Binary(op, "Max");
                break;
            case TfLiteBuiltinOperator.MINIMUM:
                Binary(op, "Min");
                break;
            case TfLiteBuiltinOperator.GREATER:
                Binary(op, "Greater");
                break;
            case TfLiteBuiltinOperator.GREATER_EQUAL:
                Binary(op, "GreaterOrEqual");
                break;
            case TfLiteBuiltinOperator.LESS:
                Binary(op, "Less");
                break;
            case TfLiteBuiltinOperator.LESS_EQUAL:
                Binary(op, "LessOrEqual");
                break;
            case TfLiteBuiltinOperator.EQUAL:
                Binary(op, "Equal");
                break;
            case TfLiteBuiltinOperator.RELU:
                Unary(op, "Relu");
                break;
            case TfLiteBuiltinOperator.RELU6:
                Unary(op, "Clip", extraInputs: [ScalarFloat(0f), ScalarFloat(6f)]);
                break;
            case TfLiteBuiltinOperator.RELU_N1_TO_1:
                Unary(op, "Clip", extraInputs: [ScalarFloat(-1f), ScalarFloat(1f)]);
                break;
            case TfLiteBuiltinOperator.ABS:
                Unary(op, "Abs");
                break;
            case TfLiteBuiltinOperator.NEG:
                Unary(op, "Neg");
                break;
            case TfLiteBuiltinOperator.EXP:
                Unary(op, "Exp");
                break;
            case TfLiteBuiltinOperator.LOGISTIC:
                Unary(op, "Sigmoid");
                break;
            case TfLiteBuiltinOperator.TANH:
                Unary(op, "Tanh");
                break;
            case TfLiteBuiltinOperator.LEAKY_RELU:
                Unary(op, "LeakyRelu", attributes: [OnnxAttribute.Float("alpha", Options<LeakyReluOptions>(op).Alpha)]);
                break;
            case TfLiteBuiltinOperator.CAST:
                Unary(op, "Cast", attributes: [OnnxAttribute.Int("to", (long)ElementType(op.Outputs[0]))]);
                break;
            case TfLiteBuiltinOperator.RESHAPE:
                Reshape(op);
                break;
            case TfLiteBuiltinOperator.FULLY_CONNECTED:
                FullyConnected(op);
                break;
            case TfLiteBuiltinOperator.CONCATENATION:
                Concatenation(op);
                break;
            case TfLiteBuiltinOperator.STRIDED_SLICE:
                StridedSlice(op);
                break;
            case TfLiteBuiltinOperator.DEQUANTIZE:
                Dequantize(op);
                break;
            default:
                throw Fail("is not supported by the converter");
        }
    }

    /// <summary>Integer activations mean a quantized graph, whose scales and zero points this converter ignores.</summary>
    private void RequireFloatActivations(TfLiteOperator op)
    {
        foreach (int t in op.Inputs.Concat(op.Outputs))
        {
            if (t >= 0 && _constants[t] is null && Tensor(t).Type is TfLiteTensorType.INT8 or TfLiteTensorType.UINT8 or TfLiteTensorType.INT16)
            {
                throw Fail($"works on {Tensor(t).Type} tensor '{Tensor(t).Name}'; quantized models are not supported");
            }
        }
    }

    private void Conv(TfLiteOperator op, bool depthwise)
    {
        int x = op.Inputs[0];
        int w = op.Inputs[1];
        int bias = op.Inputs.Length > 2 ? op.Inputs[2] : -1;
        int y = op.Outputs[0];
        var weights = _constants[w] ?? throw Fail("has non-constant weights");
        var inShape = Shape(x);
        RequireRank(x, 4);
        int inChannels = inShape[3];

        TfLitePadding padding;
        int strideH, strideW, dilationH, dilationW, group;
        TfLiteActivation activation;
        Constant onnxWeights;
        if (depthwise)
        {
            var o = Options<DepthwiseConv2DOptions>(op);
            (padding, strideH, strideW, dilationH, dilationW, activation) = (o.Padding, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.Activation);

            // TFLite [1, kh, kw, C·m] → ONNX [C·m, 1, kh, kw] with one group per input channel.
            if (weights.Shape.Length != 4 || weights.Shape[0] != 1 || weights.Shape[3] % inChannels != 0)
            {
                throw Fail($"has depthwise weights [{string.Join(',', weights.Shape)}] that do not fit {inChannels} input channels");
            }

            onnxWeights = weights.Transpose([3, 0, 1, 2]);
            group = inChannels;
        }
        else
        {
            var o = Options<Conv2DOptions>(op);
            (padding, strideH, strideW, dilationH, dilationW, activation) = (o.Padding, o.StrideH, o.StrideW, o.DilationH, o.DilationW, o.Activation);

            // TFLite OHWI → ONNX OIHW.
            if (weights.Shape.Length != 4 || weights.Shape[3] != inChannels)
            {
                throw Fail($"has weights [{string.Join(',', weights.Shape)}] that do not fit {inChannels} input channels");
            }

            onnxWeights = weights.Transpose([0, 3, 1, 2]);
            group = 1;
        }

        int kh = onnxWeights.Shape[2];
        int kw = onnxWeights.Shape[3];
        var pads = SpatialPads(op, padding, kh, kw, strideH, strideW, dilationH, dilationW);
        var inputs = new List<string> { Value(x, Layout.Nchw), Initializer(w, depthwise ? "depthwise_weights" : "oihw", onnxWeights) };
        if (bias >= 0)
        {
            inputs.Add(Value(bias, Layout.Native));
        }

        EmitWithActivation(activation, y, Layout.Nchw, "Conv", inputs, [
            OnnxAttribute.Ints("dilations", dilationH, dilationW),
            OnnxAttribute.Int("group", group),
            OnnxAttribute.Ints("kernel_shape", kh, kw),
            OnnxAttribute.Ints("pads", pads),
            OnnxAttribute.Ints("strides", strideH, strideW),
        ]);
    }

    private void Pool(TfLiteOperator op, string onnxOp)
    {
        var o = Options<Pool2DOptions>(op);
        RequireRank(op.Inputs[0], 4);
        var pads = SpatialPads(op, o.Padding, o.FilterHeight, o.FilterWidth, o.StrideH, o.StrideW, 1, 1);

        // AveragePool's default count_include_pad = 0 matches TF: padded cells are left out of the mean.
        EmitWithActivation(o.Activation, op.Outputs[0], Layout.Nchw, onnxOp, [Value(op.Inputs[0], Layout.Nchw)], [
            OnnxAttribute.Ints("kernel_shape", o.FilterHeight, o.FilterWidth),
            OnnxAttribute.Ints("pads", pads),
            OnnxAttribute.Ints("strides", o.StrideH, o.StrideW),
        ]);
    }

    /// <summary>Explicit ONNX pads [top, left, bottom, right], checked against the TFLite output shape.</summary>
    private long[] SpatialPads(TfLiteOperator op, TfLitePadding padding, int kh, int kw, int strideH, int strideW, int dilationH, int dilationW)
    {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || kh < 1 || kw < 1)
        {
            throw Fail($"has stride {strideH}x{strideW}, dilation {dilationH}x{dilationW}, window {kh}x{kw}; all must be at least 1");
        }

        var inShape = Shape(op.Inputs[0]);
        var outShape = Shape(op.Outputs[0]);
        var (outH, top, bottom) = Padding.Compute(padding, inShape[1], kh, strideH, dilationH);
        var (outW, left, right) = Padding.Compute(padding, inShape[2], kw, strideW, dilationW);
        if (outShape.Length != 4 || outShape[1] != outH || outShape[2] != outW)
        {
            throw Fail($"should give {outH}x{outW} with {padding} padding but the file says [{string.Join(',', outShape)}]");
        }

        return [top, left, bottom, right];
    }

    private void Binary(TfLiteOperator op, string onnxOp)
    {
        var activation = op.Options is ActivationOptions a ? a.Activation : TfLiteActivation.NONE;
        var layout = ChooseLayout(op.Outputs[0], op.Inputs);
        EmitWithActivation(activation, op.Outputs[0], layout, onnxOp, op.Inputs.Select(i => Value(i, layout)).ToList(), []);
    }

    private void Unary(TfLiteOperator op, string onnxOp, string[]? extraInputs = null, OnnxAttribute[]? attributes = null)
    {
        int x = op.Inputs[0];
        var layout = _nchw[x] is not null && Rank(op.Outputs[0]) == 4 ? Layout.Nchw : Layout.Native;
        var inputs = new List<string> { Value(x, layout) };
        inputs.AddRange(extraInputs ?? []);
        Emit(onnxOp, Define(op.Outputs[0], layout), inputs, attributes ?? []);
    }

    private void Reshape(TfLiteOperator op)
    {
        int x = op.Inputs[0];
        int y = op.Outputs[0];
        var shape = Shape(y);
        if (shape.Length == 0 && op.Inputs.Length > 1 && _constants[op.Inputs[1]] is { } newShape)
        {
            shape = newShape.IntValues();
        }

        Emit("Reshape", Define(y, Layout.Native), [FlatOrderValue(x), ShapeInitializer(BatchPreservingShape(Shape(x), shape))]);
    }

    private void FullyConnected(TfLiteOperator op)
    {
        var o = Options<FullyConnectedOptions>(op);
        int x = op.Inputs[0];
        int w = op.Inputs[1];
        int bias = op.Inputs.Length > 2 ? op.Inputs[2] : -1;
        var weightShape = Shape(w);
        if (weightShape.Length != 2)
        {
            throw Fail($"has weights of rank {weightShape.Length}; expected [outputs, inputs]");
        }

        if (o.WeightsFormat != 0)
        {
            throw Fail($"uses weights format {o.WeightsFormat}; only the default format is supported");
        }

        var inShape = Shape(x);
        if (o.KeepNumDims && inShape.Length != 2)
        {
            throw Fail("keeps the input's leading dimensions (keep_num_dims), which is not supported");
        }

        int k = weightShape[1];
        string a = inShape.Length == 2 && inShape[1] == k
            ? Value(x, Layout.Native)
            : Emit("Reshape", Unique(ValueBaseName(x) + "/flat"), [FlatOrderValue(x), ShapeInitializer([-1, k])]);
        var inputs = new List<string> { a, Value(w, Layout.Native) };
        if (bias >= 0)
        {
            inputs.Add(Value(bias, Layout.Native));
        }

        EmitWithActivation(o.Activation, op.Outputs[0], Layout.Native, "Gemm", inputs, [OnnxAttribute.Int("transB", 1)]);
    }

    private void Concatenation(TfLiteOperator op)
    {
        var o = Options<ConcatenationOptions>(op);
        int y = op.Outputs[0];
        int rank = Rank(y);
        int axis = o.Axis < 0 ? o.Axis + rank : o.Axis;
        if (axis < 0 || axis >= rank)
        {
            throw Fail($"concatenates along axis {o.Axis} of a rank-{rank} tensor");
        }

        var layout = ChooseLayout(y, op.Inputs);
        var inputs = op.Inputs.Select(i => _constants[i] is not null ? ConstantInput(i, layout, keepRank: true) : Value(i, layout)).ToList();
        int onnxAxis = layout == Layout.Nchw ? NhwcToNchwAxis[axis] : axis;
        EmitWithActivation(o.Activation, y, layout, "Concat", inputs, [OnnxAttribute.Int("axis", onnxAxis)]);
    }

    private void StridedSlice(TfLiteOperator op)
    {
        var o = Options<StridedSliceOptions>(op);
        int x = op.Inputs[0];
        int y = op.Outputs[0];
        var shape = Shape(x);
        int rank = shape.Length;
        int[] begin = ConstantInts(op.Inputs[1]);
        int[] end = ConstantInts(op.Inputs[2]);
        int[] strides = op.Inputs.Length > 3 ? ConstantInts(op.Inputs[3]) : Enumerable.Repeat(1, rank).ToArray();
        if (o.EllipsisMask != 0 || o.NewAxisMask != 0)
        {
            throw Fail("uses an ellipsis or new-axis mask, which is not supported");
        }

        if (begin.Length != rank || end.Length != rank || strides.Length != rank)
        {
            throw Fail($"has begin/end/strides of length {begin.Length}/{end.Length}/{strides.Length} for a rank-{rank} input");
        }

        if (o.Offset)
        {
            end = end.Select((e, i) => e + begin[i]).ToArray();
        }

        bool full = o.ShrinkAxisMask == 0;
        for (int i = 0; i < rank && full; i++)
        {
            bool fromStart = (o.BeginMask & (1 << i)) != 0 || begin[i] == 0;
            bool toEnd = (o.EndMask & (1 << i)) != 0 || end[i] >= shape[i];
            full = strides[i] == 1 && fromStart && toEnd;
        }

        if (full)
        {
            // A slice that keeps everything: no data moves, so the input's layout carries over.
            var layout = _nchw[x] is not null ? Layout.Nchw : Layout.Native;
            Emit("Identity", Define(y, layout), [Value(x, layout)]);
            return;
        }

        var starts = new long[rank];
        var ends = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            if (strides[i] == 0)
            {
                throw Fail($"has stride 0 on axis {i}");
            }

            bool up = strides[i] > 0;
            starts[i] = (o.BeginMask & (1 << i)) != 0 ? (up ? 0 : long.MaxValue) : begin[i];
            ends[i] = (o.EndMask & (1 << i)) != 0 ? (up ? long.MaxValue : long.MinValue) : end[i];
            if ((o.ShrinkAxisMask & (1 << i)) != 0)
            {
                starts[i] = begin[i];
                ends[i] = begin[i] == -1 ? long.MaxValue : begin[i] + 1;
                strides[i] = 1;
            }
        }

        var axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        var sliceInputs = new List<string>
        {
            Value(x, Layout.Native),
            ShapeInitializer(starts),
            ShapeInitializer(ends),
            ShapeInitializer(axes),
            ShapeInitializer(strides.Select(s => (long)s).ToArray()),
        };
        if (o.ShrinkAxisMask == 0)
        {
            Emit("Slice", Define(y, Layout.Native), sliceInputs);
            return;
        }

        string sliced = Emit("Slice", Unique(ValueBaseName(y) + "/unsqueezed"), sliceInputs);
        var squeezeAxes = Enumerable.Range(0, rank).Where(i => (o.ShrinkAxisMask & (1 << i)) != 0).Select(i => (long)i).ToArray();
        Emit("Squeeze", Define(y, Layout.Native), [sliced, ShapeInitializer(squeezeAxes)]);
    }

    private void Dequantize(TfLiteOperator op)
    {
        int x = op.Inputs[0];
        var input = _constants[x] ?? throw Fail("dequantizes a non-constant tensor, which is not supported");
        if (input.Type != TfLiteTensorType.FLOAT16)
        {
            throw Fail($"dequantizes {input.Type}; only FLOAT16 constants are folded");
        }

        // Folded: the widened float32 values become the output constant, no node is emitted.
        _constants[op.Outputs[0]] = input with { Type = TfLiteTensorType.FLOAT32, Shape = Shape(op.Outputs[0]) };
    }

    private Layout ChooseLayout(int output, IEnumerable<int> inputs)
    {
        if (Rank(output) != 4)
        {
            return Layout.Native;
        }

        bool anyNchw = false;
        foreach (int i in inputs)
        {
            if (_constants[i] is not null)
            {
                continue;
            }

            if (Rank(i) != 4)
            {
                return Layout.Native;
            }

            anyNchw |= _nchw[i] is not null;
        }

        return anyNchw ? Layout.Nchw : Layout.Native;
    }

    /// <summary>The value of tensor <paramref name="t"/> in the wanted order, transposing if only the other exists.</summary>
    private string Value(int t, Layout layout)
    {
        if (t < 0)
        {
            return "";
        }

        if (_constants[t] is not null)
        {
            return ConstantInput(t, layout, keepRank: false);
        }

        if (layout == Layout.Native)
        {
            if (_native[t] is { } native)
            {
                return native;
            }

            string from = _nchw[t] ?? throw Fail($"reads tensor '{Tensor(t).Name}' before any operator produced it");
            return Emit("Transpose", Define(t, Layout.Native), [from], [OnnxAttribute.Ints("perm", ToNhwc)]);
        }

        RequireRank(t, 4);
        if (_nchw[t] is { } nchw)
        {
            return nchw;
        }

        string source = _native[t] ?? throw Fail($"reads tensor '{Tensor(t).Name}' before any operator produced it");
        return Emit("Transpose", Define(t, Layout.Nchw), [source], [OnnxAttribute.Ints("perm", ToNchw)]);
    }

    /// <summary>
    /// A value whose flat element order is TFLite's, for reshapes and fully-connected layers that flatten. An NCHW
    /// tensor with 1×1 spatial size already has that order, so it needs no transpose.
    /// </summary>
    private string FlatOrderValue(int t)
    {
        if (_constants[t] is null && _native[t] is null && _nchw[t] is { } nchw && Shape(t) is [_, 1, 1, _])
        {
            return nchw;
        }

        return Value(t, Layout.Native);
    }

    /// <summary>
    /// A constant as an initializer. In NCHW it is first padded to rank 4 (TFLite broadcasts from the right, against
    /// NHWC) and permuted, so a per-channel [C] becomes [C,1,1]; leading ones are dropped unless the rank must stay.
    /// </summary>
    private string ConstantInput(int t, Layout layout, bool keepRank)
    {
        var c = _constants[t]!;
        if (layout == Layout.Native || c.Shape.Length == 0)
        {
            return Initializer(t, "", c);
        }

        if (c.Shape.Length > 4)
        {
            throw Fail($"combines a rank-{c.Shape.Length} constant with a rank-4 tensor");
        }

        var padded = Enumerable.Repeat(1, 4 - c.Shape.Length).Concat(c.Shape).ToArray();
        var permuted = c.WithShape(padded).Transpose([0, 3, 1, 2]);
        int drop = 0;
        while (!keepRank && drop < 3 && permuted.Shape[drop] == 1)
        {
            drop++;
        }

        return Initializer(t, "nchw", permuted.WithShape(permuted.Shape[drop..]));
    }

    private string Initializer(int t, string variant, Constant c)
    {
        string key = $"{t}/{variant}";
        if (_initializerNames.TryGetValue(key, out string? name))
        {
            return name;
        }

        name = Unique(variant.Length == 0 ? Tensor(t).Name : $"{Tensor(t).Name}/{variant}");
        _initializerNames[key] = name;
        long[] dims = c.Shape.Select(d => (long)d).ToArray();
        _initializers.Add(c.Type switch
        {
            TfLiteTensorType.FLOAT32 => OnnxTensor.FromFloats(name, dims, c.Floats),
            TfLiteTensorType.INT64 => OnnxTensor.FromInt64s(name, dims, c.Integers),
            TfLiteTensorType.INT32 => new OnnxTensor(name, OnnxDataType.Int32, dims, MemoryMarshal.AsBytes(c.Integers!.Select(v => (int)v).ToArray().AsSpan()).ToArray()),
            TfLiteTensorType.BOOL => new OnnxTensor(name, OnnxDataType.Bool, dims, c.Integers!.Select(v => v != 0 ? (byte)1 : (byte)0).ToArray()),
            _ => throw Fail($"uses constant '{Tensor(t).Name}' of type {c.Type} directly; only FLOAT32, INT32, INT64 and BOOL constants are supported"),
        });
        return name;
    }

    private string ShapeInitializer(long[] values)
    {
        string key = "int64:" + string.Join(',', values);
        if (!_initializerNames.TryGetValue(key, out string? name))
        {
            name = Unique("const/int64/" + string.Join('_', values.Select(v => v.ToString(CultureInfo.InvariantCulture))));
            _initializerNames[key] = name;
            _initializers.Add(OnnxTensor.FromInt64s(name, [values.Length], values));
        }

        return name;
    }

    private string ScalarFloat(float value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        string key = "float:" + text;
        if (!_initializerNames.TryGetValue(key, out string? name))
        {
            name = Unique("const/float/" + text);
            _initializerNames[key] = name;
            _initializers.Add(OnnxTensor.FromFloats(name, [], [value]));
        }

        return name;
    }

    /// <summary>
    /// The target shape for a reshape: when the leading (batch) dimension passes through unchanged it becomes -1, so
    /// the ONNX model runs with any batch even though the TFLite file fixed one.
    /// </summary>
    private long[] BatchPreservingShape(int[] input, int[] output)
    {
        static long Product(IEnumerable<int> dims) => dims.Aggregate(1L, (p, d) => p * d);
        var result = output.Select(d => (long)d).ToArray();
        if (input.Length > 0 && output.Length > 0 && input[0] == output[0] && Product(input.Skip(1)) == Product(output.Skip(1)))
        {
            result[0] = -1;
        }
        else if (_options.BatchDynamic)
        {
            throw Fail($"reshapes [{string.Join(',', input)}] to [{string.Join(',', output)}], which does not keep the batch dimension, so the batch cannot be dynamic");
        }

        return result;
    }

    private void EmitWithActivation(TfLiteActivation activation, int output, Layout layout, string opType, IReadOnlyList<string> inputs, OnnxAttribute[] attributes)
    {
        string final = Define(output, layout);
        if (activation == TfLiteActivation.NONE)
        {
            Emit(opType, final, inputs, attributes);
            return;
        }

        string raw = Emit(opType, Unique(final + "/preact"), inputs, attributes);
        switch (activation)
        {
            case TfLiteActivation.RELU:
                Emit("Relu", final, [raw]);
                break;
            case TfLiteActivation.RELU6:
                Emit("Clip", final, [raw, ScalarFloat(0f), ScalarFloat(6f)]);
                break;
            case TfLiteActivation.RELU_N1_TO_1:
                Emit("Clip", final, [raw, ScalarFloat(-1f), ScalarFloat(1f)]);
                break;
            case TfLiteActivation.TANH:
                Emit("Tanh", final, [raw]);
                break;
            default:
                throw Fail($"has fused activation {activation}, which is not supported");
        }
    }

    private string Emit(string opType, string output, IReadOnlyList<string> inputs, OnnxAttribute[]? attributes = null)
    {
        // ONNX marks an omitted optional input with "", and only trailing ones may be dropped entirely.
        var trimmed = inputs.ToList();
        while (trimmed.Count > 0 && trimmed[^1].Length == 0)
        {
            trimmed.RemoveAt(trimmed.Count - 1);
        }

        _nodes.Add(new OnnxNode(opType, output, trimmed, [output], attributes ?? []));
        return output;
    }

    /// <summary>Names (and records) the value of tensor <paramref name="t"/> in one order.</summary>
    private string Define(int t, Layout layout)
    {
        if (layout == Layout.Native)
        {
            string name = _io.Contains(t) ? Tensor(t).Name : Unique(Tensor(t).Name);
            _native[t] = name;
            return name;
        }

        string nchw = Unique(Tensor(t).Name + "/nchw");
        _nchw[t] = nchw;
        return nchw;
    }

    private string ValueBaseName(int t) => _native[t] ?? _nchw[t] ?? Tensor(t).Name;

    private string Unique(string name)
    {
        if (_usedNames.Add(name))
        {
            return name;
        }

        for (int i = 1; ; i++)
        {
            string candidate = $"{name}_{i}";
            if (_usedNames.Add(candidate))
            {
                return candidate;
            }
        }
    }

    private OnnxValueInfo ValueInfo(int t)
    {
        var shape = Shape(t).Select((d, i) => i == 0 && _options.BatchDynamic ? OnnxDim.Symbol(_options.BatchDimensionName) : OnnxDim.Fixed(d)).ToArray();
        return new OnnxValueInfo(Tensor(t).Name, ElementType(t), shape);
    }

    private OnnxDataType ElementType(int t) => Tensor(t).Type switch
    {
        TfLiteTensorType.FLOAT32 => OnnxDataType.Float,
        TfLiteTensorType.FLOAT16 => OnnxDataType.Float16,
        TfLiteTensorType.FLOAT64 => OnnxDataType.Double,
        TfLiteTensorType.INT32 => OnnxDataType.Int32,
        TfLiteTensorType.INT64 => OnnxDataType.Int64,
        TfLiteTensorType.INT16 => OnnxDataType.Int16,
        TfLiteTensorType.INT8 => OnnxDataType.Int8,
        TfLiteTensorType.UINT8 => OnnxDataType.UInt8,
        TfLiteTensorType.BOOL => OnnxDataType.Bool,
        var other => throw new ConversionException($"tensor '{Tensor(t).Name}' has type {other}, which has no ONNX equivalent here"),
    };

    private int[] ConstantInts(int t) => (_constants[t] ?? throw Fail($"needs tensor '{Tensor(t).Name}' to be constant")).IntValues();

    private T Options<T>(TfLiteOperator op)
        where T : TfLiteOptions =>
        op.Options as T ?? throw Fail($"has no {typeof(T).Name}");

    private void RequireRank(int t, int rank)
    {
        if (Rank(t) != rank)
        {
            throw Fail($"needs a rank-{rank} tensor but '{Tensor(t).Name}' is [{string.Join(',', Shape(t))}]");
        }
    }

    private TfLiteTensor Tensor(int t) => _graph.Tensors[t];

    private int[] Shape(int t) => _constants[t]?.Shape ?? _graph.Tensors[t].Shape;

    private int Rank(int t) => Shape(t).Length;

    private ConversionException Fail(string what) =>
        new($"TFLite operator {_opIndex} ({_opCode}) {what}");

    private enum Layout
    {
        Native,
        Nchw,
    }
}
