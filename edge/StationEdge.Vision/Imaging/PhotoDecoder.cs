using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using StationEdge.Configuration;

namespace StationEdge.Vision.Imaging;

/// <summary>
/// Decodes photos (JPEG, PNG, WebP, BMP, GIF, TIFF, binary PPM; the first frame of animations) to <see cref="RgbImage"/>
/// through an ffmpeg child process that writes one PAM image (header with the size, then pixels) to its stdout.
/// <list type="bullet">
/// <item>The format is read from the file's magic bytes and named to ffmpeg (<c>-f jpeg_pipe</c> …), with only the
/// <c>file</c> protocol allowed: ffmpeg never probes, so a playlist or pattern disguised as a photo goes nowhere.</item>
/// <item>Only regular files are opened: a FIFO, device, socket or folder is refused by what it is, found without
/// opening it (opening a FIFO blocks). A photo read from a pipe is decoded from its bytes instead.</item>
/// <item>HEIC, AVIF and other HEIF photos are recognised by their content and refused by name: ffmpeg 5.1 cannot
/// decode them.</item>
/// <item>EXIF orientation (JPEG APP1, PNG eXIf) is applied here, not by ffmpeg (<c>-noautorotate</c>): Debian's 5.1 build turns
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

    /// <summary>
    /// Decodes <paramref name="path"/>; throws <see cref="PhotoDecodeException"/> with a one-line reason on bad input
    /// and <see cref="FfmpegUnavailableException"/> when ffmpeg cannot be run.
    /// </summary>
    public async Task<DecodedPhoto> DecodeAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ct.ThrowIfCancellationRequested();
        return await DecodeAsync(new Input(path, null), ReadHeader(path), ct);
    }

    /// <summary>
    /// Decodes a photo held in memory (read from a pipe, say), named <paramref name="name"/> in messages; ffmpeg
    /// reads it from its stdin.
    /// </summary>
    public async Task<DecodedPhoto> DecodeAsync(byte[] bytes, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ct.ThrowIfCancellationRequested();
        if (bytes.Length == 0)
        {
            throw new PhotoDecodeException(name, "empty, not an image");
        }

        using var stream = new MemoryStream(bytes, writable: false);
        return await DecodeAsync(new Input(name, bytes), ImageFileHeader.Read(stream), ct);
    }

    private async Task<DecodedPhoto> DecodeAsync(Input input, ImageFileInfo info, CancellationToken ct)
    {
        var path = input.Name;
        if (info.Unsupported is { } format)
        {
            throw new PhotoDecodeException(path, $"{format} is not supported: convert to JPEG or PNG");
        }

        if (info.Format == ImageFileFormat.Unknown)
        {
            throw new PhotoDecodeException(path, "not a decodable image (content is not JPEG, PNG, WebP, BMP, GIF, TIFF or PPM)");
        }

        var (image, inputSize) = await RunFfmpegAsync(input, info, ct);
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
        if (FileInspector.NotRegularReason(path) is { } notRegular)
        {
            throw new PhotoDecodeException(path, notRegular);
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

    private async Task<(RgbImage Image, (int Width, int Height)? InputSize)> RunFfmpegAsync(Input input, ImageFileInfo info, CancellationToken ct)
    {
        var path = input.Name;
        using var process = Start(input, info);
        var log = new FfmpegLog();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.Timeout);
        var token = timeout.Token;

        // Killing on cancellation ends the pipes, so the reads below finish even where a pipe read ignores its token.
        await using var killOnCancel = token.Register(() => Kill(process));

        RgbImage? image = null;
        Exception? outputFailure = null;
        var stderr = PumpStderrAsync(process.StandardError, log, token);
        var stdin = FeedStdinAsync(process, input.Bytes, token);
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
            await stdin;
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

    private Process Start(Input input, ImageFileInfo info)
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
        foreach (var arg in Arguments(input.Bytes is null ? "file:" + Path.GetFullPath(input.Name) : "pipe:0", info, Options.MaxSide))
        {
            psi.ArgumentList.Add(arg);
        }

        try
        {
            var process = Process.Start(psi) ?? throw new FfmpegUnavailableException($"cannot start ffmpeg ('{Options.FfmpegPath}')");
            if (input.Bytes is null)
            {
                process.StandardInput.Close();
            }

            return process;
        }
        catch (Win32Exception e) when (e.NativeErrorCode == 2)
        {
            var where = Options.FfmpegPath.Contains('/', StringComparison.Ordinal) ? Options.FfmpegPath : $"{Options.FfmpegPath} on PATH";
            throw new FfmpegUnavailableException($"ffmpeg is not installed (no {where}): apt-get install ffmpeg", e);
        }
        catch (Win32Exception e)
        {
            throw new FfmpegUnavailableException($"cannot start ffmpeg ('{Options.FfmpegPath}'): {e.Message}", e);
        }
    }

    /// <summary>Writes an in-memory photo to ffmpeg's stdin, then closes it; nothing for a file.</summary>
    private static async Task FeedStdinAsync(Process process, byte[]? bytes, CancellationToken ct)
    {
        if (bytes is null)
        {
            return;
        }

        try
        {
            await process.StandardInput.BaseStream.WriteAsync(bytes, ct);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // ffmpeg stopped reading (it gave up on the data): its log says why.
        }
    }

    /// <param name="input">"file:" and the full path, or "pipe:0" for a photo fed on stdin.</param>
    internal static List<string> Arguments(string input, ImageFileInfo info, int maxSide)
    {
        List<string> args =
        [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info",
            "-protocol_whitelist", input == "pipe:0" ? "pipe" : "file",
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
            "-i", input,
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

    /// <summary>A photo by name: a file, or bytes already read (<see cref="Bytes"/> non-null).</summary>
    private sealed record Input(string Name, byte[]? Bytes);

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
