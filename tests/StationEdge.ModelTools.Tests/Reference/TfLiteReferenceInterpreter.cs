using System.Buffers.Binary;
using System.Numerics.Tensors;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Tests.Reference;

/// <summary>A tensor of the reference interpreter: row-major doubles in TFLite's own (NHWC) order.</summary>
internal sealed record RefTensor(int[] Shape, double[] Data)
{
    public static RefTensor FromFloats(int[] shape, float[] data) => new(shape, data.Select(v => (double)v).ToArray());
}

/// <summary>
/// Executes a TFLite graph directly from the file's semantics, in double precision and NHWC, with plain loops: no
/// layout changes, no ONNX, nothing shared with the converter but the flatbuffer reader. It is the yardstick the
/// converted models are measured against.
/// </summary>
internal sealed class TfLiteReferenceInterpreter
{
    private readonly TfLiteModel _model;
    private readonly TfLiteSubGraph _graph;

    public TfLiteReferenceInterpreter(TfLiteModel model)
    {
        _model = model;
        _graph = model.Main;
    }

    public IReadOnlyList<RefTensor> Run(params RefTensor[] inputs)
    {
        var values = new RefTensor?[_graph.Tensors.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var data = _model.DataOf(_graph.Tensors[i]);
            if (_graph.Tensors[i].Buffer != 0 && !data.IsEmpty)
            {
                values[i] = ReadConstant(_graph.Tensors[i], data.Span);
            }
        }

        if (inputs.Length != _graph.Inputs.Length)
        {
            throw new ArgumentException($"the graph has {_graph.Inputs.Length} inputs, got {inputs.Length}");
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            var expected = _graph.Tensors[_graph.Inputs[i]].Shape;
            if (!expected.SequenceEqual(inputs[i].Shape))
            {
                throw new ArgumentException($"input {i} must be [{string.Join(',', expected)}]");
            }

            values[_graph.Inputs[i]] = inputs[i];
        }

        foreach (var op in _graph.Operators)
        {
            RefTensor In(int k) => values[op.Inputs[k]] ?? throw new InvalidOperationException($"tensor {op.Inputs[k]} not computed");
            var outShape = _graph.Tensors[op.Outputs[0]].Shape;
            var code = _model.OperatorOf(op);
            values[op.Outputs[0]] = code switch
            {
                TfLiteBuiltinOperator.CONV_2D => Conv2D(In(0), In(1), op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? In(2) : null, (Conv2DOptions)op.Options!),
                TfLiteBuiltinOperator.DEPTHWISE_CONV_2D => DepthwiseConv2D(In(0), In(1), op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? In(2) : null, (DepthwiseConv2DOptions)op.Options!),
                TfLiteBuiltinOperator.MAX_POOL_2D => Pool(In(0), (Pool2DOptions)op.Options!, max: true),
                TfLiteBuiltinOperator.AVERAGE_POOL_2D => Pool(In(0), (Pool2DOptions)op.Options!, max: false),
                TfLiteBuiltinOperator.FULLY_CONNECTED => FullyConnected(In(0), In(1), op.Inputs.Length > 2 && op.Inputs[2] >= 0 ? In(2) : null, (FullyConnectedOptions)op.Options!),
                TfLiteBuiltinOperator.ADD => Broadcast(In(0), In(1), (a, b) => a + b, Fused(op)),
                TfLiteBuiltinOperator.SUB => Broadcast(In(0), In(1), (a, b) => a - b, Fused(op)),
                TfLiteBuiltinOperator.MUL => Broadcast(In(0), In(1), (a, b) => a * b, Fused(op)),
                TfLiteBuiltinOperator.DIV => Broadcast(In(0), In(1), (a, b) => a / b, Fused(op)),
                TfLiteBuiltinOperator.GREATER_EQUAL => Broadcast(In(0), In(1), (a, b) => a >= b ? 1 : 0, TfLiteActivation.NONE),
                TfLiteBuiltinOperator.LESS => Broadcast(In(0), In(1), (a, b) => a < b ? 1 : 0, TfLiteActivation.NONE),
                TfLiteBuiltinOperator.RELU => Map(In(0), v => Math.Max(v, 0)),
                TfLiteBuiltinOperator.RELU6 => Map(In(0), v => Math.Clamp(v, 0, 6)),
                TfLiteBuiltinOperator.ABS => Map(In(0), Math.Abs),
                TfLiteBuiltinOperator.LEAKY_RELU => Map(In(0), v => v >= 0 ? v : ((LeakyReluOptions)op.Options!).Alpha * v),
                TfLiteBuiltinOperator.CAST => Map(In(0), v => _graph.Tensors[op.Outputs[0]].Type is TfLiteTensorType.FLOAT32 ? v : Math.Truncate(v)),
                TfLiteBuiltinOperator.DEQUANTIZE => In(0),
                TfLiteBuiltinOperator.RESHAPE => Reshape(In(0), outShape),
                TfLiteBuiltinOperator.CONCATENATION => Concatenate(op.Inputs.Select((_, k) => In(k)).ToArray(), (ConcatenationOptions)op.Options!),
                TfLiteBuiltinOperator.STRIDED_SLICE => StridedSlice(In(0), In(1), In(2), In(3), (StridedSliceOptions)op.Options!),
                _ => throw new NotSupportedException($"reference interpreter has no {code}"),
            };
            if (!values[op.Outputs[0]]!.Shape.SequenceEqual(outShape))
            {
                throw new InvalidOperationException(
                    $"{code} gave [{string.Join(',', values[op.Outputs[0]]!.Shape)}] but the file says [{string.Join(',', outShape)}]");
            }
        }

        return _graph.Outputs.Select(o => values[o]!).ToArray();
    }

