using System.Runtime.InteropServices;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using StationEdge.Vision.Models;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>One model under OpenCV's DNN module: its figure, or the one line saying why OpenCV cannot run it.</summary>
internal sealed record OpenCvModelTime(Figure? Ms, string? Error);

/// <summary>
/// The peer a .NET user would pick: the same ONNX bytes under OpenCV's DNN module through OpenCvSharp4, in this
/// process, on the same prepared inputs as the bare ONNX Runtime figures (<see cref="PipelineStages.TimeModel"/>).
/// OpenCvSharp4 publishes a native runtime for linux-x64 only, so on a Pi there is no peer and bench says so.
/// </summary>
internal static class OpenCvDnnBench
{
    /// <summary>Null when OpenCvSharp runs here; otherwise one line saying why there is no comparison.</summary>
    public static string? WhyUnavailable()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return $"OpenCvSharp4 has no native runtime for linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}, only for linux-x64";
        }

        try
        {
            _ = Cv2.GetVersionString();
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            var why = e is TypeInitializationException { InnerException: { } inner } ? inner.Message : e.Message;
            return $"OpenCvSharp's native library does not load ({Program.OneLine(why)}); on Debian it needs libgtk-3-0";
        }
    }

    /// <summary>OpenCV's version, e.g. "4.13.0"; only after <see cref="WhyUnavailable"/> returned null.</summary>
    public static string Version => Cv2.GetVersionString() ?? "(version unknown)";

    public static OpenCvModelTime Measure(
        VerifiedModel model, int size, float scale, float offset, int threads, IReadOnlyList<BenchFrame> frames, int runs, CancellationToken ct)
    {
        Cv2.SetNumThreads(threads);
        Net? net = null;
        Mat[] outputs = [];
        try
        {
            net = CvDnn.ReadNetFromOnnx(model.Bytes);
            if (net is null)
            {
                return new OpenCvModelTime(null, $"OpenCV DNN cannot read {Path.GetFileName(model.Path)}");
            }

            var input = new float[size * size * 3];

            // The blob is a view of the input array (pinned for the Mat's life), so refilling the array refills the blob.
            using var blob = Mat.FromPixelData([1, size, size, 3], MatType.CV_32FC1, input);
            var names = net.GetUnconnectedOutLayersNames().Select(n => n ?? "").ToArray();
            outputs = [.. names.Select(_ => new Mat())];
            void Run()
            {
                net.SetInput(blob);
                net.Forward(outputs, names);
            }

            return new OpenCvModelTime(PipelineStages.TimeModel(input, size, scale, offset, Run, frames, runs, ct), null);
        }
        catch (OpenCVException e)
        {
            var what = e.Status == ErrorCode.StsAssert ? "assertion failed" : $"error {e.Status}";
            return new OpenCvModelTime(
                null, $"OpenCV DNN cannot run {Path.GetFileName(model.Path)}: {what} in {Path.GetFileName(e.FileName)}:{e.Line} ({e.FuncName}): {Program.OneLine(e.ErrMsg)}");
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }

            net?.Dispose();
        }
    }
}
