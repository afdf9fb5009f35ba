using System.Buffers.Binary;
using System.Diagnostics;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Tests.Support;

namespace StationEdge.Vision.Tests.Imaging;

public sealed class PhotoDecoderTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly PhotoDecoder _decoder = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Decode_Png8BitRgb_ReturnsTheExactPixels()
    {
        using var source = TestMedia.Pattern(37, 23);
        var path = _temp.File("rgb.png");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 37, 23, path);
        Assert.Equal("rgb24", TestMedia.PixelFormatOf(path));

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal((37, 23, 37, 23, 1.0, 1), (photo.Image.Width, photo.Image.Height, photo.OriginalWidth, photo.OriginalHeight, photo.Scale, photo.ExifOrientation));
        Assert.Equal(TestMedia.Bytes(source), TestMedia.Bytes(photo.Image));
    }

    [Fact]
    public async Task Decode_GreyPng_GivesEqualChannelsWithTheSameLevels()
    {
        var raw = new byte[256 * 2];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = (byte)i;
        }

        var path = _temp.File("grey.png");
        TestMedia.Encode(raw, "gray", 256, 2, path);
        Assert.Equal("gray", TestMedia.PixelFormatOf(path));

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        for (var x = 0; x < 256; x++)
        {
            Assert.Equal(((byte)x, (byte)x, (byte)x), photo.Image.GetPixel(x, 1));
        }
    }

    [Fact]
    public async Task Decode_16BitPng_ReducesEachChannelToWithinTwoLevels()
    {
        const int Width = 256;
        var raw = new byte[Width * 6];
        var expected = new (double R, double G, double B)[Width];
        for (var x = 0; x < Width; x++)
        {
            var r = (ushort)(x * 257 + 100);
            var g = (ushort)(65535 - (x * 200));
            var b = (ushort)(x * 131);
            BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(x * 6), r);
            BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(x * 6 + 2), g);
            BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(x * 6 + 4), b);
            expected[x] = (r / 257.0, g / 257.0, b / 257.0);
        }

        var path = _temp.File("deep.png");
        TestMedia.Encode(raw, "rgb48le", Width, 1, path, "-pix_fmt", "rgb48be");
        Assert.Equal("rgb48be", TestMedia.PixelFormatOf(path));

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        // swscale reduces 16 bits as (v + 128) >> 8, not v / 257: up to 1.5 levels off the exact value.
        for (var x = 0; x < Width; x++)
        {
            var (r, g, b) = photo.Image.GetPixel(x, 0);
            Assert.InRange(r, expected[x].R - 2, expected[x].R + 2);
            Assert.InRange(g, expected[x].G - 2, expected[x].G + 2);
            Assert.InRange(b, expected[x].B - 2, expected[x].B + 2);
        }
    }

    [Theory]
    [InlineData(AlphaBackground.White, 255)]
    [InlineData(AlphaBackground.Black, 0)]
    public async Task Decode_RgbaPng_CompositesOverTheConfiguredBackground(AlphaBackground background, int bg)
    {
        // One colour (200, 40, 90) at four opacities.
        byte[] alphas = [0, 64, 128, 255];
        var raw = new byte[alphas.Length * 4];
        for (var i = 0; i < alphas.Length; i++)
        {
            raw[i * 4] = 200;
            raw[i * 4 + 1] = 40;
            raw[i * 4 + 2] = 90;
            raw[i * 4 + 3] = alphas[i];
        }

        var path = _temp.File("alpha.png");
        TestMedia.Encode(raw, "rgba", alphas.Length, 1, path);
        Assert.Equal("rgba", TestMedia.PixelFormatOf(path));
        var decoder = new PhotoDecoder(new PhotoDecoderOptions { AlphaBackground = background });

        var photo = await decoder.DecodeAsync(path, CancellationToken.None);

        for (var i = 0; i < alphas.Length; i++)
        {
            var a = alphas[i] / 255.0;
            var (r, g, b) = photo.Image.GetPixel(i, 0);
            Assert.InRange(r, (200 * a) + (bg * (1 - a)) - 1, (200 * a) + (bg * (1 - a)) + 1);
            Assert.InRange(g, (40 * a) + (bg * (1 - a)) - 1, (40 * a) + (bg * (1 - a)) + 1);
            Assert.InRange(b, (90 * a) + (bg * (1 - a)) - 1, (90 * a) + (bg * (1 - a)) + 1);
        }
    }

    [Fact]
    public async Task Decode_PalettePng_ReturnsThePaletteColours()
    {
        // Eight flat colours: palettegen keeps each exactly, so the palette PNG holds the source exactly.
        using var source = new RgbImage(32, 16);
        byte[][] colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255], [255, 0, 255], [20, 30, 40], [250, 250, 250]];
        for (var i = 0; i < colours.Length; i++)
        {
            source.Fill(colours[i][0], colours[i][1], colours[i][2], new System.Drawing.Rectangle(i % 4 * 8, i / 4 * 8, 8, 8));
        }

        var path = _temp.File("palette.png");
        TestMedia.Encode(
            TestMedia.Bytes(source), "rgb24", 32, 16, path,
            "-filter_complex", "split[a][b];[a]palettegen=reserve_transparent=0:stats_mode=full[p];[b][p]paletteuse=dither=none");
        Assert.Equal("pal8", TestMedia.PixelFormatOf(path));

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal(TestMedia.Bytes(source), TestMedia.Bytes(photo.Image));
    }

    [Fact]
    public async Task Decode_BmpAndLosslessWebp_ReturnTheExactPixels()
    {
        using var source = TestMedia.Pattern(20, 12);
        var bmp = _temp.File("p.bmp");
        var webp = _temp.File("p.webp");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 20, 12, bmp);
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 20, 12, webp, "-c:v", "libwebp", "-lossless", "1");

        var fromBmp = await _decoder.DecodeAsync(bmp, CancellationToken.None);
        var fromWebp = await _decoder.DecodeAsync(webp, CancellationToken.None);

        Assert.Equal(TestMedia.Bytes(source), TestMedia.Bytes(fromBmp.Image));
        Assert.Equal(TestMedia.Bytes(source), TestMedia.Bytes(fromWebp.Image));
    }

    [Fact]
    public async Task Decode_PpmWrittenByPpmWriter_RoundTripsExactly()
    {
        using var source = TestMedia.Pattern(33, 21);
        var path = _temp.File("dump.ppm");
        PpmWriter.WriteFile(source, path);

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal(TestMedia.Bytes(source), TestMedia.Bytes(photo.Image));
    }

    [Fact]
    public async Task Decode_Jpeg_GivesTheQuadrantColoursWithinJpegLoss()
    {
        using var source = new RgbImage(64, 48);
        source.Fill(220, 30, 30, new(0, 0, 32, 24));
        source.Fill(30, 200, 40, new(32, 0, 32, 24));
        source.Fill(40, 60, 210, new(0, 24, 32, 24));
        source.Fill(240, 240, 240, new(32, 24, 32, 24));
        var path = _temp.File("quadrants.jpg");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 64, 48, path, "-q:v", "2");

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal((64, 48), (photo.Image.Width, photo.Image.Height));
        foreach (var (x, y) in new[] { (16, 12), (48, 12), (16, 36), (48, 36) })
        {
            var expected = source.GetPixel(x, y);
            var actual = photo.Image.GetPixel(x, y);
            Assert.InRange(actual.R, expected.R - 12, expected.R + 12);
            Assert.InRange(actual.G, expected.G - 12, expected.G + 12);
            Assert.InRange(actual.B, expected.B - 12, expected.B + 12);
        }
    }

    [Theory]
    [InlineData(1, true, 64, 48, 0, 0)]
    [InlineData(3, false, 64, 48, 63, 47)]
    [InlineData(3, true, 64, 48, 63, 47)]
    [InlineData(6, false, 48, 64, 47, 0)]
    [InlineData(6, true, 48, 64, 47, 0)]
    [InlineData(8, false, 48, 64, 0, 63)]
    [InlineData(8, true, 48, 64, 0, 63)]
    public async Task Decode_JpegWithExifOrientation_PutsTheTopLeftMarkerInTheDisplayedCorner(
        int orientation, bool littleEndian, int width, int height, int cornerX, int cornerY)
    {
        var plain = MarkedPhoto("plain.jpg", "-q:v", "2");
        var tagged = _temp.File($"o{orientation}{(littleEndian ? "le" : "be")}.jpg");
        File.WriteAllBytes(tagged, WithExifOrientation(File.ReadAllBytes(plain), orientation, littleEndian));

        var photo = await _decoder.DecodeAsync(tagged, CancellationToken.None);

        AssertMarkerIn(photo, orientation, width, height, cornerX, cornerY);
    }

    [Theory]
    [InlineData(6, true, false, 48, 64, 47, 0)]
    [InlineData(6, false, false, 48, 64, 47, 0)]
    [InlineData(3, true, true, 64, 48, 63, 47)]
    [InlineData(8, true, false, 48, 64, 0, 63)]
    [InlineData(2, false, true, 64, 48, 63, 0)]
    public async Task Decode_PngWithExifOrientation_PutsTheTopLeftMarkerInTheDisplayedCorner(
        int orientation, bool beforeImageData, bool exifPrefix, int width, int height, int cornerX, int cornerY)
    {
        var plain = MarkedPhoto("plain.png");
        var tagged = _temp.File($"o{orientation}.png");
        File.WriteAllBytes(tagged, WithPngExifOrientation(File.ReadAllBytes(plain), orientation, beforeImageData, exifPrefix));

        var photo = await _decoder.DecodeAsync(tagged, CancellationToken.None);

        AssertMarkerIn(photo, orientation, width, height, cornerX, cornerY);
    }

    [Theory]
    [InlineData("heic", "mif1", "photo.heic", "HEIC")]
    [InlineData("mif1", "heic", "IMG_0001.jpg", "HEIC")]
    [InlineData("heix", "mif1", "photo.png", "HEIC")]
    [InlineData("avif", "mif1", "photo.avif", "AVIF")]
    [InlineData("mif1", "avif", "photo.jpg", "AVIF")]
    [InlineData("mif1", "miaf", "photo.jpeg", "HEIF")]
    public async Task Decode_HeifByContent_SaysTheFormatIsNotSupportedAndWhatToConvertTo(string major, string compatible, string name, string format)
    {
        // An ISO-BMFF file starts with its ftyp box: size, "ftyp", major brand, minor version, compatible brands.
        var ftyp = new byte[24];
        BinaryPrimitives.WriteUInt32BigEndian(ftyp, 24);
        "ftyp"u8.CopyTo(ftyp.AsSpan(4));
        System.Text.Encoding.ASCII.GetBytes(major).CopyTo(ftyp, 8);
        System.Text.Encoding.ASCII.GetBytes(major).CopyTo(ftyp, 16);
        System.Text.Encoding.ASCII.GetBytes(compatible).CopyTo(ftyp, 20);
        var path = _temp.File(name);
        File.WriteAllBytes(path, [.. ftyp, .. new byte[] { 0, 0, 0, 8 }, .. "meta"u8, .. new byte[200]]);

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.Equal($"{path}: {format} is not supported: convert to JPEG or PNG", e.Message);
    }

    [Fact]
    public async Task Decode_Fifo_SaysItIsAFifoWithoutWaitingForAWriter()
    {
        var path = _temp.File("camera.jpg");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
        }

        // Opening a FIFO to read blocks the thread until something writes to it: on another thread, with a bound,
        // so a hang fails the test instead of stalling the run.
        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => Task.Run(() => _decoder.DecodeAsync(path, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(path + ": is a FIFO, not a regular file", e.Message);
    }

    [Fact]
    public async Task Decode_CharacterDevice_SaysSo()
    {
        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync("/dev/zero", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal("/dev/zero: is a character device, not a regular file", e.Message);
    }

    [Fact]
    public async Task Decode_Bytes_GivesThePixelsOfTheSameFile()
    {
        using var source = TestMedia.Pattern(37, 23);
        var path = _temp.File("rgb.png");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 37, 23, path);

        var photo = await _decoder.DecodeAsync(File.ReadAllBytes(path), "stdin", CancellationToken.None);

        Assert.Equal(TestMedia.Bytes(source), TestMedia.Bytes(photo.Image));
    }

    [Fact]
    public async Task Decode_TruncatedBytes_AreRejectedNamingTheSource()
    {
        using var source = TestMedia.Pattern(320, 240);
        var whole = _temp.File("whole.jpg");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 320, 240, whole);
        var bytes = File.ReadAllBytes(whole);

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(bytes[..(bytes.Length / 2)], "-", CancellationToken.None));

        Assert.StartsWith("-: truncated or corrupt image (ffmpeg: ", e.Message);
    }

    [Fact]
    public async Task Decode_TruncatedJpeg_IsRejectedNamingTheFile()
    {
        using var source = TestMedia.Pattern(320, 240);
        var whole = _temp.File("whole.jpg");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 320, 240, whole);
        var bytes = File.ReadAllBytes(whole);
        var path = _temp.File("half.jpg");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.StartsWith(path + ": truncated or corrupt image (ffmpeg: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Decode_TruncatedPng_IsRejectedNamingTheFile()
    {
        using var source = TestMedia.Pattern(200, 100);
        var whole = _temp.File("whole.png");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 200, 100, whole);
        var bytes = File.ReadAllBytes(whole);
        var path = _temp.File("cut.png");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 3 / 4)]);

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("(ffmpeg: ", e.Message);
    }

    [Fact]
    public async Task Decode_JpegMissingOnlyItsEndMarker_IsAccepted()
    {
        using var source = TestMedia.Pattern(64, 64);
        var whole = _temp.File("whole.jpg");
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 64, 64, whole);
        var bytes = File.ReadAllBytes(whole);
        Assert.Equal([0xFF, 0xD9], bytes[^2..]);
        var path = _temp.File("noeoi.jpg");
        File.WriteAllBytes(path, bytes[..^2]);

        var complete = await _decoder.DecodeAsync(whole, CancellationToken.None);
        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal(TestMedia.Bytes(complete.Image), TestMedia.Bytes(photo.Image));
    }

    [Fact]
    public async Task Decode_TextFileNamedJpg_SaysItIsNotAnImage()
    {
        var path = _temp.File("notes.jpg");
        await File.WriteAllTextAsync(path, "this is not a photo\n");

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": not a decodable image", e.Message);
    }

    [Fact]
    public async Task Decode_JpegSignatureWithGarbage_ReportsFfmpegsReason()
    {
        var path = _temp.File("garbage.jpg");
        await File.WriteAllBytesAsync(path, [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x41, 0x42, .. "not really a jpeg at all"u8]);

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.StartsWith(path + ": not a decodable image (ffmpeg: ", e.Message);
        Assert.EndsWith(")", e.Message);
    }

    [Fact]
    public async Task Decode_EmptyFile_SaysSo()
    {
        var path = _temp.File("empty.png");
        await File.WriteAllBytesAsync(path, []);

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.Equal(path + ": empty file, not an image", e.Message);
    }

    [Fact]
    public async Task Decode_OnePixelPng_GivesOnePixel()
    {
        var path = _temp.File("dot.png");
        TestMedia.Encode([10, 200, 30], "rgb24", 1, 1, path);

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal((1, 1), (photo.Image.Width, photo.Image.Height));
        Assert.Equal(((byte)10, (byte)200, (byte)30), photo.Image.GetPixel(0, 0));
    }

    [Fact]
    public async Task Decode_12000PxWidePng_IsBoundedTo4096WithItsAspectAndReportsTheOriginal()
    {
        var path = _temp.File("wide.png");
        TestMedia.Ffmpeg("-f", "lavfi", "-i", "color=c=red:s=12000x300,format=rgb24", "-frames:v", "1", path);
        Assert.Equal("rgb24", TestMedia.PixelFormatOf(path));

        var photo = await _decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal(4096, photo.Image.Width);
        Assert.InRange(photo.Image.Height, 102, 103);
        Assert.Equal((12000, 300), (photo.OriginalWidth, photo.OriginalHeight));
        Assert.Equal(4096.0 / 12000, photo.Scale, 1e-9);
        Assert.Equal(((byte)255, (byte)0, (byte)0), photo.Image.GetPixel(2000, 50));
    }

    [Fact]
    public async Task Decode_LargeJpeg_DecodesReducedAndReportsTheOriginalSize()
    {
        // 8400 px is over twice the bound, so ffmpeg decodes it at half resolution before scaling to 1000.
        var path = _temp.File("large.jpg");
        TestMedia.Ffmpeg("-f", "lavfi", "-i", "color=c=0x2050C0:s=8400x600", "-frames:v", "1", path);
        var decoder = new PhotoDecoder(new PhotoDecoderOptions { MaxSide = 1000 });

        var photo = await decoder.DecodeAsync(path, CancellationToken.None);

        Assert.Equal(1000, photo.Image.Width);
        Assert.InRange(photo.Image.Height, 71, 72);
        Assert.Equal((8400, 600), (photo.OriginalWidth, photo.OriginalHeight));
        Assert.Equal(1000.0 / 8400, photo.Scale, 1e-9);
        var (r, g, b) = photo.Image.GetPixel(500, 35);
        Assert.InRange(r, 0x20 - 6, 0x20 + 6);
        Assert.InRange(g, 0x50 - 6, 0x50 + 6);
        Assert.InRange(b, 0xC0 - 6, 0xC0 + 6);
    }

    [Fact]
    public async Task Decode_OverTheBound_AgreesWithImageOpsAreaReductionOfTheFullDecode()
    {
        // Two independent area reductions, ffmpeg's scaler and ours, of the same smooth content.
        using var source = new RgbImage(4000, 200);
        for (var y = 0; y < 200; y++)
        {
            for (var x = 0; x < 4000; x++)
            {
                source.SetPixel(x, y, (byte)(128 + (120 * Math.Sin(x / 90.0))), (byte)(y * 255 / 200), (byte)((x / 40) + (y / 40)) % 2 == 0 ? (byte)0 : (byte)200);
            }
        }

        var path = _temp.File("wide.ppm");
        PpmWriter.WriteFile(source, path);

        var reduced = await new PhotoDecoder(new PhotoDecoderOptions { MaxSide = 500 }).DecodeAsync(path, CancellationToken.None);
        using var ours = ImageOps.ResizeBilinear(source, reduced.Image.Width, reduced.Image.Height);

        Assert.Equal((500, 25), (reduced.Image.Width, reduced.Image.Height));
        Assert.Equal(0.125, reduced.Scale, 1e-9);
        Assert.All(TestMedia.Bytes(ours).Zip(TestMedia.Bytes(reduced.Image)), p => Assert.InRange(p.Second, p.First - 2, p.First + 2));
    }

    [Theory]
    [InlineData(12000, 9000, 4096, 1)]
    [InlineData(8191, 100, 4096, 0)]
    [InlineData(8192, 100, 4096, 1)]
    [InlineData(40000, 100, 4096, 3)]
    [InlineData(1920, 1080, 4096, 0)]
    public void LowresFactor_KeepsTheLongSideAtLeastTheBound(int width, int height, int maxSide, int expected)
    {
        Assert.Equal(expected, PhotoDecoder.LowresFactor(new ImageFileInfo(ImageFileFormat.Jpeg, width, height, 1), maxSide));
        Assert.Equal(0, PhotoDecoder.LowresFactor(new ImageFileInfo(ImageFileFormat.Png, width, height, 1), maxSide));
    }

    [Fact]
    public async Task Decode_MissingFile_SaysFileNotFound()
    {
        var path = _temp.File("nobody.jpg");

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(path, CancellationToken.None));

        Assert.Equal(path + ": file not found", e.Message);
    }

    [Fact]
    public async Task Decode_Directory_SaysItIsADirectory()
    {
        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => _decoder.DecodeAsync(_temp.Path, CancellationToken.None));

        Assert.Equal(_temp.Path + ": is a directory, not a regular file", e.Message);
    }

    [Fact]
    public async Task Decode_WithoutFfmpeg_SaysHowToInstallIt()
    {
        var path = _temp.File("dot.png");
        TestMedia.Encode([1, 2, 3], "rgb24", 1, 1, path);
        var decoder = new PhotoDecoder(new PhotoDecoderOptions { FfmpegPath = _temp.File("no-such-ffmpeg") });

        // A station without ffmpeg is a fault of the station, not a bad photo.
        var e = await Assert.ThrowsAsync<FfmpegUnavailableException>(() => decoder.DecodeAsync(path, CancellationToken.None));

        Assert.Equal($"ffmpeg is not installed (no {_temp.File("no-such-ffmpeg")}): apt-get install ffmpeg", e.Message);
    }

    [Fact]
    public async Task Decode_WhenFfmpegHangs_KillsItAfterTheTimeout()
    {
        var (fake, pidFile) = HangingFfmpeg();
        var path = _temp.File("dot.png");
        TestMedia.Encode([1, 2, 3], "rgb24", 1, 1, path);
        var decoder = new PhotoDecoder(new PhotoDecoderOptions { FfmpegPath = fake, Timeout = TimeSpan.FromMilliseconds(300) });

        var e = await Assert.ThrowsAsync<PhotoDecodeException>(() => decoder.DecodeAsync(path, CancellationToken.None));

        Assert.Equal(path + ": ffmpeg did not finish within 0.3 s and was stopped", e.Message);
        AssertProcessGone(int.Parse(File.ReadAllText(pidFile).Trim()));
    }

    [Fact]
    public async Task Decode_WhenCancelled_StopsFfmpegAndThrowsCancellation()
    {
        var (fake, pidFile) = HangingFfmpeg();
        var path = _temp.File("dot.png");
        TestMedia.Encode([1, 2, 3], "rgb24", 1, 1, path);
        var decoder = new PhotoDecoder(new PhotoDecoderOptions { FfmpegPath = fake });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decoder.DecodeAsync(path, cts.Token));

        AssertProcessGone(int.Parse(File.ReadAllText(pidFile).Trim()));
    }

    [FacesDevFact]
    public async Task Decode_EveryFacesDevPhoto_MatchesFfprobesSizeAndFfmpegsOwnPixels()
    {
        var folder = FacesDev.Folder;
        var photos = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(photos);
        foreach (var path in photos)
        {
            var photo = await _decoder.DecodeAsync(path, CancellationToken.None);
            var (w, h) = TestMedia.SizeOf(path);
            if (photo.ExifOrientation >= 5)
            {
                (w, h) = (h, w);
            }

            Assert.Equal((w, h), (photo.OriginalWidth, photo.OriginalHeight));
            Assert.True(photo.Image.Width <= 4096 && photo.Image.Height <= 4096, path);
            Assert.Equal(Math.Min(1.0, 4096.0 / Math.Max(w, h)), photo.Scale, 0.002);
        }

        // One photo against a plain independent ffmpeg decode: colour conversion and layout agree.
        var first = photos[0];
        var reference = _temp.File("reference.rgb");
        TestMedia.Ffmpeg("-noautorotate", "-i", first, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", reference);
        var decoded = await _decoder.DecodeAsync(first, CancellationToken.None);
        if (decoded.ExifOrientation == 1 && decoded.Scale == 1.0)
        {
            var expected = File.ReadAllBytes(reference);
            var actual = TestMedia.Bytes(decoded.Image);
            Assert.Equal(expected.Length, actual.Length);
            var meanDifference = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(meanDifference < 2.0, $"mean difference {meanDifference:F2} from ffmpeg's own decode of {first}");
        }
    }

    internal static byte[] WithExifOrientation(byte[] jpeg, int orientation, bool littleEndian)
    {
        byte[] payload = [.. "Exif\0\0"u8, .. ExifTiff(orientation, littleEndian)];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>
    /// The PNG with an eXIf chunk (the bare TIFF structure, or with the "Exif\0\0" prefix some writers add) right
    /// after IHDR, or just before IEND.
    /// </summary>
    internal static byte[] WithPngExifOrientation(byte[] png, int orientation, bool beforeImageData, bool exifPrefix)
    {
        byte[] data = exifPrefix ? [.. "Exif\0\0"u8, .. ExifTiff(orientation, littleEndian: false)] : ExifTiff(orientation, littleEndian: false);
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        "eXIf"u8.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal("IEND", System.Text.Encoding.ASCII.GetString(png, png.Length - 8, 4));
        var at = beforeImageData ? 8 + 25 : png.Length - 12;
        return [.. png[..at], .. chunk, .. png[at..]];
    }

    /// <summary>A TIFF header and IFD0 with one entry (0x0112 SHORT 1 = orientation), no next IFD.</summary>
    private static byte[] ExifTiff(int orientation, bool littleEndian)
    {
        var tiff = new byte[8 + 2 + 12 + 4];
        var le = littleEndian;
        tiff[0] = tiff[1] = (byte)(le ? 'I' : 'M');
        Put16(tiff, 2, 42, le);
        Put32(tiff, 4, 8, le);
        Put16(tiff, 8, 1, le);
        Put16(tiff, 10, 0x0112, le);
        Put16(tiff, 12, 3, le);
        Put32(tiff, 14, 1, le);
        Put16(tiff, 18, (ushort)orientation, le);
        return tiff;
    }

    /// <summary>CRC-32 (ISO 3309) over a PNG chunk's type and data.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
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

    private static void Put16(byte[] b, int at, ushort v, bool le)
    {
        if (le)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), v);
        }
    }

    private static void Put32(byte[] b, int at, uint v, bool le)
    {
        if (le)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        }
    }

    /// <summary>A 64×48 photo as stored: blue, with a red block at its top-left.</summary>
    private string MarkedPhoto(string name, params string[] encoderArgs)
    {
        using var source = TestMedia.Solid(64, 48, 20, 40, 220);
        source.Fill(230, 20, 20, new(0, 0, 16, 16));
        var path = _temp.File(name);
        TestMedia.Encode(TestMedia.Bytes(source), "rgb24", 64, 48, path, encoderArgs);
        return path;
    }

    /// <summary>The marked photo turned upright: the red block in the displayed corner, the opposite corner blue.</summary>
    private static void AssertMarkerIn(DecodedPhoto photo, int orientation, int width, int height, int cornerX, int cornerY)
    {
        Assert.Equal(orientation, photo.ExifOrientation);
        Assert.Equal((width, height), (photo.Image.Width, photo.Image.Height));
        Assert.Equal((width, height), (photo.OriginalWidth, photo.OriginalHeight));
        AssertRedish(photo.Image, Math.Clamp(cornerX, 4, width - 5), Math.Clamp(cornerY, 4, height - 5));
        AssertBlueish(photo.Image, Math.Clamp(width - 1 - cornerX, 4, width - 5), Math.Clamp(height - 1 - cornerY, 4, height - 5));
    }

    private static void AssertRedish(RgbImage image, int x, int y)
    {
        var (r, g, b) = image.GetPixel(x, y);
        Assert.True(r > 180 && g < 80 && b < 80, $"expected red at ({x}, {y}), got ({r}, {g}, {b})");
    }

    private static void AssertBlueish(RgbImage image, int x, int y)
    {
        var (r, g, b) = image.GetPixel(x, y);
        Assert.True(b > 180 && r < 80, $"expected blue at ({x}, {y}), got ({r}, {g}, {b})");
    }

    /// <summary>A stand-in for an ffmpeg stuck on a pathological file: it records its pid and sleeps.</summary>
    private (string Script, string PidFile) HangingFfmpeg()
    {
        var script = _temp.File("stuck-ffmpeg");
        var pidFile = _temp.File("stuck.pid");
        File.WriteAllText(script, $"#!/bin/sh\necho $$ > '{pidFile}'\nexec sleep 60\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return (script, pidFile);
    }

    private static void AssertProcessGone(int pid)
    {
        // Reaped, not just signalled: the decoder waits for the exit before it throws.
        try
        {
            using var p = Process.GetProcessById(pid);
            Assert.True(p.HasExited, $"process {pid} is still running");
        }
        catch (ArgumentException)
        {
            // No such process: gone.
        }
    }
}
