using System.Buffers.Binary;

namespace StationEdge.Vision.Imaging;

internal enum ImageFileFormat
{
    Unknown,
    Jpeg,
    Png,
    WebP,
    Bmp,
    Gif,
    Tiff,
    Ppm,

    // Recognised by content so the message can name them, but not decoded: Debian's ffmpeg 5.1 cannot.
    Heic,
    Avif,
    Heif,
}

/// <summary>What the decoder learns from the file itself before starting ffmpeg.</summary>
internal readonly record struct ImageFileInfo(ImageFileFormat Format, int Width, int Height, int ExifOrientation)
{
    /// <summary>The name of a format recognised but not decoded (HEIC, AVIF, HEIF), or null.</summary>
    public string? Unsupported => Format is ImageFileFormat.Heic or ImageFileFormat.Avif or ImageFileFormat.Heif
        ? Format.ToString().ToUpperInvariant()
        : null;

    /// <summary>The ffmpeg demuxer for the format: named explicitly so ffmpeg never probes (no playlists, no patterns).</summary>
    public string Demuxer => Format switch
    {
        ImageFileFormat.Jpeg => "jpeg_pipe",
        ImageFileFormat.Png => "png_pipe",
        ImageFileFormat.WebP => "webp_pipe",
        ImageFileFormat.Bmp => "bmp_pipe",
        ImageFileFormat.Gif => "gif",
        ImageFileFormat.Tiff => "tiff_pipe",
        ImageFileFormat.Ppm => "ppm_pipe",
        _ => throw new InvalidOperationException($"no demuxer for {Format}"),
    };
}

/// <summary>
/// Reads the format from a file's magic bytes (for ISO-BMFF files, the ftyp box's brands) and the EXIF
/// orientation: for JPEG with its size (SOFn), from APP1 "Exif" → TIFF IFD0 tag 0x0112 by walking the marker
/// segments up to the first scan; for PNG from the eXIf chunk, which holds the same TIFF structure.
/// </summary>
internal static class ImageFileHeader
{
    private const int OrientationTag = 0x0112;

    /// <summary>Chunks walked looking for eXIf: a bound, so a crafted file cannot keep us here (libpng's IDATs are 8 KiB).</summary>
    private const int MaxPngChunks = 100_000;

    /// <summary>An eXIf chunk larger than this is not a real one (EXIF in JPEG is limited to 64 KiB).</summary>
    private const int MaxExifBytes = 1 << 20;

    private static readonly string[] HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"];
    private static readonly string[] AvifBrands = ["avif", "avis"];
    private static readonly string[] HeifBrands = ["mif1", "msf1", "mif2", "miaf"];

    public static ImageFileInfo Read(Stream stream)
    {
        Span<byte> head = stackalloc byte[64];
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var format = Sniff(head[..n]);
        if (format == ImageFileFormat.Png)
        {
            return new ImageFileInfo(format, 0, 0, ReadPngOrientation(stream));
        }

        if (format != ImageFileFormat.Jpeg)
        {
            return new ImageFileInfo(format, 0, 0, 1);
        }

        stream.Position = 2;
        try
        {
            var (width, height, orientation) = ReadJpegSegments(stream);
            return new ImageFileInfo(format, width, height, orientation);
        }
        catch (EndOfStreamException)
        {
            // A JPEG cut off inside its headers: let ffmpeg say what is wrong with it.
            return new ImageFileInfo(format, 0, 0, 1);
        }
    }

