using System.Diagnostics;
using StationEdge.Vision.Imaging;

namespace StationEdge.Vision.Tests.Imaging;

/// <summary>Runs the real ffmpeg to make test files, and builds synthetic images.</summary>
internal static class TestMedia
{
    public static void Ffmpeg(params string[] args) => Run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", .. args]);

    public static string Ffprobe(params string[] args) => Run("ffprobe", ["-hide_banner", "-loglevel", "error", .. args]);

    /// <summary>Encodes raw pixels (in <paramref name="rawPixelFormat"/>) to <paramref name="output"/> with extra output arguments.</summary>
    public static void Encode(byte[] raw, string rawPixelFormat, int width, int height, string output, params string[] outputArgs)
    {
        var rawPath = output + ".raw";
        File.WriteAllBytes(rawPath, raw);
        Ffmpeg(["-f", "rawvideo", "-pix_fmt", rawPixelFormat, "-s", $"{width}x{height}", "-i", rawPath, .. outputArgs, "-frames:v", "1", output]);
        File.Delete(rawPath);
    }

    public static string PixelFormatOf(string path) =>
        Ffprobe("-select_streams", "v:0", "-show_entries", "stream=pix_fmt", "-of", "csv=p=0", path).Trim();

    /// <summary>Width and height as ffprobe reports them (stored orientation).</summary>
    public static (int Width, int Height) SizeOf(string path)
    {
        var parts = Ffprobe("-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path).Trim().Split(',');
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    /// <summary>A pattern with a different colour at every pixel, so any misplaced pixel shows.</summary>
    public static RgbImage Pattern(int width, int height)
    {
        var image = new RgbImage(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image.SetPixel(x, y, (byte)(x * 7 + y * 3), (byte)(y * 11 + 5), (byte)((x ^ y) * 13));
            }
        }

        return image;
    }

    /// <summary>Black and white alternating every pixel: whatever shrinks it without averaging shows as aliasing.</summary>
    public static RgbImage Checkerboard(int size)
    {
        var image = new RgbImage(size, size);
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var v = (byte)(((x + y) & 1) * 255);
                image.SetPixel(x, y, v, v, v);
            }
        }

        return image;
    }

    public static RgbImage Solid(int width, int height, byte r, byte g, byte b)
    {
        var image = new RgbImage(width, height);
        image.Fill(r, g, b);
        return image;
    }

    public static byte[] Bytes(RgbImage image) => image.Pixels.ToArray();

    private static string Run(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish");
        }

        Task.WaitAll(stdout, stderr);
        return p.ExitCode == 0
            ? stdout.Result
            : throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
    }
}

