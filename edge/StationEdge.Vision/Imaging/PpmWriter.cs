using System.Text;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Writes binary PPM (P6): the simplest lossless dump of an <see cref="RgbImage"/> for debugging crops and
/// alignment; any image viewer or <c>ffmpeg -i x.ppm x.png</c> reads it, and so does <see cref="PhotoDecoder"/>.
/// </summary>
public static class PpmWriter
{
    public static void Write(RgbImage image, Stream stream)
    {
        stream.Write(Encoding.ASCII.GetBytes($"P6\n{image.Width} {image.Height}\n255\n"));
        stream.Write(image.Pixels);
    }

    public static void WriteFile(RgbImage image, string path)
    {
        using var stream = File.Create(path);
        Write(image, stream);
    }
}
