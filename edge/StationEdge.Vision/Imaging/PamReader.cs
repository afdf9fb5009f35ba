using System.Buffers;
using System.Text;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Reads one PAM image (as ffmpeg's <c>-c:v pam</c> writes it: RGB or RGB_ALPHA, MAXVAL 255) from a stream.
/// PAM rather than raw video because its header carries the size, so one ffmpeg process gives both.
/// </summary>
internal static class PamReader
{
    private const int MaxHeader = 512;

    /// <summary>Returns null when the stream ends before a complete header (ffmpeg produced nothing).</summary>
    public static async Task<RgbImage?> ReadAsync(Stream stream, int maxSide, AlphaBackground background, CancellationToken ct)
    {
        var buffer = new byte[MaxHeader];
        var filled = 0;
        var headerEnd = -1;
        while (headerEnd < 0)
        {
            if (filled == buffer.Length)
            {
                throw new InvalidDataException("ffmpeg wrote no PAM header");
            }

            var n = await stream.ReadAsync(buffer.AsMemory(filled), ct);
            if (n == 0)
            {
                return null;
            }

            filled += n;
            var end = buffer.AsSpan(0, filled).IndexOf("ENDHDR\n"u8);
            if (end >= 0)
            {
                headerEnd = end + 7;
            }
        }

        var (width, height, depth) = ParseHeader(Encoding.ASCII.GetString(buffer, 0, headerEnd), maxSide);
        var leftover = buffer.AsMemory(headerEnd, filled - headerEnd);
        var image = new RgbImage(width, height);
        try
        {
            if (depth == 3)
            {
                await FillAsync(stream, leftover, image.Memory, ct);
            }
            else
            {
                await ReadRgbaAsync(stream, leftover, image, background, ct);
            }
        }
        catch
        {
            image.Dispose();
            throw;
        }

        return image;
    }

    private static (int Width, int Height, int Depth) ParseHeader(string header, int maxSide)
    {
        int width = 0, height = 0, depth = 0, maxval = 0;
        string? tupleType = null;
        var lines = header.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0] != "P7")
        {
            throw new InvalidDataException("ffmpeg's output is not a PAM image");
        }

        foreach (var line in lines.Skip(1))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                continue;
            }

            switch (parts[0])
            {
                case "WIDTH": _ = int.TryParse(parts[1], out width); break;
                case "HEIGHT": _ = int.TryParse(parts[1], out height); break;
                case "DEPTH": _ = int.TryParse(parts[1], out depth); break;
                case "MAXVAL": _ = int.TryParse(parts[1], out maxval); break;
                case "TUPLTYPE": tupleType = parts[1]; break;
            }
        }

        var known = (depth, tupleType) is (3, "RGB") or (4, "RGB_ALPHA");
        if (!known || maxval != 255 || width < 1 || height < 1 || width > maxSide || height > maxSide)
        {
            throw new InvalidDataException($"unexpected PAM header from ffmpeg: {header.ReplaceLineEndings(" ").Trim()}");
        }

        return (width, height, depth);
    }

    /// <summary>Fills <paramref name="destination"/> from the bytes already read, then from the stream.</summary>
    private static async Task<ReadOnlyMemory<byte>> FillAsync(Stream stream, ReadOnlyMemory<byte> leftover, Memory<byte> destination, CancellationToken ct)
    {
        var take = Math.Min(leftover.Length, destination.Length);
        leftover[..take].CopyTo(destination);
        if (take < destination.Length)
        {
            await stream.ReadExactlyAsync(destination[take..], ct);
        }

        return leftover[take..];
    }

    /// <summary>Reads RGBA in blocks of rows and composites each over the background: out = c·a + bg·(1 − a).</summary>
    private static async Task ReadRgbaAsync(Stream stream, ReadOnlyMemory<byte> leftover, RgbImage image, AlphaBackground background, CancellationToken ct)
    {
        var bg = background == AlphaBackground.White ? 255 : 0;
        var rowBytes = image.Width * 4;
        var rowsPerBlock = Math.Max(1, (256 * 1024) / rowBytes);
        var block = ArrayPool<byte>.Shared.Rent(rowsPerBlock * rowBytes);
        try
        {
            for (var y0 = 0; y0 < image.Height; y0 += rowsPerBlock)
            {
                var rows = Math.Min(rowsPerBlock, image.Height - y0);
                leftover = await FillAsync(stream, leftover, block.AsMemory(0, rows * rowBytes), ct);
                for (var r = 0; r < rows; r++)
                {
                    var src = block.AsSpan(r * rowBytes, rowBytes);
                    var dst = image.Row(y0 + r);
                    for (int s = 0, d = 0; s < src.Length; s += 4, d += 3)
                    {
                        int a = src[s + 3];
                        var inverse = (255 - a) * bg;
                        dst[d] = Div255((src[s] * a) + inverse);
                        dst[d + 1] = Div255((src[s + 1] * a) + inverse);
                        dst[d + 2] = Div255((src[s + 2] * a) + inverse);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }

    /// <summary>x / 255 rounded, exact for 0..65025.</summary>
    private static byte Div255(int x)
    {
        x += 128;
        return (byte)((x + (x >> 8)) >> 8);
    }
}
