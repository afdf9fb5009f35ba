using StationEdge.ModelTools.Conversion;
using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.Tests.Support;
using StationEdge.ModelTools.TfLite;
using static StationEdge.ModelTools.Tests.Support.OpHarness;
using Op = StationEdge.ModelTools.TfLite.TfLiteBuiltinOperator;

namespace StationEdge.ModelTools.Tests;

/// <summary>One TFLite op at a time, on graphs small enough to work out the answer by hand.</summary>
public class ConverterOpTests
{
    private static readonly float[] Ones9 = Enumerable.Repeat(1f, 9).ToArray();

    /// <summary>A 1×1 convolution that copies its input: it puts the graph into NCHW, as real models are after their first conv.</summary>
    private static int IdentityConv(TfLiteModelBuilder b, int x, int[] shape)
    {
        int c = shape[3];
        var w = new float[c * c];
        for (int i = 0; i < c; i++)
        {
            w[(i * c) + i] = 1;
        }

        int y = b.Activation("copy", shape);
        b.Op(Op.CONV_2D, [x, b.Const("copy_w", [c, 1, 1, c], w)], [y], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1));
        return y;
    }

    [Fact]
    public void Conv2D_SameStride2OnEvenSize_PadsNothingBeforeOneAfter()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4, 4, 1);
        int y = b.Output("y", 1, 2, 2, 1);
        b.Op(Op.CONV_2D, [x, b.Const("w", [1, 3, 3, 1], Ones9), b.Const("bias", [1], 0.5f)], [y], TfLiteModelBuilder.Conv2D(TfLitePadding.SAME, 2));
        var tflite = b.Build();

        var conv = Single(Convert(tflite), "Conv");

        Assert.Equal([0L, 0, 1, 1], Ints(conv, "pads"));
        Assert.Equal([2L, 2], Ints(conv, "strides"));

        // Windows start at rows/cols 0 and 2; the second one runs into the single padded row/col at the end.
        AssertGives(tflite, Sequence(16), [54.5, 45.5, 72.5, 54.5]);
    }

    [Fact]
    public void Conv2D_Valid_HasNoPadsAndShrinksTheImage()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4, 4, 1);
        int y = b.Output("y", 1, 2, 2, 1);
        b.Op(Op.CONV_2D, [x, b.Const("w", [1, 3, 3, 1], Ones9)], [y], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1));
        var tflite = b.Build();

        var conv = Single(Convert(tflite), "Conv");

        Assert.Equal([0L, 0, 0, 0], Ints(conv, "pads"));
        Assert.Equal(2, conv.Inputs.Count);
        AssertGives(tflite, Sequence(16), [54, 63, 90, 99]);
    }

    [Fact]
    public void Conv2D_OhwiWeights_BecomeOihwAndKeepChannelsApart()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 2, 2, 2);
        int y = b.Output("y", 1, 2, 2, 2);
        b.Op(Op.CONV_2D, [x, b.Const("w", [2, 1, 1, 2], 1, 10, 100, 1000)], [y], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1));
        var tflite = b.Build();

        var model = Convert(tflite);

        var weights = Initializer(model, Single(model, "Conv").Inputs[1]);
        Assert.Equal([2L, 2, 1, 1], weights.Dims);
        Assert.Equal([1f, 10, 100, 1000], weights.ToFloats());
        AssertGives(tflite, Sequence(8), [21, 2100, 43, 4300, 65, 6500, 87, 8700]);
    }

    [Fact]
    public void Conv2D_FusedRelu6_AddsAClipAfterTheConv()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 1, 3, 1);
        int y = b.Output("y", 1, 1, 3, 1);
        b.Op(Op.CONV_2D, [x, b.Const("w", [1, 1, 1, 1], 2f)], [y], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1, TfLiteActivation.RELU6));
        var tflite = b.Build();

        var model = Convert(tflite);

        var clip = Single(model, "Clip");
        Assert.Equal(Single(model, "Conv").Outputs[0], clip.Inputs[0]);
        Assert.Equal([0f], Initializer(model, clip.Inputs[1]).ToFloats());
        Assert.Equal([6f], Initializer(model, clip.Inputs[2]).ToFloats());
        AssertGives(tflite, [-1, 2, 5], [0, 4, 6]);
    }

    [Fact]
    public void DepthwiseConv2D_BecomesGroupedConvWithOneGroupPerChannel()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 3, 3, 2);
        int y = b.Output("y", 1, 1, 1, 4);

        // Multiplier 2: outputs 0,1 read channel 0, outputs 2,3 read channel 1; output 3 keeps only the centre tap.
        var w = Enumerable.Range(0, 9).SelectMany(q => new float[] { 1, 2, 1, q == 4 ? 1 : 0 }).ToArray();
        b.Op(Op.DEPTHWISE_CONV_2D, [x, b.Const("w", [1, 3, 3, 4], w), b.Const("bias", [4], 0.5f, 0, 0, 0)], [y],
            TfLiteModelBuilder.DepthwiseConv2D(TfLitePadding.VALID, 1, 2));
        var tflite = b.Build();

        var model = Convert(tflite);

        var conv = Single(model, "Conv");
        Assert.Equal(2, conv.Attribute("group")!.IntValue);
        Assert.Equal([4L, 1, 3, 3], Initializer(model, conv.Inputs[1]).Dims);
        var input = Enumerable.Range(0, 9).SelectMany(p => new float[] { 1, p + 1 }).ToArray();
        AssertGives(tflite, input, [9.5, 18, 45, 5]);
    }

    [Fact]
    public void DecomposedPRelu_StaysDecomposedWithPerChannelSlopeAsCx1x1()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 1, 2, 2);
        int conv = IdentityConv(b, x, [1, 1, 2, 2]);
        int relu = b.Activation("relu", 1, 1, 2, 2);
        int abs = b.Activation("abs", 1, 1, 2, 2);
        int sub = b.Activation("sub", 1, 1, 2, 2);
        int mul = b.Activation("mul", 1, 1, 2, 2);
        int y = b.Output("y", 1, 1, 2, 2);
        b.Op(Op.RELU, [conv], [relu])
            .Op(Op.ABS, [conv], [abs])
            .Op(Op.SUB, [conv, abs], [sub], TfLiteModelBuilder.Sub())
            .Op(Op.MUL, [b.Const("slope", [2], 0.25f, 0.125f), sub], [mul], TfLiteModelBuilder.Mul())
            .Op(Op.ADD, [relu, mul], [y], TfLiteModelBuilder.Add());
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType == "PRelu");
        var slope = Initializer(model, Single(model, "Mul").Inputs[0]);
        Assert.Equal([2L, 1, 1], slope.Dims);
        Assert.Equal([0.25f, 0.125f], slope.ToFloats());

        // Only the way in and the way out change layout; the whole chain runs in NCHW.
        Assert.Equal(2, model.Graph.Nodes.Count(n => n.OpType == "Transpose"));

        // relu(x) + c·(x − |x|): negatives scale by 2c, positives pass.
        AssertGives(tflite, [-2, 3, 4, -8], [-1, 3, 4, -2]);
    }

    [Theory]
    [InlineData(Op.ADD, TfLiteActivation.NONE, new double[] { -1, 1, 3, 9 })]
    [InlineData(Op.ADD, TfLiteActivation.RELU6, new double[] { 0, 1, 3, 6 })]
    [InlineData(Op.SUB, TfLiteActivation.NONE, new double[] { -3, -3, -1, 5 })]
    [InlineData(Op.SUB, TfLiteActivation.RELU, new double[] { 0, 0, 0, 5 })]
    [InlineData(Op.MUL, TfLiteActivation.NONE, new double[] { -2, -2, 2, 14 })]
    public void Binary_BroadcastConstantWithFusedActivation_MatchesHandResult(Op code, TfLiteActivation activation, double[] expected)
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        var options = code switch
        {
            Op.ADD => TfLiteModelBuilder.Add(activation),
            Op.SUB => TfLiteModelBuilder.Sub(activation),
            _ => TfLiteModelBuilder.Mul(activation),
        };
        b.Op(code, [x, b.Const("c", [4], 1, 2, 2, 2)], [y], options);
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.Equal(activation == TfLiteActivation.NONE ? 1 : 2, model.Graph.Nodes.Count);
        AssertGives(tflite, [-2, -1, 1, 7], expected);
    }

    [Fact]
    public void AbsAndRelu_OnEachElement()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 3);
        int a = b.Activation("abs", 1, 3);
        int y = b.Output("y", 1, 3);
        b.Op(Op.ABS, [x], [a]).Op(Op.RELU, [x], [y]);
        var tflite = b.Build();

        Assert.Equal(["Relu"], Convert(tflite).Graph.Nodes.Where(n => n.Outputs[0] == "y").Select(n => n.OpType));
        AssertGives(tflite, [-1.5f, 0, 2], [0, 0, 2]);
    }

    [Fact]
    public void Reshape_FlattenAfterConv_TransposesBackToNhwcOrder()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 2, 2, 3);
        int conv = IdentityConv(b, x, [1, 2, 2, 3]);
        int y = b.Output("y", 1, 12);
        b.Op(Op.RESHAPE, [conv, b.ConstInt32("shape", [2], 1, 12)], [y], TfLiteModelBuilder.Reshape(1, 12));
        var tflite = b.Build();

        var model = Convert(tflite);

        var reshape = Single(model, "Reshape");
        var source = Assert.Single(model.Graph.Nodes, n => n.Outputs[0] == reshape.Inputs[0]);
        Assert.Equal("Transpose", source.OpType);
        Assert.Equal([0L, 2, 3, 1], Ints(source, "perm"));
        Assert.Equal([-1L, 12], Initializer(model, reshape.Inputs[1]).ToInt64s());
        AssertGives(tflite, Sequence(12), Sequence(12).Select(v => (double)v).ToArray());
    }

    [Fact]
    public void Reshape_FlattenOf1x1Spatial_ReadsTheConvOutputDirectly()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 2, 1, 1, 3);
        int conv = IdentityConv(b, x, [2, 1, 1, 3]);
        int y = b.Output("y", 2, 3);
        b.Op(Op.RESHAPE, [conv, b.ConstInt32("shape", [2], 2, 3)], [y], TfLiteModelBuilder.Reshape(2, 3));
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.Equal(Single(model, "Conv").Outputs[0], Single(model, "Reshape").Inputs[0]);
        Assert.Single(model.Graph.Nodes, n => n.OpType == "Transpose");
        AssertGives(tflite, Sequence(6), [1, 2, 3, 4, 5, 6]);
    }

    [Fact]
    public void FullyConnected_On4DInput_FlattensInNhwcOrderThenGemm()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 2, 1, 2);
        int conv = IdentityConv(b, x, [1, 2, 1, 2]);
        int y = b.Output("y", 1, 1);
        b.Op(Op.FULLY_CONNECTED, [conv, b.Const("w", [1, 4], 1, 10, 100, 1000), b.Const("bias", [1], 0.5f)], [y], TfLiteModelBuilder.FullyConnected());
        var tflite = b.Build();

        var model = Convert(tflite);

        var gemm = Single(model, "Gemm");
        Assert.Equal(1, gemm.Attribute("transB")!.IntValue);
        Assert.Equal(3, gemm.Inputs.Count);
        Assert.Equal([-1L, 4], Initializer(model, Single(model, "Reshape").Inputs[1]).ToInt64s());
        AssertGives(tflite, [1, 2, 3, 4], [4321.5]);
    }

    [Fact]
    public void FullyConnected_2DInputWithRelu_NoBias()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 3);
        int y = b.Output("y", 1, 2);
        b.Op(Op.FULLY_CONNECTED, [x, b.Const("w", [2, 3], 1, 1, 1, -1, 0, 0), -1], [y], TfLiteModelBuilder.FullyConnected(TfLiteActivation.RELU));
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.Equal(2, Single(model, "Gemm").Inputs.Count);
        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType == "Reshape");
        AssertGives(tflite, [1, -2, 3], [2, 0]);
    }

    [Theory]
    [InlineData(Op.MAX_POOL_2D, "MaxPool", new double[] { 11, 12, 15, 16 })]
    [InlineData(Op.AVERAGE_POOL_2D, "AveragePool", new double[] { 6, 7.5, 12, 13.5 })]
    public void Pool_SameStride2_PadsAfterAndAveragesOnlyRealCells(Op code, string onnxOp, double[] expected)
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4, 4, 1);
        int y = b.Output("y", 1, 2, 2, 1);
        b.Op(code, [x], [y], TfLiteModelBuilder.Pool2D(TfLitePadding.SAME, 2, 3));
        var tflite = b.Build();

        var pool = Single(Convert(tflite), onnxOp);

        Assert.Equal([0L, 0, 1, 1], Ints(pool, "pads"));
        Assert.Equal([3L, 3], Ints(pool, "kernel_shape"));
        Assert.Null(pool.Attribute("count_include_pad"));
        AssertGives(tflite, Sequence(16), expected);
    }

    [Fact]
    public void LeakyRelu_CarriesAlpha()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(Op.LEAKY_RELU, [x], [y], TfLiteModelBuilder.LeakyRelu(0.2f));
        var tflite = b.Build();

        Assert.Equal(0.2f, Single(Convert(tflite), "LeakyRelu").Attribute("alpha")!.FloatValue);
        AssertGives(tflite, [-5, -1, 0, 5], [-1, -0.2, 0, 5]);
    }

    [Fact]
    public void Concatenation_OfChannelsInNchw_UsesAxis1()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 1, 2, 1);
        int twice = b.Activation("twice", 1, 1, 2, 1);
        int thrice = b.Activation("thrice", 1, 1, 2, 1);
        int y = b.Output("y", 1, 1, 2, 2);
        b.Op(Op.CONV_2D, [x, b.Const("w2", [1, 1, 1, 1], 2f)], [twice], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1))
            .Op(Op.CONV_2D, [x, b.Const("w3", [1, 1, 1, 1], 3f)], [thrice], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1))
            .Op(Op.CONCATENATION, [twice, thrice], [y], TfLiteModelBuilder.Concatenation(-1));
        var tflite = b.Build();

        Assert.Equal(1, Single(Convert(tflite), "Concat").Attribute("axis")!.IntValue);
        AssertGives(tflite, [1, 2], [2, 3, 4, 6]);
    }

    [Fact]
    public void Concatenation_Of2DRows_KeepsAxis()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 2);
        int y = b.Output("y", 1, 5);
        b.Op(Op.CONCATENATION, [x, b.Const("c", [1, 3], 7, 8, 9)], [y], TfLiteModelBuilder.Concatenation(1));
        var tflite = b.Build();

        Assert.Equal(1, Single(Convert(tflite), "Concat").Attribute("axis")!.IntValue);
        AssertGives(tflite, [1, 2], [1, 2, 7, 8, 9]);
    }

    [Fact]
    public void Dequantize_Fp16Weights_FoldIntoExactFloat32Initializer()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 1, 1, 1);
        int w16 = b.ConstFp16("w16", [1, 1, 1, 1], 1f / 3);
        int w = b.Activation("w", 1, 1, 1, 1);
        int y = b.Output("y", 1, 1, 1, 1);
        b.Op(Op.DEQUANTIZE, [w16], [w]).Op(Op.CONV_2D, [x, w], [y], TfLiteModelBuilder.Conv2D(TfLitePadding.VALID, 1));
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.DoesNotContain(model.Graph.Nodes, n => n.OpType is "DequantizeLinear" or "Cast");
        var weights = Initializer(model, Single(model, "Conv").Inputs[1]);
        Assert.Equal(OnnxDataType.Float, weights.DataType);
        Assert.Equal([(float)(Half)(1f / 3)], weights.ToFloats());
        Assert.Equal(0.333251953125f, weights.ToFloats()[0]);
        AssertGives(tflite, [3], [0.999755859375], tolerance: 1e-9);
    }

    [Fact]
    public void StridedSlice_FullSlice_BecomesIdentity()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(Op.STRIDED_SLICE, [x, b.ConstInt32("begin", [2], 0, 0), b.ConstInt32("end", [2], 1, 4), b.ConstInt32("strides", [2], 1, 1)], [y],
            TfLiteModelBuilder.StridedSlice(3, 3));
        var tflite = b.Build();

        Assert.Equal("Identity", Assert.Single(Convert(tflite).Graph.Nodes).OpType);
        AssertGives(tflite, [1, 2, 3, 4], [1, 2, 3, 4]);
    }

    [Fact]
    public void StridedSlice_PartialWithShrink_SlicesThenSqueezes()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 2, 4);
        int y = b.Output("y", 2);
        b.Op(Op.STRIDED_SLICE, [x, b.ConstInt32("begin", [2], 0, 1), b.ConstInt32("end", [2], 2, 2), b.ConstInt32("strides", [2], 1, 1)], [y],
            TfLiteModelBuilder.StridedSlice(1, 1, shrinkAxisMask: 2));
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.Equal(["Slice", "Squeeze"], model.Graph.Nodes.Select(n => n.OpType));
        AssertGives(tflite, Sequence(8), [2, 6]);
    }

    [Fact]
    public void CompareCastMul_BuildsAMask()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 3);
        int ge = b.Tensor("ge", [1, 3], TfLiteTensorType.BOOL);
        int lt = b.Tensor("lt", [1, 3], TfLiteTensorType.BOOL);
        int geF = b.Activation("ge_f", 1, 3);
        int ltF = b.Activation("lt_f", 1, 3);
        int y = b.Output("y", 1, 3);
        b.Op(Op.GREATER_EQUAL, [x, b.Const("zero", [], 0f)], [ge])
            .Op(Op.LESS, [x, b.Const("two", [], 2f)], [lt])
            .Op(Op.CAST, [ge], [geF], TfLiteModelBuilder.Cast())
            .Op(Op.CAST, [lt], [ltF], TfLiteModelBuilder.Cast())
            .Op(Op.MUL, [geF, ltF], [y], TfLiteModelBuilder.Mul());
        var tflite = b.Build();

        var model = Convert(tflite);

        Assert.Equal(["GreaterOrEqual", "Less", "Cast", "Cast", "Mul"], model.Graph.Nodes.Select(n => n.OpType));
        Assert.All(model.Graph.Nodes.Where(n => n.OpType == "Cast"), n => Assert.Equal((long)OnnxDataType.Float, n.Attribute("to")!.IntValue));
        AssertGives(tflite, [-1, 0, 3], [0, 1, 0]);
    }

    [Fact]
    public void UnsupportedOperator_NamesOpcodeAndIndex()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int r = b.Activation("r", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(Op.RELU, [x], [r]).Op(Op.SOFTMAX, [r], [y]);

        var e = Assert.Throws<ConversionException>(() => Convert(b.Build()));

        Assert.Equal("TFLite operator 1 (SOFTMAX) is not supported by the converter", e.Message);
    }

    [Fact]
    public void UnsupportedOperatorAbove127_NamesTheExtendedOpcode()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(Op.GELU, [x], [y]);

        var e = Assert.Throws<ConversionException>(() => Convert(b.Build()));

        Assert.Contains("(GELU)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void QuantizedActivations_AreRefusedNamingTheTensor()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Tensor("x_q", [1, 4], TfLiteTensorType.UINT8);
        int y = b.Output("y", 1, 4);
        b.Op(Op.DEQUANTIZE, [x], [y]);

        var e = Assert.Throws<ConversionException>(() => Convert(b.Build()));

        Assert.Equal("TFLite operator 0 (DEQUANTIZE) works on UINT8 tensor 'x_q'; quantized models are not supported", e.Message);
    }

    [Fact]
    public void BatchDynamic_MakesFirstDimensionSymbolic()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 2, 1, 1, 3);
        int y = b.Output("y", 2, 3);
        b.Op(Op.RESHAPE, [x, b.ConstInt32("shape", [2], 2, 3)], [y], TfLiteModelBuilder.Reshape(2, 3));

        var graph = Convert(b.Build(), batchDynamic: true).Graph;

        Assert.Equal(["N", "1", "1", "3"], graph.Inputs[0].Shape.Select(d => d.ToString()));
        Assert.Equal(["N", "3"], graph.Outputs[0].Shape.Select(d => d.ToString()));
    }

    [Fact]
    public void BatchDynamic_ReshapeThatMixesTheBatch_IsRefused()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 2, 3);
        int y = b.Output("y", 6);
        b.Op(Op.RESHAPE, [x, b.ConstInt32("shape", [1], 6)], [y], TfLiteModelBuilder.Reshape(6));

        var e = Assert.Throws<ConversionException>(() => Convert(b.Build(), batchDynamic: true));

        Assert.Contains("TFLite operator 0 (RESHAPE)", e.Message, StringComparison.Ordinal);
    }
}
