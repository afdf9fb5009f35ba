using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace StationEdge.Passes;

/// <summary>
/// Reads a QR code from an rgb24 camera frame: the frame is box-averaged down to grey at most
/// <see cref="MaxWidth"/> pixels wide (a pass held up to the door camera stays well above ZXing's needs, and the work
/// shrinks with the square of the factor), then ZXing.Net's QR reader runs on it. One reused buffer: calls are serialised.
/// </summary>
public sealed class PassReader
{
    private readonly Lock _gate = new();
    private readonly QRCodeReader _reader = new();
    private readonly Dictionary<DecodeHintType, object> _hints = new()
    {
        [DecodeHintType.POSSIBLE_FORMATS] = new List<BarcodeFormat> { BarcodeFormat.QR_CODE },
        [DecodeHintType.CHARACTER_SET] = "ISO-8859-1",
    };

    private byte[] _grey = [];

    public PassReader(int maxWidth = 640)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWidth, 64);
        MaxWidth = maxWidth;
    }

    public int MaxWidth { get; }

    /// <summary>The text of the QR code in the frame, or null when none is read.</summary>
    public string? Read(ReadOnlySpan<byte> rgb24, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (rgb24.Length < width * height * 3)
        {
            throw new ArgumentException($"an rgb24 frame of {width}x{height} is {width * height * 3} bytes, not {rgb24.Length}", nameof(rgb24));
        }

        var factor = (width + MaxWidth - 1) / MaxWidth;
        int w = width / factor, h = height / factor;
        lock (_gate)
        {
            if (_grey.Length < w * h)
            {
                _grey = new byte[w * h];
            }

            Downscale(rgb24, width, factor, _grey, w, h);
            var source = new PlanarYUVLuminanceSource(_grey, w, h, 0, 0, w, h, false);
            var result = _reader.decode(new BinaryBitmap(new HybridBinarizer(source)), _hints);
            _reader.reset();
            return result?.Text;
        }
    }

    /// <summary>Luma (BT.601 weights in 8-bit fixed point) averaged over factor×factor blocks.</summary>
    private static void Downscale(ReadOnlySpan<byte> rgb, int width, int factor, Span<byte> grey, int w, int h)
    {
        var area = factor * factor;
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var sum = 0;
                for (var dy = 0; dy < factor; dy++)
                {
                    var i = ((((y * factor) + dy) * width) + (x * factor)) * 3;
                    for (var dx = 0; dx < factor; dx++, i += 3)
                    {
                        sum += (77 * rgb[i]) + (150 * rgb[i + 1]) + (29 * rgb[i + 2]);
                    }
                }

                grey[(y * w) + x] = (byte)(sum / area >> 8);
            }
        }
    }
}
