using StationEdge.ModelTools.Tests.Support;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Tests;

public class TfLiteModelReaderTests
{
    [Fact]
    public void Read_MobileFaceNet_FindsGraphInputOutputAndOperators()
    {
        var model = TfLiteModelReader.Read(File.ReadAllBytes(RepoPaths.Model("mobilefacenet.tflite")));

        var graph = model.Main;
        var input = graph.Tensors[Assert.Single(graph.Inputs)];
        var output = graph.Tensors[Assert.Single(graph.Outputs)];
        Assert.Equal("input", input.Name);
        Assert.Equal([2, 112, 112, 3], input.Shape);
        Assert.Equal("embeddings", output.Name);
        Assert.Equal([2, 192], output.Shape);
        var ops = graph.Operators.Select(model.OperatorOf).Distinct().Order().ToArray();
        Assert.Equal(
            [TfLiteBuiltinOperator.ADD, TfLiteBuiltinOperator.CONV_2D, TfLiteBuiltinOperator.DEPTHWISE_CONV_2D, TfLiteBuiltinOperator.MUL,
             TfLiteBuiltinOperator.RELU, TfLiteBuiltinOperator.RESHAPE, TfLiteBuiltinOperator.SUB, TfLiteBuiltinOperator.ABS],
            ops);
        var firstConv = graph.Operators[0];
        Assert.Equal(TfLiteBuiltinOperator.CONV_2D, model.OperatorOf(firstConv));
        Assert.Equal(new Conv2DOptions(TfLitePadding.SAME, 2, 2, TfLiteActivation.NONE, 1, 1), firstConv.Options);
        Assert.Equal([64, 3, 3, 3], graph.Tensors[firstConv.Inputs[1]].Shape);
        Assert.Equal(64 * 3 * 3 * 3 * 4, model.DataOf(graph.Tensors[firstConv.Inputs[1]]).Length);
    }

    [Fact]
    public void Read_AntiSpoof_DecodesOptionsOfEveryKind()
    {
        var model = TfLiteModelReader.Read(File.ReadAllBytes(RepoPaths.Model("antispoof.tflite")));

        var options = model.Main.Operators.Select(o => o.Options).OfType<TfLiteOptions>().ToArray();
        Assert.Contains(new LeakyReluOptions(0.2f), options);
        Assert.Contains(new Pool2DOptions(TfLitePadding.SAME, 2, 2, 3, 3, TfLiteActivation.NONE), options);
        Assert.Contains(new ConcatenationOptions(1, TfLiteActivation.NONE), options);
        Assert.Contains(new CastOptions(TfLiteTensorType.BOOL, TfLiteTensorType.FLOAT32), options);
        Assert.Contains(options, o => o is StridedSliceOptions { BeginMask: 3, EndMask: 3 });
        Assert.Contains(options, o => o is ReshapeOptions { NewShape: [-1, 2048] });
        Assert.Equal(["Identity", "Identity_1"], model.Main.Outputs.Select(o => model.Main.Tensors[o].Name));
    }

    [Fact]
    public void Read_OperatorCodeAbove127_TakesExtendedBuiltinCode()
    {
        var b = new TfLiteModelBuilder();
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(TfLiteBuiltinOperator.GELU, [x], [y]);

        var model = TfLiteModelReader.Read(b.Build());

        Assert.Equal(TfLiteBuiltinOperator.GELU, Assert.Single(model.OperatorCodes).Builtin);
    }

    [Fact]
    public void Read_FileWithOnlyDeprecatedCode_TakesTheByteCode()
    {
        var b = new TfLiteModelBuilder { WriteExtendedCodes = false };
        int x = b.Input("x", 1, 4);
        int y = b.Output("y", 1, 4);
        b.Op(TfLiteBuiltinOperator.RELU, [x], [y]);

        var model = TfLiteModelReader.Read(b.Build());

        Assert.Equal(TfLiteBuiltinOperator.RELU, Assert.Single(model.OperatorCodes).Builtin);
    }

    [Fact]
    public void Read_BytesWithoutTfl3Identifier_ThrowsNotATfLiteFile()
    {
        var e = Assert.Throws<TfLiteFormatException>(() => TfLiteModelReader.Read("this is not a flatbuffer"u8.ToArray()));

        Assert.Contains("not a TFLite file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedFile_ThrowsFormatException()
    {
        var bytes = File.ReadAllBytes(RepoPaths.Model("mobilefacenet.tflite"));

        Assert.Throws<TfLiteFormatException>(() => TfLiteModelReader.Read(bytes[..4096]));
    }
}