    public static ImageFileFormat Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ImageFileFormat.Jpeg;
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageFileFormat.Png;
        }

        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageFileFormat.WebP;
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return ImageFileFormat.Gif;
        }

        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return ImageFileFormat.Tiff;
        }

        if (head.Length >= 3 && head.StartsWith("P6"u8) && head[2] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            return ImageFileFormat.Ppm;
        }

        if (head.StartsWith("BM"u8))
        {
            return ImageFileFormat.Bmp;
        }

        return head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8) ? SniffBrands(head) : ImageFileFormat.Unknown;
    }

    /// <summary>HEIC, AVIF or other HEIF by the ftyp box's major and compatible brands; anything else (MP4, QuickTime) is no photo.</summary>
    private static ImageFileFormat SniffBrands(ReadOnlySpan<byte> head)
    {
        var boxEnd = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(head), (uint)head.Length);
        var brands = new List<string> { System.Text.Encoding.ASCII.GetString(head[8..12]) };
        for (var at = 16; at + 4 <= boxEnd; at += 4)
        {
            brands.Add(System.Text.Encoding.ASCII.GetString(head[at..(at + 4)]));
        }

        foreach (var brand in brands)
        {
            if (HeicBrands.Contains(brand))
            {
                return ImageFileFormat.Heic;
            }

            if (AvifBrands.Contains(brand))
            {
                return ImageFileFormat.Avif;
            }
        }

        return brands.Any(HeifBrands.Contains) ? ImageFileFormat.Heif : ImageFileFormat.Unknown;
    }

    /// <summary>The orientation in a PNG's eXIf chunk (before or after the image data); 1 when there is none.</summary>
    private static int ReadPngOrientation(Stream stream)
    {
        stream.Position = 8;
        Span<byte> chunk = stackalloc byte[8];
        for (var chunks = 0; chunks < MaxPngChunks; chunks++)
        {
            if (stream.ReadAtLeast(chunk, chunk.Length, throwOnEndOfStream: false) < chunk.Length)
            {
                return 1;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            var type = chunk[4..8];
            if (type.SequenceEqual("IEND"u8) || length > int.MaxValue)
            {
                return 1;
            }

            if (type.SequenceEqual("eXIf"u8))
            {
                if (length > MaxExifBytes)
                {
                    return 1;
                }

                var data = new byte[length];
                if (stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length)
                {
                    return 1;
                }

                // The chunk holds the bare TIFF structure; some writers keep JPEG's "Exif\0\0" in front of it.
                var tiff = data.AsSpan();
                return ParseExifOrientation(tiff.StartsWith("Exif\0\0"u8) ? tiff[6..] : tiff);
            }

            stream.Seek(length + 4L, SeekOrigin.Current);
        }

        return 1;
    }

    /// <summary>Parses a TIFF structure (the payload of an Exif APP1 after "Exif\0\0") for IFD0's orientation; 1 when absent or invalid.</summary>
    public static int ParseExifOrientation(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8)
        {
            return 1;
        }

        bool little;
        if (tiff.StartsWith("II"u8))
        {
            little = true;
        }
        else if (tiff.StartsWith("MM"u8))
        {
            little = false;
        }
        else
        {
            return 1;
        }

        if (U16(tiff, 2, little) != 42)
        {
            return 1;
        }

        var ifd = U32(tiff, 4, little);
        if (ifd < 8 || ifd > tiff.Length - 2)
        {
            return 1;
        }

        var count = U16(tiff, (int)ifd, little);
        for (var k = 0; k < count; k++)
        {
            var entry = (int)ifd + 2 + (k * 12);
            if (entry + 12 > tiff.Length)
            {
                return 1;
            }

            if (U16(tiff, entry, little) != OrientationTag)
            {
                continue;
            }

            // SHORT (3) per the standard; a few writers use LONG (4). Either way the value sits in the entry.
            var type = U16(tiff, entry + 2, little);
            var value = type switch
            {
                3 => U16(tiff, entry + 8, little),
                4 => U32(tiff, entry + 8, little),
                _ => 1u,
            };
            return value is >= 1 and <= 8 ? (int)value : 1;
        }

        return 1;
    }

    private static (int Width, int Height, int Orientation) ReadJpegSegments(Stream stream)
    {
        int width = 0, height = 0, orientation = 1;
        var seenExif = false;
        Span<byte> marker = stackalloc byte[4];
        Span<byte> sof = stackalloc byte[5];

        // A bound on segments so a crafted file cannot keep us here; real files have a few dozen at most.
        for (var segments = 0; segments < 4096; segments++)
        {
            if (stream.ReadAtLeast(marker[..2], 2, throwOnEndOfStream: false) < 2 || marker[0] != 0xFF)
            {
                break;
            }

            var code = marker[1];
            while (code == 0xFF)
            {
                var next = stream.ReadByte();
                if (next < 0)
                {
                    return (width, height, orientation);
                }

                code = (byte)next;
            }

            if (code is 0x01 or (>= 0xD0 and <= 0xD8))
            {
                continue;
            }

            if (code is 0xD9 or 0xDA)
            {
                break;
            }

            if (stream.ReadAtLeast(marker[2..4], 2, throwOnEndOfStream: false) < 2)
            {
                break;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(marker[2..4]) - 2;
            if (length < 0)
            {
                break;
            }

            var isFrame = code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;
            if (isFrame && length >= 5)
            {
                stream.ReadExactly(sof);
                height = BinaryPrimitives.ReadUInt16BigEndian(sof[1..3]);
                width = BinaryPrimitives.ReadUInt16BigEndian(sof[3..5]);
                stream.Seek(length - 5, SeekOrigin.Current);
                if (seenExif)
                {
                    break;
                }
            }
            else if (code == 0xE1 && !seenExif && length >= 14)
            {
                var payload = new byte[length];
                if (stream.ReadAtLeast(payload, length, throwOnEndOfStream: false) < length)
                {
                    break;
                }

                if (payload.AsSpan().StartsWith("Exif\0\0"u8))
                {
                    seenExif = true;
                    orientation = ParseExifOrientation(payload.AsSpan(6));
                    if (width > 0)
                    {
                        break;
                    }
                }
            }
            else
            {
                stream.Seek(length, SeekOrigin.Current);
            }
        }

        return (width, height, orientation);
    }

    private static uint U16(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt16BigEndian(b[at..]);

    private static uint U32(ReadOnlySpan<byte> b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : BinaryPrimitives.ReadUInt32BigEndian(b[at..]);
}
