using System.Globalization;
using System.Text;
using ZXing;

namespace StationEdge.Passes;

/// <summary>A QR code's modules: <c>true</c> is dark; the quiet zone is not included.</summary>
public sealed class QrModules
{
    private readonly bool[,] _dark;

    internal QrModules(bool[,] dark)
    {
        _dark = dark;
    }

    public int Size => _dark.GetLength(0);

    public bool this[int x, int y] => _dark[x, y];
}

/// <summary>
/// QR codes for passes, made with ZXing.Net's encoder at error correction level M (a printed pass survives a crease
/// and a thumb): the modules, an SVG for the keeper's page and for printing (crisp at any size, no image library),
/// and a grey bitmap (the tests' printed pass).
/// </summary>
public static class PassQr
{
    /// <summary>The quiet zone the QR specification asks for, in modules.</summary>
    public const int QuietZone = 4;

    public static QrModules Encode(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var hints = new Dictionary<EncodeHintType, object> { [EncodeHintType.CHARACTER_SET] = "ISO-8859-1" };
        var matrix = ZXing.QrCode.Internal.Encoder.encode(text, ZXing.QrCode.Internal.ErrorCorrectionLevel.M, hints).Matrix;
        var dark = new bool[matrix.Width, matrix.Height];
        for (var y = 0; y < matrix.Height; y++)
        {
            for (var x = 0; x < matrix.Width; x++)
            {
                dark[x, y] = matrix[x, y] == 1;
            }
        }

        return new QrModules(dark);
    }

    /// <summary>An SVG of the code with its quiet zone, one path of horizontal runs; the size is set by whoever shows it.</summary>
    public static string Svg(string text, string? title = null)
    {
        var modules = Encode(text);
        var side = modules.Size + (2 * QuietZone);
        var path = new StringBuilder();
        for (var y = 0; y < modules.Size; y++)
        {
            for (var x = 0; x < modules.Size; x++)
            {
                if (!modules[x, y])
                {
                    continue;
                }

                var run = 1;
                while (x + run < modules.Size && modules[x + run, y])
                {
                    run++;
                }

                path.Append(CultureInfo.InvariantCulture, $"M{x + QuietZone} {y + QuietZone}h{run}v1h-{run}z");
                x += run - 1;
            }
        }

        var label = title is null ? "" : $"<title>{System.Net.WebUtility.HtmlEncode(title)}</title>";
        return $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img">{label}<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d="{path}"/></svg>""";
    }

    /// <summary>The code as 8-bit grey pixels (0 dark, 255 light), <paramref name="scale"/> pixels a module, quiet zone included.</summary>
    public static (byte[] Pixels, int Side) Grey(string text, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        var modules = Encode(text);
        var side = (modules.Size + (2 * QuietZone)) * scale;
        var pixels = new byte[side * side];
        Array.Fill(pixels, (byte)255);
        for (var y = 0; y < side; y++)
        {
            for (var x = 0; x < side; x++)
            {
                int mx = (x / scale) - QuietZone, my = (y / scale) - QuietZone;
                if (mx >= 0 && my >= 0 && mx < modules.Size && my < modules.Size && modules[mx, my])
                {
                    pixels[(y * side) + x] = 0;
                }
            }
        }

        return (pixels, side);
    }

    /// <summary>
    /// The code as a PNG (8-bit greyscale, <paramref name="scale"/> pixels a module, quiet zone included), for printing
    /// from the command line: written here, since one image format is not worth an image library on the station.
    /// </summary>
    public static byte[] Png(string text, int scale = 8)
    {
        var (pixels, side) = Grey(text, scale);
        using var raw = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(raw, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < side; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(pixels, y * side, side);
            }
        }

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, side);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), side);
        header[8] = 8; // bit depth
        header[9] = 0; // greyscale; compression, filter and interlace methods 0
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typed = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        png.Write(typed);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
