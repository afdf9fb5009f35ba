using System.Diagnostics;
using System.Globalization;

namespace StationEdge.Cli.Commands.Bench;

/// <summary>A face in one of the pinned demo photos (out/models/demo, npm @vladmandic/face-api), as station-edge detect boxes it.</summary>
internal sealed record DemoFace(string Photo, int X, int Y, int Width);

/// <summary>
/// Camera streams made by ffmpeg from the demo photos, for bench and the tests, the way ./deploy.sh demo makes its own:
/// a face cut out of a group photo and shown coming closer (from ~27 px between the eyes, too small to decide on, to
/// ~100), with an empty entrance between walk-ups. Made when needed, never kept in the repository.
/// </summary>
internal static class WalkUpMedia
{
    public const int Fps = 15;

    /// <summary>Frames of one walk-up (two seconds).</summary>
    public const int WalkUpFrames = 30;

    /// <summary>The one person in two demo photos (match: sample1 face 2 = sample3 face 2): enrolled from one, walking up in the other.</summary>
    public static readonly DemoFace WorkerEnrol = new("sample1", 1492, 268, 152);
    public static readonly DemoFace WorkerWalk = new("sample3", 1064, 257, 250);

    /// <summary>People who are in no other demo photo.</summary>
    public static readonly DemoFace[] Strangers =
    [
        new("sample2", 868, 250, 209),
        new("sample5", 360, 943, 203),
        new("sample6", 237, 539, 220),
        new("sample1", 852, 468, 175),
    ];

    /// <summary>The models folder whose demo/ holds the photos (the tests point it at theirs).</summary>
    public static string PhotosFolder { get; set; } = Path.Combine(Vision.Models.ModelDirectory.DefaultPath(), "demo");

    public static string PhotoPath(string photo) => Path.Combine(PhotosFolder, photo + ".jpg");

    /// <summary>The face with some of its surroundings, 4:3, as a PNG.</summary>
    public static string Cut(DemoFace face, string folder)
    {
        var output = Path.Combine(folder, $"{face.Photo}-{face.X}-{face.Y}.png");
        if (!File.Exists(output))
        {
            var h = face.Width * 12 / 5;
            var w = h * 4 / 3;
            var x = face.X + (face.Width / 2) - (w / 2);
            var y = face.Y + (face.Width / 2) - (h / 2);
            Ffmpeg("-i", PhotoPath(face.Photo), "-vf", $"crop={w}:{h}:max(0\\,min(iw-{w}\\,{x})):max(0\\,min(ih-{h}\\,{y}))", output);
        }

        return output;
    }

    /// <summary>A walk-up of <paramref name="face"/> (MJPEG, 640×480, 15 fps, <see cref="WalkUpFrames"/> frames).</summary>
    public static string WalkUp(DemoFace face, string folder)
    {
        var cut = Cut(face, folder);
        var output = Path.ChangeExtension(cut, ".walkup.mkv");
        if (!File.Exists(output))
        {
            Ffmpeg("-loop", "1", "-framerate", Num(Fps), "-i", cut,
                "-vf", $"pad=3*iw:3*ih:iw:ih:color=0x202020,zoompan=z='1+0.1*on':d={WalkUpFrames}:x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':s=640x480:fps={Fps},format=yuvj420p",
                "-frames:v", Num(WalkUpFrames), "-c:v", "mjpeg", "-q:v", "3", output);
        }

        return output;
    }

    /// <summary>
    /// <paramref name="face"/> standing still at the door for <paramref name="seconds"/> (MJPEG, 640×480, 15 fps), as a
    /// rider does while the keeper enrols them from the door camera.
    /// </summary>
    public static string Hold(DemoFace face, double seconds, string folder)
    {
        var cut = Cut(face, folder);
        var output = Path.ChangeExtension(cut, $".hold-{Num(seconds)}.mkv");
        if (!File.Exists(output))
        {
            Ffmpeg("-loop", "1", "-framerate", Num(Fps), "-t", Num(seconds), "-i", cut,
                "-vf", $"scale=640:480,fps={Fps},format=yuvj420p", "-c:v", "mjpeg", "-q:v", "3", output);
        }

        return output;
    }

    /// <summary>The entrance with nobody there, for <paramref name="seconds"/>.</summary>
    public static string Empty(double seconds, string folder)
    {
        var output = Path.Combine(folder, $"empty-{Num(seconds)}.mkv");
        if (!File.Exists(output))
        {
            Ffmpeg("-f", "lavfi", "-i", $"color=c=0x202020:s=640x480:r={Fps}:d={Num(seconds)},format=yuvj420p", "-c:v", "mjpeg", "-q:v", "3", output);
        }

        return output;
    }

    /// <summary>The parts one after another, as one file the camera plays at its own rate.</summary>
    public static string Stream(string folder, string name, params string[] parts)
    {
        var list = Path.Combine(folder, name + ".txt");
        File.WriteAllLines(list, parts.Select(p => $"file '{p}'"));
        var output = Path.Combine(folder, name + ".mkv");
        Ffmpeg("-f", "concat", "-safe", "0", "-i", list, "-c", "copy", output);
        return output;
    }

    /// <summary>A short WAV, for the greeting's sounds.</summary>
    public static string Tone(string path)
    {
        Ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=0.1", path);
        return path;
    }

    /// <summary>Runs ffmpeg to completion (a minute at most).</summary>
    /// <exception cref="InvalidOperationException">ffmpeg failed or took too long; the message has its last words.</exception>
    public static void Ffmpeg(params string[] args)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        ffmpeg.StandardInput.Close();
        var stderr = ffmpeg.StandardError.ReadToEndAsync();
        if (!ffmpeg.WaitForExit(60_000))
        {
            ffmpeg.Kill();
            throw new InvalidOperationException("ffmpeg did not finish making a walk-up stream within 60 s");
        }

        if (ffmpeg.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg {string.Join(' ', args)} failed: {stderr.Result.Trim()}");
        }
    }

    private static string Num(double value) => value.ToString(CultureInfo.InvariantCulture);
}
