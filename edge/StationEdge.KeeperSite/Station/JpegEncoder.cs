namespace StationEdge.KeeperSite.Station;

/// <summary>
/// A baseline JPEG encoder (JFIF, 4:2:0, the standard Annex K quantisation and Huffman tables) for the camera
/// preview: managed, so it runs the same on the Pi as here, with no image library and no child process. A 480×360
/// frame takes a few milliseconds on x64. Width and height need not be multiples of 16: edge pixels are repeated.
/// </summary>
internal static class JpegEncoder
{
    private static readonly byte[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    private static readonly byte[] LumaQuant =
    [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ];

    private static readonly byte[] ChromaQuant =
    [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ];

    private static readonly byte[] DcLumaBits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] DcChromaBits = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
    private static readonly byte[] DcValues = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    private static readonly byte[] AcLumaBits = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];

    private static readonly byte[] AcLumaValues =
    [
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08,
        0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
        0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
        0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
        0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];

    private static readonly byte[] AcChromaBits = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];

    private static readonly byte[] AcChromaValues =
    [
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91,
        0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
        0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58,
        0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4,
        0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
        0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
    ];

    private static readonly HuffmanTable DcLuma = new(DcLumaBits, DcValues);
    private static readonly HuffmanTable DcChroma = new(DcChromaBits, DcValues);
    private static readonly HuffmanTable AcLuma = new(AcLumaBits, AcLumaValues);
    private static readonly HuffmanTable AcChroma = new(AcChromaBits, AcChromaValues);

    /// <summary>cos((2x+1)uπ/16), scaled by C(u)/2, indexed [u * 8 + x].</summary>
    private static readonly float[] Cosines = MakeCosines();

    /// <summary>Encodes rgb24 pixels (rows top to bottom, no padding) at <paramref name="quality"/> 1–100.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height, int quality = 75)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 65535);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 65535);
        if (rgb.Length < width * height * 3)
        {
            throw new ArgumentException($"{width}x{height} rgb24 is {width * height * 3} bytes, not {rgb.Length}", nameof(rgb));
        }

        var lumaQ = Scale(LumaQuant, quality);
        var chromaQ = Scale(ChromaQuant, quality);
        using var output = new MemoryStream(width * height / 4);
        WriteHeaders(output, width, height, lumaQ, chromaQ);
        var bits = new BitWriter(output);
        Span<float> y = stackalloc float[256];
        Span<float> cb = stackalloc float[64];
        Span<float> cr = stackalloc float[64];
        Span<float> block = stackalloc float[64];
        int dcY = 0, dcCb = 0, dcCr = 0;
        for (var my = 0; my < height; my += 16)
        {
            for (var mx = 0; mx < width; mx += 16)
            {
                LoadMacroblock(rgb, width, height, mx, my, y, cb, cr);
                for (var b = 0; b < 4; b++)
                {
                    for (var r = 0; r < 8; r++)
                    {
                        y.Slice((((b >> 1) * 8) + r) * 16 + ((b & 1) * 8), 8).CopyTo(block.Slice(r * 8, 8));
                    }

                    dcY = EncodeBlock(bits, block, lumaQ, dcY, DcLuma, AcLuma);
                }

                dcCb = EncodeBlock(bits, cb, chromaQ, dcCb, DcChroma, AcChroma);
                dcCr = EncodeBlock(bits, cr, chromaQ, dcCr, DcChroma, AcChroma);
            }
        }

        bits.Flush();
        output.WriteByte(0xFF);
        output.WriteByte(0xD9);
        return output.ToArray();
    }

    /// <summary>Level-shifted Y for a 16×16 macroblock and Cb, Cr averaged over 2×2 (edge pixels repeated).</summary>
    private static void LoadMacroblock(ReadOnlySpan<byte> rgb, int width, int height, int mx, int my, Span<float> y, Span<float> cb, Span<float> cr)
    {
        cb.Clear();
        cr.Clear();
        for (var dy = 0; dy < 16; dy++)
        {
            var row = Math.Min(my + dy, height - 1) * width;
            for (var dx = 0; dx < 16; dx++)
            {
                var i = (row + Math.Min(mx + dx, width - 1)) * 3;
                float r = rgb[i], g = rgb[i + 1], b = rgb[i + 2];
                y[(dy * 16) + dx] = (0.299f * r) + (0.587f * g) + (0.114f * b) - 128f;
                var c = ((dy >> 1) * 8) + (dx >> 1);
                cb[c] += ((-0.168736f * r) - (0.331264f * g) + (0.5f * b)) * 0.25f;
                cr[c] += ((0.5f * r) - (0.418688f * g) - (0.081312f * b)) * 0.25f;
            }
        }
    }

    /// <summary>Forward DCT, quantisation and Huffman coding of one 8×8 block; returns its DC for the next block's difference.</summary>
    private static int EncodeBlock(BitWriter bits, ReadOnlySpan<float> block, ReadOnlySpan<int> quant, int previousDc, HuffmanTable dc, HuffmanTable ac)
    {
        Span<float> rows = stackalloc float[64];
        Span<int> coefficients = stackalloc int[64];
        for (var y = 0; y < 8; y++)
        {
            for (var u = 0; u < 8; u++)
            {
                var sum = 0f;
                for (var x = 0; x < 8; x++)
                {
                    sum += block[(y * 8) + x] * Cosines[(u * 8) + x];
                }

                rows[(y * 8) + u] = sum;
            }
        }

        for (var v = 0; v < 8; v++)
        {
            for (var u = 0; u < 8; u++)
            {
                var sum = 0f;
                for (var y = 0; y < 8; y++)
                {
                    sum += rows[(y * 8) + u] * Cosines[(v * 8) + y];
                }

                var natural = (v * 8) + u;
                coefficients[natural] = (int)MathF.Round(sum / quant[natural]);
            }
        }

        var diff = coefficients[0] - previousDc;
        var size = Magnitude(diff);
        dc.Write(bits, size);
        bits.Write(Amplitude(diff, size), size);
        var zeros = 0;
        for (var k = 1; k < 64; k++)
        {
            var value = coefficients[ZigZag[k]];
            if (value == 0)
            {
                zeros++;
                continue;
            }

            for (; zeros >= 16; zeros -= 16)
            {
                ac.Write(bits, 0xF0);
            }

            size = Magnitude(value);
            ac.Write(bits, (zeros << 4) | size);
            bits.Write(Amplitude(value, size), size);
            zeros = 0;
        }

        if (zeros > 0)
        {
            ac.Write(bits, 0x00);
        }

        return coefficients[0];
    }

    private static int Magnitude(int value)
    {
        var v = Math.Abs(value);
        var size = 0;
        while (v > 0)
        {
            size++;
            v >>= 1;
        }

        return size;
    }

    /// <summary>A coefficient's bits: itself when positive, else its one's complement in <paramref name="size"/> bits.</summary>
    private static int Amplitude(int value, int size) => value >= 0 ? value : value + (1 << size) - 1;

    private static int[] Scale(byte[] table, int quality)
    {
        quality = Math.Clamp(quality, 1, 100);
        var scale = quality < 50 ? 5000 / quality : 200 - (2 * quality);
        return [.. table.Select(q => Math.Clamp(((q * scale) + 50) / 100, 1, 255))];
    }

    private static float[] MakeCosines()
    {
        var table = new float[64];
        for (var u = 0; u < 8; u++)
        {
            var c = u == 0 ? 1 / MathF.Sqrt(2) : 1f;
            for (var x = 0; x < 8; x++)
            {
                table[(u * 8) + x] = c / 2 * MathF.Cos(((2 * x) + 1) * u * MathF.PI / 16);
            }
        }

        return table;
    }

    private static void WriteHeaders(Stream output, int width, int height, int[] lumaQ, int[] chromaQ)
    {
        void Marker(int marker, ReadOnlySpan<byte> payload)
        {
            output.WriteByte(0xFF);
            output.WriteByte((byte)marker);
            output.WriteByte((byte)((payload.Length + 2) >> 8));
            output.WriteByte((byte)(payload.Length + 2));
            output.Write(payload);
        }

        output.WriteByte(0xFF);
        output.WriteByte(0xD8);
        Marker(0xE0, [(byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        var dqt = new byte[130];
        dqt[0] = 0;
        dqt[65] = 1;
        for (var k = 0; k < 64; k++)
        {
            dqt[1 + k] = (byte)lumaQ[ZigZag[k]];
            dqt[66 + k] = (byte)chromaQ[ZigZag[k]];
        }

        Marker(0xDB, dqt);
        Marker(0xC0, [8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        var dht = new List<byte>();
        foreach (var (klass, bitsOf, values) in new[] { (0x00, DcLumaBits, DcValues), (0x10, AcLumaBits, AcLumaValues), (0x01, DcChromaBits, DcValues), (0x11, AcChromaBits, AcChromaValues) })
        {
            dht.Add((byte)klass);
            dht.AddRange(bitsOf);
            dht.AddRange(values);
        }

        Marker(0xC4, dht.ToArray());
        Marker(0xDA, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
    }

    /// <summary>Code and length per symbol, built from the table's BITS and HUFFVAL lists (JPEG Annex C).</summary>
    private sealed class HuffmanTable
    {
        private readonly int[] _code = new int[256];
        private readonly int[] _length = new int[256];

        public HuffmanTable(byte[] bits, byte[] values)
        {
            int code = 0, k = 0;
            for (var length = 1; length <= 16; length++)
            {
                for (var i = 0; i < bits[length - 1]; i++, k++)
                {
                    _code[values[k]] = code++;
                    _length[values[k]] = length;
                }

                code <<= 1;
            }
        }

        public void Write(BitWriter bits, int symbol) => bits.Write(_code[symbol], _length[symbol]);
    }

    /// <summary>Entropy-coded bits, most significant first, with a 0x00 stuffed after every 0xFF byte.</summary>
    private sealed class BitWriter(Stream output)
    {
        private int _buffer;
        private int _count;

        public void Write(int value, int length)
        {
            for (var i = length - 1; i >= 0; i--)
            {
                _buffer = (_buffer << 1) | ((value >> i) & 1);
                if (++_count == 8)
                {
                    Emit();
                }
            }
        }

        /// <summary>Pads the last byte with 1 bits, as the standard asks.</summary>
        public void Flush()
        {
            while (_count != 0)
            {
                Write(1, 1);
            }
        }

        private void Emit()
        {
            output.WriteByte((byte)_buffer);
            if (_buffer == 0xFF)
            {
                output.WriteByte(0);
            }

            _buffer = 0;
            _count = 0;
        }
    }
}