    private static TfLiteActivation Fused(TfLiteOperator op) => op.Options is ActivationOptions a ? a.Activation : TfLiteActivation.NONE;

    private static double Activate(double v, TfLiteActivation activation) => activation switch
    {
        TfLiteActivation.NONE => v,
        TfLiteActivation.RELU => Math.Max(v, 0),
        TfLiteActivation.RELU6 => Math.Clamp(v, 0, 6),
        TfLiteActivation.RELU_N1_TO_1 => Math.Clamp(v, -1, 1),
        TfLiteActivation.TANH => Math.Tanh(v),
        _ => throw new NotSupportedException($"activation {activation}"),
    };

    private static RefTensor ReadConstant(TfLiteTensor tensor, ReadOnlySpan<byte> data)
    {
        int n = tensor.Shape.Aggregate(1, (p, d) => p * d);
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = tensor.Type switch
            {
                TfLiteTensorType.FLOAT32 => BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]),
                TfLiteTensorType.FLOAT16 => (double)BinaryPrimitives.ReadHalfLittleEndian(data[(2 * i)..]),
                TfLiteTensorType.INT32 => BinaryPrimitives.ReadInt32LittleEndian(data[(4 * i)..]),
                TfLiteTensorType.INT64 => BinaryPrimitives.ReadInt64LittleEndian(data[(8 * i)..]),
                _ => throw new NotSupportedException($"constant of type {tensor.Type}"),
            };
        }

        return new RefTensor(tensor.Shape, v);
    }

    /// <summary>TF padding: (output size, pad before) for one axis.</summary>
    private static (int Out, int PadBefore) Window(TfLitePadding padding, int size, int kernel, int stride, int dilation)
    {
        int k = ((kernel - 1) * dilation) + 1;
        if (padding == TfLitePadding.VALID)
        {
            return (((size - k) / stride) + 1, 0);
        }

        int output = (int)Math.Ceiling(size / (double)stride);
        int total = Math.Max(((output - 1) * stride) + k - size, 0);
        return (output, total / 2);
    }

    private static RefTensor Conv2D(RefTensor x, RefTensor w, RefTensor? bias, Conv2DOptions o)
    {
        int n = x.Shape[0], h = x.Shape[1], wd = x.Shape[2], c = x.Shape[3];
        int oc = w.Shape[0], kh = w.Shape[1], kw = w.Shape[2];
        var (oh, padTop) = Window(o.Padding, h, kh, o.StrideH, o.DilationH);
        var (ow, padLeft) = Window(o.Padding, wd, kw, o.StrideW, o.DilationW);
        var y = new double[n * oh * ow * oc];
        Parallel.For(0, n * oh, row =>
        {
            int b = row / oh, oy = row % oh;
            for (int ox = 0; ox < ow; ox++)
            {
                int outBase = ((((b * oh) + oy) * ow) + ox) * oc;
                for (int f = 0; f < oc; f++)
                {
                    double sum = bias?.Data[f] ?? 0;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = (oy * o.StrideH) - padTop + (ky * o.DilationH);
                        if (iy < 0 || iy >= h)
                        {
                            continue;
                        }

                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = (ox * o.StrideW) - padLeft + (kx * o.DilationW);
                            if (ix < 0 || ix >= wd)
                            {
                                continue;
                            }

                            int xi = (((b * h) + iy) * wd + ix) * c;
                            int wi = (((f * kh) + ky) * kw + kx) * c;
                            sum += TensorPrimitives.Dot(x.Data.AsSpan(xi, c), w.Data.AsSpan(wi, c));
                        }
                    }

                    y[outBase + f] = Activate(sum, o.Activation);
                }
            }
        });
        return new RefTensor([n, oh, ow, oc], y);
    }

    private static RefTensor DepthwiseConv2D(RefTensor x, RefTensor w, RefTensor? bias, DepthwiseConv2DOptions o)
    {
        int n = x.Shape[0], h = x.Shape[1], wd = x.Shape[2], c = x.Shape[3];
        int kh = w.Shape[1], kw = w.Shape[2], oc = w.Shape[3];
        int m = oc / c;
        var (oh, padTop) = Window(o.Padding, h, kh, o.StrideH, o.DilationH);
        var (ow, padLeft) = Window(o.Padding, wd, kw, o.StrideW, o.DilationW);
        var y = new double[n * oh * ow * oc];
        Parallel.For(0, n * oh, row =>
        {
            int b = row / oh, oy = row % oh;
            for (int ox = 0; ox < ow; ox++)
            {
                for (int f = 0; f < oc; f++)
                {
                    int ch = f / m;
                    double sum = bias?.Data[f] ?? 0;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        int iy = (oy * o.StrideH) - padTop + (ky * o.DilationH);
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int ix = (ox * o.StrideW) - padLeft + (kx * o.DilationW);
                            if (iy >= 0 && iy < h && ix >= 0 && ix < wd)
                            {
                                sum += x.Data[((((b * h) + iy) * wd) + ix) * c + ch] * w.Data[(((ky * kw) + kx) * oc) + f];
                            }
                        }
                    }

                    y[(((((b * oh) + oy) * ow) + ox) * oc) + f] = Activate(sum, o.Activation);
                }
            }
        });
        return new RefTensor([n, oh, ow, oc], y);
    }

    private static RefTensor Pool(RefTensor x, Pool2DOptions o, bool max)
    {
        int n = x.Shape[0], h = x.Shape[1], wd = x.Shape[2], c = x.Shape[3];
        var (oh, padTop) = Window(o.Padding, h, o.FilterHeight, o.StrideH, 1);
        var (ow, padLeft) = Window(o.Padding, wd, o.FilterWidth, o.StrideW, 1);
        var y = new double[n * oh * ow * c];
        for (int b = 0; b < n; b++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        double acc = max ? double.NegativeInfinity : 0;
                        int count = 0;
                        for (int ky = 0; ky < o.FilterHeight; ky++)
                        {
                            for (int kx = 0; kx < o.FilterWidth; kx++)
                            {
                                int iy = (oy * o.StrideH) - padTop + ky, ix = (ox * o.StrideW) - padLeft + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                                {
                                    continue;
                                }

                                double v = x.Data[((((b * h) + iy) * wd) + ix) * c + ch];
                                acc = max ? Math.Max(acc, v) : acc + v;
                                count++;
                            }
                        }

                        y[(((((b * oh) + oy) * ow) + ox) * c) + ch] = Activate(max ? acc : acc / count, o.Activation);
                    }
                }
            }
        }

        return new RefTensor([n, oh, ow, c], y);
    }

    private static RefTensor FullyConnected(RefTensor x, RefTensor w, RefTensor? bias, FullyConnectedOptions o)
    {
        int outputs = w.Shape[0], k = w.Shape[1];
        int batch = x.Data.Length / k;
        var y = new double[batch * outputs];
        for (int b = 0; b < batch; b++)
        {
            for (int f = 0; f < outputs; f++)
            {
                double sum = bias?.Data[f] ?? 0;
                for (int i = 0; i < k; i++)
                {
                    sum += x.Data[(b * k) + i] * w.Data[(f * k) + i];
                }

                y[(b * outputs) + f] = Activate(sum, o.Activation);
            }
        }

        return new RefTensor([batch, outputs], y);
    }

    private static RefTensor Map(RefTensor x, Func<double, double> f) => new(x.Shape, x.Data.Select(f).ToArray());

    private static RefTensor Broadcast(RefTensor a, RefTensor b, Func<double, double, double> f, TfLiteActivation activation)
    {
        int rank = Math.Max(a.Shape.Length, b.Shape.Length);
        int[] Pad(int[] s) => [.. Enumerable.Repeat(1, rank - s.Length), .. s];
        var sa = Pad(a.Shape);
        var sb = Pad(b.Shape);
        var shape = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = sa[i] == 1 ? sb[i] : sa[i];
            if (sb[i] != 1 && sb[i] != shape[i])
            {
                throw new InvalidOperationException($"cannot broadcast [{string.Join(',', a.Shape)}] with [{string.Join(',', b.Shape)}]");
            }
        }

        int total = shape.Aggregate(1, (p, d) => p * d);
        var y = new double[total];
        var index = new int[rank];
        for (int o = 0; o < total; o++)
        {
            int ia = 0, ib = 0;
            for (int d = 0; d < rank; d++)
            {
                ia = (ia * sa[d]) + (sa[d] == 1 ? 0 : index[d]);
                ib = (ib * sb[d]) + (sb[d] == 1 ? 0 : index[d]);
            }

            y[o] = Activate(f(a.Data[ia], b.Data[ib]), activation);
            for (int d = rank - 1; d >= 0 && ++index[d] == shape[d]; d--)
            {
                index[d] = 0;
            }
        }

        return new RefTensor(shape, y);
    }

    private static RefTensor Reshape(RefTensor x, int[] shape)
    {
        if (shape.Aggregate(1, (p, d) => p * d) != x.Data.Length)
        {
            throw new InvalidOperationException($"cannot reshape {x.Data.Length} values to [{string.Join(',', shape)}]");
        }

        return new RefTensor(shape, x.Data);
    }

    private static RefTensor Concatenate(RefTensor[] parts, ConcatenationOptions o)
    {
        int rank = parts[0].Shape.Length;
        int axis = o.Axis < 0 ? o.Axis + rank : o.Axis;
        int outer = parts[0].Shape[..axis].Aggregate(1, (p, d) => p * d);
        int inner = parts[0].Shape[(axis + 1)..].Aggregate(1, (p, d) => p * d);
        var shape = (int[])parts[0].Shape.Clone();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var y = new List<double>();
        for (int i = 0; i < outer; i++)
        {
            foreach (var p in parts)
            {
                int chunk = p.Shape[axis] * inner;
                y.AddRange(p.Data.Skip(i * chunk).Take(chunk).Select(v => Activate(v, o.Activation)));
            }
        }

        return new RefTensor(shape, [.. y]);
    }

    private static RefTensor StridedSlice(RefTensor x, RefTensor begin, RefTensor end, RefTensor strides, StridedSliceOptions o)
    {
        int rank = x.Shape.Length;
        var starts = new int[rank];
        var counts = new int[rank];
        var steps = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int size = x.Shape[d];
            int step = (int)strides.Data[d];
            int Clamp(int v)
            {
                if (v < 0)
                {
                    v += size;
                }

                return step > 0 ? Math.Clamp(v, 0, size) : Math.Clamp(v, -1, size - 1);
            }

            int s = (o.BeginMask & (1 << d)) != 0 ? (step > 0 ? 0 : size - 1) : Clamp((int)begin.Data[d]);
            int e = (o.EndMask & (1 << d)) != 0 ? (step > 0 ? size : -1) : Clamp((int)end.Data[d] + (o.Offset ? (int)begin.Data[d] : 0));
            if ((o.ShrinkAxisMask & (1 << d)) != 0)
            {
                s = Clamp((int)begin.Data[d]);
                e = s + 1;
                step = 1;
            }

            starts[d] = s;
            steps[d] = step;
            counts[d] = Math.Max(0, step > 0 ? (e - s + step - 1) / step : (s - e - step - 1) / -step);
        }

        var y = new List<double>();
        var index = new int[rank];
        int total = counts.Aggregate(1, (p, d) => p * d);
        for (int k = 0; k < total; k++)
        {
            int src = 0;
            for (int d = 0; d < rank; d++)
            {
                src = (src * x.Shape[d]) + starts[d] + (index[d] * steps[d]);
            }

            y.Add(x.Data[src]);
            for (int d = rank - 1; d >= 0 && ++index[d] == counts[d]; d--)
            {
                index[d] = 0;
            }
        }

        var shape = counts.Where((_, d) => (o.ShrinkAxisMask & (1 << d)) == 0).ToArray();
        return new RefTensor(shape, [.. y]);
    }
}
