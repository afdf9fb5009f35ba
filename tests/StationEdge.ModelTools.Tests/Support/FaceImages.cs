using System.Diagnostics;

namespace StationEdge.ModelTools.Tests.Support;

/// <summary>Decodes photos to raw RGB with the system ffmpeg, the same tool the daemon uses for frames.</summary>
internal static class FaceImages
{
    /// <summary>The photo scaled to size×size, as RGB bytes, row-major.</summary>
    public static async Task<byte[]> DecodeRgbAsync(string path, int size)
    {
        var psi = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "-nostdin", "-loglevel", "error", "-i", path, "-vf", $"scale={size}:{size}", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var buffer = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(buffer);
        await process.WaitForExitAsync();
        string errors = await stderr;
        Assert.True(process.ExitCode == 0, $"ffmpeg failed on {path}: {errors}");
        var rgb = buffer.ToArray();
        Assert.Equal(size * size * 3, rgb.Length);
        return rgb;
    }

    /// <summary>The models' input scaling: (x − 127.5) / 128.</summary>
    public static float[] Normalise(byte[] rgb) => rgb.Select(v => (v - 127.5f) / 128f).ToArray();

    /// <summary>Several photos stacked into one NHWC batch.</summary>
    public static async Task<float[]> BatchAsync(IEnumerable<string> paths, int size)
    {
        var batch = new List<float>();
        foreach (string path in paths)
        {
            batch.AddRange(Normalise(await DecodeRgbAsync(path, size)));
        }

        return [.. batch];
    }
}
