using StationEdge.ModelTools.Conversion;
using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.Tests.Reference;
using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Runs a small TFLite graph both ways — the reference interpreter and the converted ONNX model — against hand-computed answers.</summary>
internal static class OpHarness
{
    public static OnnxModel Convert(byte[] tflite, bool batchDynamic = false) =>
        TfLiteToOnnxConverter.ConvertToModel(tflite, new ConvertOptions { BatchDynamic = batchDynamic });

    /// <summary>Asserts that the graph, fed <paramref name="input"/>, gives <paramref name="expected"/> on its single output.</summary>
    public static void AssertGives(byte[] tflite, float[] input, double[] expected, double tolerance = 1e-5)
    {
        var model = TfLiteModelReader.Read(tflite);
        var inputShape = model.Main.Tensors[model.Main.Inputs[0]].Shape;
        var reference = new TfLiteReferenceInterpreter(model).Run(RefTensor.FromFloats(inputShape, input))[0];
        AssertClose(expected, reference.Data, tolerance, "reference interpreter");

        using var session = Ort.Session(OnnxModelWriter.Write(Convert(tflite)));
        var onnx = Ort.Run(session, input, inputShape.Select(d => (long)d).ToArray())[0];
        AssertClose(expected, onnx.Select(v => (double)v).ToArray(), tolerance, "converted ONNX model in ONNX Runtime");
    }

    public static void AssertClose(double[] expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Count, $"{what}: {actual.Count} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                $"{what}: value {i} is {actual[i]}, expected {expected[i]} (all: [{string.Join(", ", actual)}])");
        }
    }

    public static long[] Ints(OnnxNode node, string attribute) =>
        node.Attribute(attribute)?.IntsValue ?? throw new Xunit.Sdk.XunitException($"{node.OpType} has no ints attribute {attribute}");

    public static OnnxNode Single(OnnxModel model, string opType) => Assert.Single(model.Graph.Nodes, n => n.OpType == opType);

    public static OnnxTensor Initializer(OnnxModel model, string name) => Assert.Single(model.Graph.Initializers, t => t.Name == name);

    public static float[] Sequence(int count, float start = 1) => Enumerable.Range(0, count).Select(i => start + i).ToArray();
}
