using StationEdge.Vision.Onnx;
using StationEdge.Vision.Recognition;

namespace StationEdge.Vision.Tests.Onnx;

public sealed class InferenceSessionTests
{
    private static readonly float[] Bias = [1f, -2f, 3f, -4f];

    public InferenceSessionTests() => OnnxTestModels.LoadRuntime();

    private static SessionOptions OneThread => new() { IntraOpNumThreads = 1 };

    [Fact]
    public void BlazeFace_DeclaresItsInputAndFourOutputs()
    {
        using var session = new InferenceSession(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile), OneThread);

        Assert.Equal(["input:0"], session.InputNames);
        Assert.Equal(TensorElementType.Float, session.InputMetadata["input:0"].ElementType);
        Assert.Equal([1L, 128, 128, 3], session.InputMetadata["input:0"].Dimensions);

        Assert.Equal(["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"], session.OutputNames.Order());
        Assert.Equal([1L, 512, 1], session.OutputMetadata["Identity:0"].Dimensions);
        Assert.Equal([1L, 384, 1], session.OutputMetadata["Identity_1:0"].Dimensions);
        Assert.Equal([1L, 512, 16], session.OutputMetadata["Identity_2:0"].Dimensions);
        Assert.Equal([1L, 384, 16], session.OutputMetadata["Identity_3:0"].Dimensions);
        Assert.All(session.OutputMetadata.Values, meta => Assert.Equal(TensorElementType.Float, meta.ElementType));
    }

    [Fact]
    public void BlazeFace_OnAZeroImage_GivesFiniteOutputsOfTheDeclaredSizes()
    {
        using var session = new InferenceSession(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile), OneThread);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[128 * 128 * 3], [1, 128, 128, 3]);

        using var outputs = session.Run(["input:0"], [input], session.OutputNames);

        Assert.Equal(session.OutputNames.Count, outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var declared = session.OutputMetadata[session.OutputNames[i]].Dimensions;
            Assert.Equal(declared, outputs[i].Shape);
            Assert.Equal(TensorElementType.Float, outputs[i].ElementType);
            var data = outputs[i].GetTensorDataAsSpan();
            Assert.Equal(declared.Aggregate(1L, (a, b) => a * b), data.Length);
            foreach (var x in data)
            {
                Assert.True(float.IsFinite(x), $"{session.OutputNames[i]} holds {x}");
            }
        }
    }

    [Fact]
    public void BlazeFace_IntoPreallocatedOutputs_MatchesOrtAllocatedOutputs()
    {
        using var session = new InferenceSession(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile), OneThread);
        var pixels = new float[128 * 128 * 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (i % 255 / 127.5f) - 1f;
        }

        using var input = OrtValue.CreateTensorValueFromMemory(pixels, [1, 128, 128, 3]);
        var scoreBuffer = new float[512];
        var boxBuffer = new float[512 * 16];
        using var scores = OrtValue.CreateTensorValueFromMemory(scoreBuffer, [1, 512, 1]);
        using var boxes = OrtValue.CreateTensorValueFromMemory(boxBuffer, [1, 512, 16]);

        session.Run(["input:0"], [input], ["Identity:0", "Identity_2:0"], [scores, boxes]);
        using var expected = session.Run(["input:0"], [input], ["Identity:0", "Identity_2:0"]);

        Assert.Equal(expected[0].GetTensorDataAsSpan().ToArray(), scoreBuffer);
        Assert.Equal(expected[1].GetTensorDataAsSpan().ToArray(), boxBuffer);
        Assert.Contains(scoreBuffer, x => x != 0f);
    }

    [Fact]
    public void HandWrittenAddRelu_ComputesReluOfInputPlusBias()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), OneThread);
        float[] x = [0.5f, 0.5f, -5f, 10f, -1f, 3f, 0f, -0.25f];

        var y = session.RunSingle("X", x, [2, 4], "Y");

        // Row 1: relu(1.5, -1.5, -2, 6); row 2: relu(0, 1, 3, -4.25).
        Assert.Equal([1.5f, 0f, 0f, 6f, 0f, 1f, 3f, 0f], y);
    }

    [Fact]
    public void HandWrittenAddRelu_ReportsTheDynamicBatchAsMinusOne()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));

        Assert.Equal(["X"], session.InputNames);
        Assert.Equal(["Y"], session.OutputNames);
        Assert.Equal(TensorElementType.Float, session.InputMetadata["X"].ElementType);
        Assert.Equal([-1L, 4], session.InputMetadata["X"].Dimensions);
        Assert.Equal([-1L, 4], session.OutputMetadata["Y"].Dimensions);
    }

    [Theory]
    [InlineData(GraphOptimizationLevel.DisableAll)]
    [InlineData(GraphOptimizationLevel.Basic)]
    [InlineData(GraphOptimizationLevel.Extended)]
    [InlineData(GraphOptimizationLevel.All)]
    public void HandWrittenAddRelu_GivesTheSameNumbersAtEveryOptimizationLevel(GraphOptimizationLevel level)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = level, IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), options);

        Assert.Equal([0f, 0f, 5f, 0f], session.RunSingle("X", [-1f, 1f, 2f, 3f], [1, 4], "Y"));
    }

    [Fact]
    public void SessionConfigEntry_ReachesOrt()
    {
        // Asking ORT to read the ORT flatbuffer format makes a plain ONNX model unloadable: proof the entry was applied.
        using var options = new SessionOptions();
        options.AddSessionConfigEntry("session.load_model_format", "ORT");

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(TinyOnnxModel.AddRelu(Bias), options));

        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
    }

    [Fact]
    public void Load_OfGarbageBytes_FailsWithOrtsMessage()
    {
        var garbage = Enumerable.Range(0, 1000).Select(i => (byte)((i * 7919) >> 3)).ToArray();

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(garbage));

        Assert.Equal(OrtErrorCode.InvalidProtobuf, error.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
        Assert.Equal($"cannot load ONNX model from 1000 bytes: {error.NativeMessage}", error.Message);
    }

    [Fact]
    public void Load_OfAMissingFile_NamesTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.onnx");

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(missing));

        Assert.Equal(OrtErrorCode.NoSuchFile, error.ErrorCode);
        Assert.StartsWith($"cannot load ONNX model {missing}: ", error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
    }

    [Fact]
    public void Load_OfAGarbageFile_NamesTheFileAndGivesOrtsMessage()
    {
        var garbage = Path.Combine(Path.GetTempPath(), $"garbage-{Guid.NewGuid():N}.onnx");
        File.WriteAllText(garbage, "this is not an ONNX model");
        try
        {
            var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(garbage));

            Assert.Equal($"cannot load ONNX model {garbage}: {error.NativeMessage}", error.Message);
            Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public void Run_WithAnUnknownInputName_FailsWithOrtsMessageNamingIt()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[4], [1, 4]);

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["no_such_input"], [input], ["Y"]));

        Assert.Contains("no_such_input", error.NativeMessage, StringComparison.Ordinal);
        Assert.EndsWith("(model inputs: X)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithAnUnknownOutputName_ListsTheModelsOutputs()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[4], [1, 4]);

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["X"], [input], ["Z"]));

        Assert.Contains("Z", error.NativeMessage, StringComparison.Ordinal);
        Assert.EndsWith("(model outputs: Y)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithAWrongShape_FailsWithOrtsMessage()
    {
        using var session = new InferenceSession(OnnxTestModels.PathOf(FaceModels.FrontDetectorFile), OneThread);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[64 * 64 * 3], [1, 64, 64, 3]);

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["input:0"], [input], ["Identity:0"]));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.Contains("input:0", error.NativeMessage, StringComparison.Ordinal);
        Assert.Contains("Expected: 128", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Run_WithAnIntTensorForAFloatInput_FailsWithOrtsMessage()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));
        using var input = OrtValue.CreateTensorValueFromMemory(new int[4], [1, 4]);

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(["X"], [input], ["Y"]));

        Assert.Equal(OrtErrorCode.InvalidArgument, error.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(error.NativeMessage));
    }

    [Fact]
    public void Run_WithMismatchedNameAndValueCounts_IsRefusedBeforeOrt()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[4], [1, 4]);

        Assert.Throws<ArgumentException>(() => session.Run(["X", "X"], [input], ["Y"]));
    }

    [Fact]
    public void Run_FromManyThreadsAtOnce_GivesTheSameResultAsAlone()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), OneThread);
        float[] x = [-3f, 4f, -1f, 5f];
        var alone = session.RunSingle("X", x, [1, 4], "Y");

        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (var n = 0; n < 200; n++)
            {
                results[i] = session.RunSingle("X", x, [1, 4], "Y");
            }
        });

        Assert.All(results, result => Assert.Equal(alone, result));
    }

    [Fact]
    public void Run_AfterDispose_ThrowsObjectDisposed()
    {
        var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));
        using var input = OrtValue.CreateTensorValueFromMemory(new float[4], [1, 4]);
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run(["X"], [input], ["Y"]));
    }
}
