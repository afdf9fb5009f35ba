using StationEdge.ModelTools.Conversion;
using StationEdge.ModelTools.Onnx;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools.Supply;

/// <summary>What install does to a package's file before pinning its output: TFLite → ONNX, or an ONNX's subnormal weights zeroed.</summary>
internal static class InstallConversion
{
    public static byte[] Run(LockedArtifact artifact, byte[] source)
    {
        var spec = artifact.Convert ?? throw new ArgumentException($"artifact '{artifact.Id}' has no conversion", nameof(artifact));
        return spec.ZeroSubnormals
            ? SubnormalFlush.Zero(source, out _)
            : TfLiteToOnnxConverter.Convert(source, new ConvertOptions { BatchDynamic = spec.BatchDynamic });
    }
}
