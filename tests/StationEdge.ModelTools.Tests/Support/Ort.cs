using Microsoft.ML.OnnxRuntime;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Runs the converter's output in the official ONNX Runtime (the Microsoft.ML.OnnxRuntime package the product uses).</summary>
internal static class Ort
{
    public static InferenceSession Session(byte[] onnx)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        return new InferenceSession(onnx, options);
    }

    /// <summary>Every output of one run, as floats, in the model's output order.</summary>
    public static float[][] Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [session.InputNames[0]], [value], session.OutputNames);
        return results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray();
    }
}
