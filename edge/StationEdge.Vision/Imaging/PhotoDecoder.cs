using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Decodes photos (JPEG, PNG, WebP, BMP, GIF, TIFF, binary PPM; the first frame of animations) to <see cref="RgbImage"/>
/// through an ffmpeg child process that writes one PAM image (header with the size, then pixels) to its stdout.
/// <list type="bullet">
/// <item>The format is read from the file's magic bytes and named to ffmpeg (<c>-f jpeg_pipe</c> …), with only the
/// <c>file</c> protocol allowed: ffmpeg never probes, so a playlist or pattern disguised as a photo goes nowhere.</item>
/// <item>EXIF orientation (JPEG) is applied here, not by ffmpeg (<c>-noautorotate</c>): Debian's 5.1 build turns
/// 90°/180° tags into rotations itself but not the mirrored ones (2, 4, 5, 7), so one place does all eight.</item>
/// <item>Photos over <see cref="PhotoDecoderOptions.MaxSide"/> are downscaled inside ffmpeg (area filter); large JPEGs
/// are also decoded at 1/2, 1/4 or 1/8 resolution (<c>-lowres</c>), which roughly halves ffmpeg's memory for a
/// 100-megapixel photo.</item>
/// <item>16-bit, grey and palette images come out as 8-bit RGB; images with alpha are composited over
/// <see cref="PhotoDecoderOptions.AlphaBackground"/> (white by default).</item>
/// <item>A partial decode is rejected: ffmpeg fills a truncated JPEG's missing part with grey and exits 0, but any
/// error it logs while decoding makes this a <see cref="PhotoDecodeException"/> ("truncated or corrupt image"),
/// because an enrollment template from half a face is worse than asking for the photo again.</item>
/// </list>
/// Stateless apart from its options: one instance may decode several photos at once.
/// </summary>
public sealed class PhotoDecoder
{
    public PhotoDecoder(PhotoDecoderOptions? options = null)
    {
        Options = options ?? new PhotoDecoderOptions();
        if (Options.MaxSide < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"MaxSide must be positive, not {Options.MaxSide}");
        }

