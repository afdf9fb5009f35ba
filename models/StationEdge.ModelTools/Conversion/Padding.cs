using StationEdge.ModelTools.TfLite;

namespace StationEdge.ModelTools.Conversion;

/// <summary>TensorFlow's padding rules for one spatial axis, made explicit for ONNX (which has no exact SAME equivalent).</summary>
internal static class Padding
{
    /// <summary>Output size and the pads before/after for one axis.</summary>
    public static (int Output, int Before, int After) Compute(TfLitePadding padding, int input, int kernel, int stride, int dilation)
    {
        int effectiveKernel = ((kernel - 1) * dilation) + 1;
        if (padding == TfLitePadding.VALID)
        {
            return ((input - effectiveKernel + stride) / stride, 0, 0);
        }

        // TF SAME: output = ceil(input / stride); the odd pixel of padding goes after, never before.
        int output = (input + stride - 1) / stride;
        int total = Math.Max(((output - 1) * stride) + effectiveKernel - input, 0);
        int before = total / 2;
        return (output, before, total - before);
    }
}
