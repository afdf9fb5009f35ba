using System.Security.Cryptography;
using StationEdge.ModelTools.Conversion;
using StationEdge.ModelTools.Onnx;
using StationEdge.ModelTools.Tests.Reference;
using StationEdge.ModelTools.Tests.Support;
using StationEdge.ModelTools.TfLite;
using Xunit.Abstractions;

namespace StationEdge.ModelTools.Tests;

/// <summary>The two models the product converts, checked against the double-precision reference interpreter.</summary>
public class RealModelConversionTests(ITestOutputHelper output)
{
    private static readonly ConvertOptions Dynamic = new() { BatchDynamic = true };

    private static byte[] MobileFaceNet => File.ReadAllBytes(RepoPaths.Model("mobilefacenet.tflite"));

    private static byte[] AntiSpoof => File.ReadAllBytes(RepoPaths.Model("antispoof.tflite"));

    [Fact]
    public void MobileFaceNet_Converted_HasNhwcInputDynamicBatchAndUnfusedPRelu()
    {
        var model = TfLiteToOnnxConverter.ConvertToModel(MobileFaceNet, Dynamic);

        var graph = model.Graph;
        Assert.Equal((8L, "station-models", 13L), (model.IrVersion, model.ProducerName, Assert.Single(model.OpsetImports).Version));
        var input = Assert.Single(graph.Inputs);
        var output = Assert.Single(graph.Outputs);
        Assert.Equal(("input", "N,112,112,3"), (input.Name, string.Join(',', input.Shape)));
        Assert.Equal(("embeddings", "N,192"), (output.Name, string.Join(',', output.Shape)));
        Assert.DoesNotContain(graph.Nodes, n => n.OpType == "PRelu");

        // One transpose into NCHW at the start; the 1×1 output reshapes without coming back.
        var transpose = Assert.Single(graph.Nodes, n => n.OpType == "Transpose");
        Assert.Equal("input", transpose.Inputs[0]);
        var reshape = Assert.Single(graph.Nodes, n => n.OpType == "Reshape");
        Assert.Equal([-1L, 192], graph.Initializers.Single(t => t.Name == reshape.Inputs[1]).ToInt64s());
        Assert.Equal(
            ["Abs", "Add", "Conv", "Mul", "Relu", "Reshape", "Sub", "Transpose"],
            graph.Nodes.Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(52, graph.Nodes.Count(n => n.OpType == "Conv"));
        Assert.Equal(
            System.Convert.ToHexStringLower(SHA256.HashData(MobileFaceNet)),
            model.Metadata.Single(m => m.Key == TfLiteToOnnxConverter.SourceSha256Key).Value);
    }

    [Fact]
    public void AntiSpoof_Converted_HasTwoNamedOutputsAndNoDequantizeNodes()
    {
        var graph = TfLiteToOnnxConverter.ConvertToModel(AntiSpoof, ConvertOptions.Default).Graph;

        Assert.Equal("input:1,256,256,3", $"{graph.Inputs[0].Name}:{string.Join(',', graph.Inputs[0].Shape)}");
        Assert.Equal(["Identity:1,8", "Identity_1:1,8"], graph.Outputs.Select(o => $"{o.Name}:{string.Join(',', o.Shape)}"));
        Assert.Equal(
            ["Add", "AveragePool", "Cast", "Concat", "Conv", "Gemm", "GreaterOrEqual", "Identity", "LeakyRelu", "Less", "MaxPool", "Mul", "Reshape", "Sub", "Transpose"],
            graph.Nodes.Select(n => n.OpType).Distinct().Order(StringComparer.Ordinal));
        Assert.All(graph.Initializers, t => Assert.NotEqual(OnnxDataType.Float16, t.DataType));
    }

    [Fact]
    public void Convert_Twice_GivesIdenticalBytes()
    {
        Assert.Equal(TfLiteToOnnxConverter.Convert(MobileFaceNet, Dynamic), TfLiteToOnnxConverter.Convert(MobileFaceNet, Dynamic));
        Assert.Equal(TfLiteToOnnxConverter.Convert(AntiSpoof, ConvertOptions.Default), TfLiteToOnnxConverter.Convert(AntiSpoof, ConvertOptions.Default));
    }

    [FacesDevFact]
    public async Task MobileFaceNet_OnRealFaces_AgreesWithReferenceInterpreter()
    {
        var tflite = MobileFaceNet;
        var reference = new TfLiteReferenceInterpreter(TfLiteModelReader.Read(tflite));
        using var session = Ort.Session(TfLiteToOnnxConverter.Convert(tflite, Dynamic));
        string[][] pairs = [["img1.jpg", "img2.jpg"], ["img3.jpg", "couple.jpg"]];
        foreach (var pair in pairs)
        {
            var batch = await FaceImages.BatchAsync(pair.Select(f => FacesDev.Photo(f)), 112);

            var expected = reference.Run(RefTensor.FromFloats([2, 112, 112, 3], batch))[0].Data;
            var actual = Ort.Run(session, batch, [2, 112, 112, 3])[0];

            for (int face = 0; face < 2; face++)
            {
                AssertAgree(expected.AsSpan(face * 192, 192), actual.AsSpan(face * 192, 192), 1e-4, $"{pair[face]} in a batch of 2");
            }

            // The same face alone, batch 1: the dynamic batch gives the same embedding.
            var single = Ort.Run(session, batch[..(112 * 112 * 3)], [1, 112, 112, 3])[0];
            AssertAgree(expected.AsSpan(0, 192), single, 1e-4, $"{pair[0]} alone");
        }
    }

    [FacesDevFact]
    public async Task AntiSpoof_OnRealFaces_AgreesWithReferenceInterpreter()
    {
        var tflite = AntiSpoof;
        var reference = new TfLiteReferenceInterpreter(TfLiteModelReader.Read(tflite));
        using var session = Ort.Session(TfLiteToOnnxConverter.Convert(tflite, ConvertOptions.Default));
        foreach (string photo in new[] { "img1.jpg", "img5.jpg" })
        {
            var input = FaceImages.Normalise(await FaceImages.DecodeRgbAsync(FacesDev.Photo(photo), 256));

            var expected = reference.Run(RefTensor.FromFloats([1, 256, 256, 3], input));
            var actual = Ort.Run(session, input, [1, 256, 256, 3]);

            AssertAgree(expected[0].Data, actual[0], 1e-4, $"{photo} class predictions");
            Assert.Equal(expected[1].Data, actual[1].Select(v => (double)v));
        }
    }

    /// <summary>max |a − b| / max |b| below <paramref name="tolerance"/> and cosine above 0.99999.</summary>
    private void AssertAgree(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double maxDiff = 0, maxRef = 0, dot = 0, ee = 0, aa = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(expected[i] - actual[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
            dot += expected[i] * actual[i];
            ee += expected[i] * expected[i];
            aa += (double)actual[i] * actual[i];
        }

        double relative = maxDiff / maxRef;
        double cosine = dot / Math.Sqrt(ee * aa);
        output.WriteLine($"{what}: max|Δ|/max|ref| = {relative:E2}, cosine = {cosine:F10}");
        Assert.True(maxRef > 0, $"{what}: the reference output is all zeros");
        Assert.True(relative < tolerance && cosine > 0.99999, $"{what}: max|Δ|/max|ref| = {relative:E2}, cosine = {cosine:F8}");
    }
}
