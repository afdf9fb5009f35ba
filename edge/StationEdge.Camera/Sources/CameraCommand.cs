using System.Globalization;
using System.Text;

namespace StationEdge.Camera;

/// <summary>
/// The child processes one camera run starts: ffmpeg writing raw rgb24 frames of exactly Width×Height×3 bytes to its
/// stdout, and for <see cref="CameraSourceKind.Rpicam"/> an <c>rpicam-vid</c> whose raw YUV420 output is fed to ffmpeg's
/// stdin. Built here, apart from running them, so every source's command line can be checked without its hardware.
/// </summary>
public sealed record CameraCommand(string FfmpegPath, IReadOnlyList<string> FfmpegArguments, string? RpicamPath, IReadOnlyList<string> RpicamArguments)
{
    /// <summary>The command lines for <paramref name="source"/> under <paramref name="options"/>.</summary>
    public static CameraCommand For(CameraSource source, CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var size = $"{options.Width}x{options.Height}";
        var fps = options.Fps.ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error" };
        var filters = FitFilters(options);
        IReadOnlyList<string> rpicam = [];
        switch (source.Kind)
        {
            case CameraSourceKind.Device:
                args.AddRange(["-f", "v4l2"]);
                if (options.InputFormat != CameraInputFormat.Auto)
                {
                    args.AddRange(["-input_format", options.InputFormat == CameraInputFormat.Mjpeg ? "mjpeg" : "yuyv422"]);
                }

                args.AddRange(["-video_size", size, "-framerate", fps, "-i", source.Location]);
                break;
            case CameraSourceKind.Rtsp:
                // -timeout (µs) ends a read that hangs on a dead camera; the stall watch covers a camera that connects but sends nothing.
                var timeoutUs = ((long)options.StallMs * 1000).ToString(CultureInfo.InvariantCulture);
                args.AddRange(["-rtsp_transport", "tcp", "-timeout", timeoutUs, "-fflags", "nobuffer", "-flags", "low_delay", "-i", source.Location]);
                break;
            case CameraSourceKind.VideoFile:
                args.Add("-re");
                if (options.Loop)
                {
                    args.AddRange(["-stream_loop", "-1"]);
                }

                args.AddRange(["-i", source.Location]);
                break;
            case CameraSourceKind.Lavfi:
                args.AddRange(["-re", "-f", "lavfi", "-i", source.Location]);
                break;
            case CameraSourceKind.PhotoFolder:
                args.AddRange(["-re", "-f", "lavfi", "-i", PhotoGraph(source.Photos, options)]);
                filters = null;
                break;
            case CameraSourceKind.Rpicam:
                args.AddRange(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", size, "-framerate", fps, "-i", "pipe:0"]);
                rpicam = ["--nopreview", "--width", options.Width.ToString(CultureInfo.InvariantCulture),
                    "--height", options.Height.ToString(CultureInfo.InvariantCulture), "--framerate", fps,
                    "--codec", "yuv420", "--flush", "-t", "0", "-o", "-"];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(source), source.Kind, "unknown camera source kind");
        }

        args.AddRange(["-an", "-sn", "-dn"]);
        if (filters is not null)
        {
            args.AddRange(["-vf", filters]);
        }

        // passthrough: the fps filter already made the rate; flush_packets: a frame's last bytes must not wait in
        // ffmpeg's output buffer for the next frame.
        args.AddRange(["-fps_mode", "passthrough", "-pix_fmt", "rgb24", "-f", "rawvideo", "-flush_packets", "1", "pipe:1"]);
        return new CameraCommand(
            options.FfmpegPath,
            args,
            source.Kind == CameraSourceKind.Rpicam ? options.RpicamPath : null,
            rpicam);
    }

    /// <summary>The command lines as a shell would show them, for logs.</summary>
    public override string ToString()
    {
        var ffmpeg = Quote(FfmpegPath, FfmpegArguments);
        return RpicamPath is null ? ffmpeg : Quote(RpicamPath, RpicamArguments) + " | " + ffmpeg;
    }

    /// <summary>Rate first (frames it drops are never scaled), then fit inside the frame keeping the aspect, black bars.</summary>
    private static string FitFilters(CameraOptions o) =>
        $"fps={o.Fps},scale={o.Width}:{o.Height}:force_original_aspect_ratio=decrease:flags=bilinear,"
        + $"pad={o.Width}:{o.Height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=rgb24";

    /// <summary>
    /// One <c>movie</c> source per photo, each fitted to the frame, held for PhotoSeconds, and concatenated. A concat
    /// demuxer cannot do this: it decodes every file with the first file's decoder, so a PNG after a JPEG fails.
    /// </summary>
    private static string PhotoGraph(IReadOnlyList<string> photos, CameraOptions o)
    {
        var frames = Math.Max(1, (int)Math.Round(o.PhotoSeconds * o.Fps));
        var fit = $"scale={o.Width}:{o.Height}:force_original_aspect_ratio=decrease,pad={o.Width}:{o.Height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=rgb24";
        var graph = new StringBuilder();
        for (var i = 0; i < photos.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture,
                $"movie=filename={EscapeFilterValue(photos[i])},{fit},loop=loop=-1:size=1,setpts=N/{o.Fps}/TB,trim=end_frame={frames}[p{i}];");
        }

        for (var i = 0; i < photos.Count; i++)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[p{i}]");
        }

        graph.Append(CultureInfo.InvariantCulture, $"concat=n={photos.Count}:v=1:a=0,fps={o.Fps}");
        return graph.ToString();
    }

    /// <summary>
    /// Escapes a filter option value for use inside a filter graph (ffmpeg-filters, "Notes on filtergraph escaping"):
    /// once for the option parser, then once more for the graph parser.
    /// </summary>
    internal static string EscapeFilterValue(string value) => Escape(Escape(value, @"\':"), @"\'[],;");

    private static string Escape(string value, string special)
    {
        var result = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (special.Contains(c, StringComparison.Ordinal))
            {
                result.Append('\\');
            }

            result.Append(c);
        }

        return result.ToString();
    }

    private static string Quote(string program, IReadOnlyList<string> args) =>
        string.Join(' ', args.Prepend(program).Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,+@%".Contains(c, StringComparison.Ordinal))
            ? a
            : "'" + a.Replace("'", @"'\''", StringComparison.Ordinal) + "'"));
}