        if (Options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Timeout must be positive, not {Options.Timeout}");
        }
    }

    public PhotoDecoderOptions Options { get; }

    /// <summary>Decodes <paramref name="path"/>; throws <see cref="PhotoDecodeException"/> with a one-line reason on bad input.</summary>
    public async Task<DecodedPhoto> DecodeAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ct.ThrowIfCancellationRequested();
        var info = ReadHeader(path);
        if (info.Format == ImageFileFormat.Unknown)
        {
            throw new PhotoDecodeException(path, "not a decodable image (content is not JPEG, PNG, WebP, BMP, GIF, TIFF or PPM)");
        }

        var (image, inputSize) = await RunFfmpegAsync(path, info, ct);
        try
        {
            var (width, height) = info.Width > 0 && info.Height > 0 ? (info.Width, info.Height)
                : inputSize ?? throw new PhotoDecodeException(path, "ffmpeg did not report the image's size");
            var scale = Math.Min(1.0, (double)Math.Max(image.Width, image.Height) / Math.Max(width, height));
            var orientation = info.ExifOrientation;
            var upright = ImageOps.Orient(image, orientation);
            if (!ReferenceEquals(upright, image))
            {
                image.Dispose();
                image = upright;
            }

            return orientation >= 5
                ? new DecodedPhoto(image, height, width, scale, orientation)
                : new DecodedPhoto(image, width, height, scale, orientation);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private static ImageFileInfo ReadHeader(string path)
    {
        if (Directory.Exists(path))
        {
            throw new PhotoDecodeException(path, "is a directory, not an image file");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 4096);
            return stream.Length == 0
                ? throw new PhotoDecodeException(path, "empty file, not an image")
                : ImageFileHeader.Read(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PhotoDecodeException(path, "file not found", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PhotoDecodeException(path, "permission denied", e);
        }
        catch (IOException e)
        {
            throw new PhotoDecodeException(path, $"cannot read: {e.Message}", e);
        }
    }

    private async Task<(RgbImage Image, (int Width, int Height)? InputSize)> RunFfmpegAsync(string path, ImageFileInfo info, CancellationToken ct)
    {
        using var process = Start(path, info);
        var log = new FfmpegLog();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.Timeout);
        var token = timeout.Token;

        // Killing on cancellation ends the pipes, so the reads below finish even where a pipe read ignores its token.
        await using var killOnCancel = token.Register(() => Kill(process));

        RgbImage? image = null;
        Exception? outputFailure = null;
        var stderr = PumpStderrAsync(process.StandardError, log, token);
        try
        {
            image = await PamReader.ReadAsync(process.StandardOutput.BaseStream, Options.MaxSide, Options.AlphaBackground, token);

            // Anything after the one image would be a bug, but ffmpeg must not block writing it.
            await process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, token);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OperationCanceledException)
        {
            outputFailure = e;
            Kill(process);
        }

        try
        {
            await stderr;
            await process.WaitForExitAsync(token);
        }
        catch (OperationCanceledException e)
        {
            outputFailure ??= e;
            Kill(process);
        }

        if (token.IsCancellationRequested)
        {
            image?.Dispose();
            await ReapAsync(process);
            ct.ThrowIfCancellationRequested();
            throw new PhotoDecodeException(
                path,
                $"ffmpeg did not finish within {Options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s and was stopped");
        }

        var exitCode = process.ExitCode;
        if (image is null || exitCode != 0 || outputFailure is not null)
        {
            image?.Dispose();
            var why = log.Explain() ?? outputFailure?.Message ?? $"ffmpeg exited with code {exitCode} and no image";
            throw new PhotoDecodeException(path, $"not a decodable image (ffmpeg: {why})");
        }

        if (log.HasProblems)
        {
            image.Dispose();
            throw new PhotoDecodeException(path, $"truncated or corrupt image (ffmpeg: {log.Explain()})");
        }

        return (image, log.InputSize);
    }

    private Process Start(string path, ImageFileInfo info)
    {
        var psi = new ProcessStartInfo(Options.FfmpegPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        psi.Environment["AV_LOG_FORCE_NOCOLOR"] = "1";
        foreach (var arg in Arguments(path, info, Options.MaxSide))
        {
            psi.ArgumentList.Add(arg);
        }

        try
        {
            var process = Process.Start(psi) ?? throw new PhotoDecodeException(path, $"cannot start ffmpeg ('{Options.FfmpegPath}')");
            process.StandardInput.Close();
            return process;
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 2)
        {
            throw new PhotoDecodeException(path, $"ffmpeg not found ('{Options.FfmpegPath}'): apt-get install ffmpeg", e);
        }
        catch (Win32Exception e)
        {
            throw new PhotoDecodeException(path, $"cannot start ffmpeg ('{Options.FfmpegPath}'): {e.Message}", e);
        }
    }

    internal static List<string> Arguments(string path, ImageFileInfo info, int maxSide)
    {
        List<string> args =
        [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info",
            "-protocol_whitelist", "file",
            "-noautorotate",
            "-f", info.Demuxer,
        ];

        var lowres = LowresFactor(info, maxSide);
        if (lowres > 0)
        {
            args.AddRange(["-lowres", lowres.ToString(CultureInfo.InvariantCulture)]);
        }

        var side = maxSide.ToString(CultureInfo.InvariantCulture);
        args.AddRange(
        [
            "-i", "file:" + Path.GetFullPath(path),
            "-map", "0:v:0", "-frames:v", "1",
            "-vf", $"scale=w='min({side},iw)':h='min({side},ih)':force_original_aspect_ratio=decrease:flags=area+accurate_rnd+full_chroma_int,format=rgb24|rgba",
            "-f", "image2pipe", "-c:v", "pam", "pipe:1",
        ]);
        return args;
    }

    /// <summary>The largest JPEG DCT reduction (0-3) that still leaves the longer side at least <paramref name="maxSide"/>.</summary>
    internal static int LowresFactor(ImageFileInfo info, int maxSide)
    {
        if (info.Format != ImageFileFormat.Jpeg)
        {
            return 0;
        }

        var longSide = Math.Max(info.Width, info.Height);
        var k = 0;
        while (k < 3 && (longSide >> (k + 1)) >= maxSide)
        {
            k++;
        }

        return k;
    }

    private static async Task PumpStderrAsync(StreamReader reader, FfmpegLog log, CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            log.Add(line);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already gone.
        }
    }

    private static async Task ReapAsync(Process process)
    {
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // SIGKILL was sent; the kernel reaps it eventually and the caller must not wait on that.
        }
    }
}
