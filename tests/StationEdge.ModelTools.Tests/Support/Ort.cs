using StationEdge.Vision.Onnx;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Runs ONNX models with the real ONNX Runtime from the models folder.</summary>
internal static class Ort
{
    public static InferenceSession Session(byte[] onnx)
    {
        OnnxRuntimeLibrary.Load(RepoPaths.Model(OnnxRuntimeLibrary.FileName));
        return new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = 1 });
    }

    /// <summary>Every output of one run, as floats, in the model's output order.</summary>
    public static float[][] Run(InferenceSession session, float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var results = session.Run([session.InputNames[0]], [value], session.OutputNames);
        return results.Select(r => r.GetTensorDataAsSpan().ToArray()).ToArray();
    }
}
