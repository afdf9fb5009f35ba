using System.Buffers;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// An 8-bit interleaved RGB image (R, G, B per pixel, rows top to bottom, stride = width * 3, no padding).
/// Backed either by an owned array or by an array rented from <see cref="ArrayPool{T}.Shared"/>
/// (see <see cref="Rent"/>), which <see cref="Dispose"/> returns; the rented array may be longer than the image.
/// Not thread-safe.
/// </summary>
public sealed class RgbImage : IDisposable
{
    private byte[]? _buffer;
    private readonly bool _pooled;

    /// <summary>A black image backed by a new array.</summary>
    public RgbImage(int width, int height)
        : this(width, height, new byte[CheckedLength(width, height)], pooled: false)
    {
    }

    /// <summary>Wraps <paramref name="pixels"/> without copying; it must hold at least width * height * 3 bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
        : this(width, height, pixels, pooled: false)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length < CheckedLength(width, height))
        {
            throw new ArgumentException(
                $"pixel buffer holds {pixels.Length} bytes, a {width}x{height} RGB image needs {width * height * 3}",
                nameof(pixels));
        }
    }

    private RgbImage(int width, int height, byte[] buffer, bool pooled)
    {
        CheckedLength(width, height);
        Width = width;
        Height = height;
        _buffer = buffer;
        _pooled = pooled;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes per row: always <c>Width * 3</c>.</summary>
    public int Stride => Width * 3;

    /// <summary>Bytes of pixel data: <c>Width * Height * 3</c>.</summary>
    public int ByteLength => Width * Height * 3;

    /// <summary>All pixels, row after row.</summary>
    public Span<byte> Pixels => Buffer.AsSpan(0, ByteLength);

    /// <summary>All pixels as memory, for stream reads.</summary>
    public Memory<byte> Memory => Buffer.AsMemory(0, ByteLength);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(RgbImage));

    /// <summary>
    /// An image backed by a pooled array, for per-frame work: contents are undefined until written,
    /// and the array goes back to the pool on <see cref="Dispose"/>.
    /// </summary>
    public static RgbImage Rent(int width, int height) =>
        new(width, height, ArrayPool<byte>.Shared.Rent(CheckedLength(width, height)), pooled: true);

    /// <summary>
    /// Copies a raw rgb24 frame (as ffmpeg writes with <c>-f rawvideo -pix_fmt rgb24</c>) into a new image.
    /// <paramref name="sourceStride"/> is the bytes per source row when rows are padded; 0 means width * 3.
    /// </summary>
    public static RgbImage FromRgb24(ReadOnlySpan<byte> rgb24, int width, int height, int sourceStride = 0, bool pooled = false)
    {
        var image = pooled ? Rent(width, height) : new RgbImage(width, height);
        try
        {
            image.CopyFromRgb24(rgb24, sourceStride);
        }
        catch
        {
            image.Dispose();
            throw;
        }

        return image;
    }

    /// <summary>Overwrites this image with a raw rgb24 frame of the same size (no allocation: for reusing frame buffers).</summary>
    public void CopyFromRgb24(ReadOnlySpan<byte> rgb24, int sourceStride = 0)
    {
        var rowBytes = Stride;
        if (sourceStride == 0)
        {
            sourceStride = rowBytes;
        }

        if (sourceStride < rowBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(sourceStride), $"source stride {sourceStride} is less than width * 3 = {rowBytes}");
        }

        var needed = ((long)sourceStride * (Height - 1)) + rowBytes;
        if (rgb24.Length < needed)
        {
            throw new ArgumentException($"frame holds {rgb24.Length} bytes, a {Width}x{Height} rgb24 frame needs {needed}", nameof(rgb24));
        }

        if (sourceStride == rowBytes)
        {
            rgb24[..ByteLength].CopyTo(Pixels);
            return;
        }

        for (var y = 0; y < Height; y++)
        {
            rgb24.Slice(y * sourceStride, rowBytes).CopyTo(Row(y));
        }
    }

    /// <summary>Row <paramref name="y"/>: <c>Width * 3</c> bytes.</summary>
    public Span<byte> Row(int y)
    {
        if ((uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(y), $"row {y} is outside 0..{Height - 1}");
        }

        return Buffer.AsSpan(y * Stride, Stride);
    }

    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        CheckPoint(x, y);
        var i = (y * Stride) + (x * 3);
        var b = Buffer;
        return (b[i], b[i + 1], b[i + 2]);
    }

    public void SetPixel(int x, int y, byte r, byte g, byte b)
    {
        CheckPoint(x, y);
        var i = (y * Stride) + (x * 3);
        var buffer = Buffer;
        buffer[i] = r;
        buffer[i + 1] = g;
        buffer[i + 2] = b;
    }

    /// <summary>Sets every pixel of the rectangle (clamped to the image) to one colour.</summary>
    public void Fill(byte r, byte g, byte b, System.Drawing.Rectangle? area = null)
    {
        var rect = System.Drawing.Rectangle.Intersect(area ?? new(0, 0, Width, Height), new(0, 0, Width, Height));
        if (rect.Width <= 0 || rect.Height <= 0)
        {
            return;
        }

        Span<byte> pattern = [r, g, b];
        for (var y = rect.Top; y < rect.Bottom; y++)
        {
            var row = Row(y).Slice(rect.X * 3, rect.Width * 3);
            if (r == g && g == b)
            {
                row.Fill(r);
                continue;
            }

            for (var i = 0; i < row.Length; i += 3)
            {
                pattern.CopyTo(row[i..]);
            }
        }
    }

    /// <summary>A deep copy backed by a new array.</summary>
    public RgbImage Clone()
    {
        var copy = new RgbImage(Width, Height);
        Pixels.CopyTo(copy.Pixels);
        return copy;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = null;
        if (_pooled && buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override string ToString() => $"RgbImage {Width}x{Height}";

    private void CheckPoint(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"pixel ({x}, {y}) is outside the {Width}x{Height} image");
        }
    }

    private static int CheckedLength(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive");
        }

        var length = (long)width * height * 3;
        if (length > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is too large for one buffer");
        }

        return (int)length;
    }
}
