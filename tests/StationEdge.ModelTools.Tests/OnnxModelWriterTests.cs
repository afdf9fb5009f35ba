using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.Tests.Support;

namespace StationEdge.ModelTools.Tests;

public class OnnxModelWriterTests
{
    private static OnnxModel Tiny() => new(
        8,
        "station-models",
        [new OnnxOpsetImport("", 13)],
        new OnnxGraph(
            "main",
            [new OnnxNode("LeakyRelu", "y", ["x"], ["y"], [OnnxAttribute.Float("alpha", 0.25f), OnnxAttribute.Ints("axes", 1, -1)])],
            [OnnxTensor.FromInt64s("shape", [2], [-1, 300])],
            [new OnnxValueInfo("x", OnnxDataType.Float, [OnnxDim.Symbol("N"), OnnxDim.Fixed(300)])],
            [new OnnxValueInfo("y", OnnxDataType.Float, [OnnxDim.Symbol("N"), OnnxDim.Fixed(300)])]),
        [new("source", "abc")]);

    [Fact]
    public void Write_Model_PutsOnnxProtoFieldNumbersOnTheWire()
    {
        var fields = ProtoReader.Parse(OnnxModelWriter.Write(Tiny()));

        Assert.Equal([1, 2, 7, 8, 14], fields.Select(f => f.Number));
        Assert.Equal(8UL, fields[0].Varint);
        Assert.Equal("station-models", fields[1].Text);
        var opset = fields[3].Message;
        Assert.Equal(13UL, Assert.Single(opset).Varint);
        Assert.Equal(2, opset[0].Number);
        Assert.Equal(["source", "abc"], fields[4].Message.Select(f => f.Text));
    }

    [Fact]
    public void Write_Graph_EncodesNodeAttributesInitializerAndSymbolicDims()
    {
        var graph = ProtoReader.Parse(OnnxModelWriter.Write(Tiny()))[2].Message;

        Assert.Equal([1, 2, 5, 11, 12], graph.Select(f => f.Number));
        var node = graph[0].Message;
        Assert.Equal(["x", "y", "y", "LeakyRelu"], node.Where(f => f.Number <= 4).Select(f => f.Text));
        var alpha = node.Where(f => f.Number == 5).First().Message;
        Assert.Equal("alpha", alpha[0].Text);
        Assert.Equal(0.25f, BitConverter.ToSingle(alpha[1].Bytes));
        Assert.Equal((5, 1UL), (alpha[1].WireType, alpha[2].Varint));
        var axes = node.Where(f => f.Number == 5).Last().Message;
        Assert.Equal([1UL, ulong.MaxValue], axes.Where(f => f.Number == 8).Select(f => f.Varint));

        var initializer = graph[2].Message;
        Assert.Equal([2UL], initializer.Where(f => f.Number == 1).Select(f => f.Varint));
        Assert.Equal(7UL, initializer.Single(f => f.Number == 2).Varint);
        Assert.Equal([-1L, 300L], OnnxTensor.FromInt64s("s", [2], [-1, 300]).ToInt64s());
        Assert.Equal(16, initializer.Single(f => f.Number == 9).Bytes.Length);

        var input = graph[3].Message;
        var dims = input[1].Message[0].Message.Single(f => f.Number == 2).Message;
        Assert.Equal("N", dims[0].Message.Single().Text);
        Assert.Equal(300UL, dims[1].Message.Single().Varint);
    }

    [Fact]
    public void Write_SameModelTwice_GivesIdenticalBytes()
    {
        Assert.Equal(OnnxModelWriter.Write(Tiny()), OnnxModelWriter.Write(Tiny()));
    }
}
