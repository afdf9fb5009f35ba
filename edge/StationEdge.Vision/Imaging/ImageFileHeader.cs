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
}

/// <summary>What the decoder learns from the file itself before starting ffmpeg.</summary>
internal readonly record struct ImageFileInfo(ImageFileFormat Format, int Width, int Height, int ExifOrientation)
{
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
/// Reads the format from a file's magic bytes and, for JPEG, its size (SOFn) and EXIF orientation
/// (APP1 "Exif" → TIFF IFD0 tag 0x0112) by walking the marker segments up to the first scan.
/// </summary>
internal static class ImageFileHeader
{
    private const int OrientationTag = 0x0112;

    public static ImageFileInfo Read(Stream stream)
    {
        Span<byte> head = stackalloc byte[12];
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var format = Sniff(head[..n]);
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

        return head.StartsWith("BM"u8) ? ImageFileFormat.Bmp : ImageFileFormat.Unknown;
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
