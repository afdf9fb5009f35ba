using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using StationEdge.Vision.Recognition;

namespace StationEdge.Vision.Tests.Onnx;

/// <summary>
/// What the product relies on from Microsoft.ML.OnnxRuntime, on the real models: their signatures, runs into
/// pre-made outputs (the detector's per-frame path), a clear error for a wrong input, concurrent runs.
/// </summary>
public sealed class InferenceSessionTests : IDisposable
{
    private static readonly float[] Bias = [1f, -2f, 3f, -4f];

    private readonly SessionOptions _oneThread = new() { IntraOpNumThreads = 1 };
    private readonly RunOptions _run = new();

    public void Dispose()
    {
        _run.Dispose();
        _oneThread.Dispose();
    }

    [Fact]
    public void OrtEnv_IsThePinnedPackagesRuntime()
    {
        Assert.StartsWith("1.31.", OrtEnv.Instance().GetVersionString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BlazeFace_DeclaresItsInputAndFourOutputs()
    {
        using var session = new InferenceSession(OnnxTestModels.Bytes(FaceModels.FrontDetectorFile), _oneThread);

        Assert.Equal(["input:0"], session.InputNames);
        Assert.Equal(TensorElementType.Float, session.InputMetadata["input:0"].ElementDataType);
        Assert.Equal([1, 128, 128, 3], session.InputMetadata["input:0"].Dimensions);

        Assert.Equal(["Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"], session.OutputNames.Order());
        Assert.Equal([1, 512, 1], session.OutputMetadata["Identity:0"].Dimensions);
        Assert.Equal([1, 384, 1], session.OutputMetadata["Identity_1:0"].Dimensions);
        Assert.Equal([1, 512, 16], session.OutputMetadata["Identity_2:0"].Dimensions);
        Assert.Equal([1, 384, 16], session.OutputMetadata["Identity_3:0"].Dimensions);
        Assert.All(session.OutputMetadata.Values, meta => Assert.Equal(TensorElementType.Float, meta.ElementDataType));
    }

    [Fact]
    public void BlazeFace_OnAZeroImage_GivesFiniteOutputsOfTheDeclaredSizes()
    {
        using var session = new InferenceSession(OnnxTestModels.Bytes(FaceModels.FrontDetectorFile), _oneThread);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[128 * 128 * 3], [1, 128, 128, 3]);

        using var outputs = session.Run(_run, ["input:0"], [input], session.OutputNames);

        Assert.Equal(session.OutputNames.Count, outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var declared = session.OutputMetadata[session.OutputNames[i]].Dimensions.Select(d => (long)d).ToArray();
            Assert.Equal(declared, outputs[i].GetTensorTypeAndShape().Shape);
            var data = outputs[i].GetTensorDataAsSpan<float>();
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
        using var session = new InferenceSession(OnnxTestModels.Bytes(FaceModels.FrontDetectorFile), _oneThread);
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

        session.Run(_run, ["input:0"], [input], ["Identity:0", "Identity_2:0"], [scores, boxes]);
        using var expected = session.Run(_run, ["input:0"], [input], ["Identity:0", "Identity_2:0"]);

        Assert.Equal(expected[0].GetTensorDataAsSpan<float>().ToArray(), scoreBuffer);
        Assert.Equal(expected[1].GetTensorDataAsSpan<float>().ToArray(), boxBuffer);
        Assert.Contains(scoreBuffer, x => x != 0f);
    }

    [Fact]
    public void InputOverAnArray_SeesTheArrayRefilledBetweenRuns()
    {
        // The detector letterboxes each frame into the same array under one OrtValue made at start-up.
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), _oneThread);
        var x = new float[4];
        var y = new float[4];
        using var input = OrtValue.CreateTensorValueFromMemory(x, [1, 4]);
        using var output = OrtValue.CreateTensorValueFromMemory(y, [1, 4]);

        session.Run(_run, ["X"], [input], ["Y"], [output]);
        var first = y.ToArray();
        float[] next = [5f, 5f, 5f, 5f];
        next.CopyTo(x, 0);
        session.Run(_run, ["X"], [input], ["Y"], [output]);

        Assert.Equal([1f, 0f, 3f, 0f], first);
        Assert.Equal([6f, 3f, 8f, 1f], y);
    }

    [Fact]
    public void InputOverAMemorySlice_SeesOnlyTheSlice()
    {
        // The embedder runs on the first rows of a buffer sized for the largest batch so far.
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), _oneThread);
        float[] backing = [9f, 9f, 9f, 9f, 1f, 1f, 1f, 1f, 9f];
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, backing.AsMemory(4, 4), [1, 4]);

        using var outputs = session.Run(_run, ["X"], [input], ["Y"]);

        Assert.Equal([2f, 0f, 4f, 0f], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [Fact]
    public void HandWrittenAddRelu_ComputesReluOfInputPlusBias()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), _oneThread);

        // Row 1: relu(1.5, -1.5, -2, 6); row 2: relu(0, 1, 3, -4.25).
        Assert.Equal([1.5f, 0f, 0f, 6f, 0f, 1f, 3f, 0f], RunAddRelu(session, [0.5f, 0.5f, -5f, 10f, -1f, 3f, 0f, -0.25f], rows: 2));
    }

    [Fact]
    public void HandWrittenAddRelu_ReportsTheDynamicBatchAsMinusOne()
    {
        // The embedder batches several faces a run exactly when the model's batch dimension is -1.
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));

        Assert.Equal(["X"], session.InputNames);
        Assert.Equal(["Y"], session.OutputNames);
        Assert.Equal(TensorElementType.Float, session.InputMetadata["X"].ElementDataType);
        Assert.Equal([-1, 4], session.InputMetadata["X"].Dimensions);
        Assert.Equal([-1, 4], session.OutputMetadata["Y"].Dimensions);
    }

    [Fact]
    public void Run_WithAWrongShape_FailsNamingTheInputAndTheExpectedSize()
    {
        using var session = new InferenceSession(OnnxTestModels.Bytes(FaceModels.FrontDetectorFile), _oneThread);
        using var input = OrtValue.CreateTensorValueFromMemory(new float[64 * 64 * 3], [1, 64, 64, 3]);

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(_run, ["input:0"], [input], ["Identity:0"]));

        Assert.Contains("InvalidArgument", error.Message, StringComparison.Ordinal);
        Assert.Contains("input:0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Expected: 128", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithAnIntTensorForAFloatInput_FailsWithAnOrtError()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias));
        using var input = OrtValue.CreateTensorValueFromMemory(new int[4], [1, 4]);

        var error = Assert.Throws<OnnxRuntimeException>(() => session.Run(_run, ["X"], [input], ["Y"]));

        Assert.Contains("InvalidArgument", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FromManyThreadsAtOnce_GivesTheSameResultAsAlone()
    {
        using var session = new InferenceSession(TinyOnnxModel.AddRelu(Bias), _oneThread);
        float[] x = [-3f, 4f, -1f, 5f];
        var alone = RunAddRelu(session, x, rows: 1);

        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (var n = 0; n < 200; n++)
            {
                results[i] = RunAddRelu(session, x, rows: 1);
            }
        });

        Assert.All(results, result => Assert.Equal(alone, result));
    }

    private static float[] RunAddRelu(InferenceSession session, float[] x, int rows)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x, [rows, 4]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["X"], [input], ["Y"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
