using System.Drawing;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Fits a frame into a square model input without distorting it: scaled so the longer side fills the square,
/// centred, the rest padded black (pixel 0, i.e. <c>offset</c> after normalisation), as MediaPipe does for BlazeFace.
/// </summary>
public static class Letterbox
{
    /// <summary>
    /// Writes the letterboxed frame into <paramref name="dstNhwc"/> ([1, size, size, 3], RGB,
    /// value = pixel * scale + offset) and returns how to map model coordinates back to the frame.
    /// Allocation-free once warm: for the per-frame path.
    /// </summary>
    public static LetterboxTransform ToSquare(RgbImage src, int size, Span<float> dstNhwc, float scale, float offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var needed = size * size * 3;
        if (dstNhwc.Length < needed)
        {
            throw new ArgumentException($"tensor holds {dstNhwc.Length} floats, a {size}x{size}x3 input needs {needed}", nameof(dstNhwc));
        }

        var t = Plan(src.Width, src.Height, size);
        var tensor = dstNhwc[..needed];
        if (t.ContentWidth != size || t.ContentHeight != size)
        {
            tensor.Fill(offset);
        }

        var stride = size * 3;
        Resampler.Resample(
            src,
            new Rectangle(0, 0, src.Width, src.Height),
            t.ContentWidth,
            t.ContentHeight,
            [],
            tensor[((t.PadY * stride) + (t.PadX * 3))..],
            stride,
            scale,
            offset);
        return t;
    }

    /// <summary>As the span overload, into a new array.</summary>
    public static (float[] Tensor, LetterboxTransform Transform) ToSquare(RgbImage src, int size, float scale, float offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var tensor = new float[size * size * 3];
        var t = ToSquare(src, size, tensor, scale, offset);
        return (tensor, t);
    }

    /// <summary>The placement alone, for callers that only need to map coordinates.</summary>
    public static LetterboxTransform Plan(int sourceWidth, int sourceHeight, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        int contentWidth, contentHeight;
        if (sourceWidth >= sourceHeight)
        {
            contentWidth = size;
            contentHeight = Math.Clamp((int)Math.Round((double)sourceHeight * size / sourceWidth), 1, size);
        }
        else
        {
            contentHeight = size;
            contentWidth = Math.Clamp((int)Math.Round((double)sourceWidth * size / sourceHeight), 1, size);
        }

        return new LetterboxTransform(
            size,
            sourceWidth,
            sourceHeight,
            (size - contentWidth) / 2,
            (size - contentHeight) / 2,
            contentWidth,
            contentHeight);
    }
}
