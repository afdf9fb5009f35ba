using StationEdge.Configuration;
using StationEdge.Vision.Alignment;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>What the face commands share: the models folder, thread count and photo decoding with CLI errors.</summary>
internal static class VisionCli
{
    public static readonly string[] Flags = ["--models", "--threads"];

    /// <summary>
    /// The models folder. One named with --models that does not exist is the caller's typo (exit 2); the default
    /// folder missing means set-up has not run, which loading reports as a fault.
    /// </summary>
    public static string ModelsPath(CliArgs args)
    {
        var given = args.Value("--models");
        if (given is null)
        {
            return Path.GetFullPath(ModelDirectory.DefaultPath());
        }

        var full = Path.GetFullPath(given);
        return Directory.Exists(full)
            ? full
            : throw CliError.BadInput($"{args.Command}: --models {given}: folder not found");
    }

    /// <summary>Checks --models and --threads without loading anything, so flag mistakes are reported before slow work.</summary>
    public static (string ModelsPath, VisionOptions Options) Settings(CliArgs args, FaceModelParts parts = FaceModelParts.Detector | FaceModelParts.Embedder)
    {
        var threads = args.Int("--threads", VisionOptions.DefaultIntraOpThreads, 1, 64);
        return (ModelsPath(args), new VisionOptions { IntraOpThreads = threads, Parts = parts, Alignment = Alignment(args) });
    }

    /// <summary>The flag of the commands that can align both ways (eval, bench): <c>--alignment landmarks|keypoints</c>.</summary>
    public const string AlignmentFlag = "--alignment";

    /// <summary>--alignment, landmarks by default (as the station's <c>Vision:Alignment</c>).</summary>
    public static AlignmentMethod Alignment(CliArgs args) => args.Value(AlignmentFlag) switch
    {
        null or "landmarks" => AlignmentMethod.Landmarks,
        "keypoints" => AlignmentMethod.Keypoints,
        var other => throw CliError.BadInput($"{args.Command}: {AlignmentFlag} must be landmarks or keypoints (was '{other}')"),
    };

    /// <summary>How the faces of a run were aligned: the path, and how many landmark fits fell back to the keypoints.</summary>
    public static AlignmentReport AlignmentOf(FaceModels models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var counts = models.Alignment.Counts;
        return new AlignmentReport(models.Alignment.Method.ToString().ToLowerInvariant(), counts.Landmarks, counts.Fallbacks);
    }

    /// <summary>One line for the text reports.</summary>
    public static string Describe(AlignmentReport a) => a.Describe();

    public static FacePipeline LoadPipeline(CliArgs args, FaceModelParts parts = FaceModelParts.Detector | FaceModelParts.Embedder)
    {
        var (models, options) = Settings(args, parts);
        return FacePipeline.Load(models, options);
    }

    /// <summary>A photo from stdin is read into memory up to this size: a bound, so an endless pipe cannot fill memory.</summary>
    public const int MaxStdinPhotoBytes = 128 << 20;

    /// <summary>"-" and /dev/stdin name the photo piped in (ffmpeg's own /dev/stdin would be its own empty stdin).</summary>
    public static bool IsStdin(string path) => path is "-" or "/dev/stdin";

    /// <summary>
    /// Decodes a photo named on the command line, or piped in on stdin (<see cref="IsStdin"/>); a bad photo is bad
    /// input (exit 2) naming the file.
    /// </summary>
    public static async Task<DecodedPhoto> DecodeArgumentAsync(PhotoDecoder decoder, string path, CancellationToken ct)
    {
        try
        {
            return IsStdin(path)
                ? await decoder.DecodeAsync(await ReadStdinAsync(path, ct), path, ct)
                : await decoder.DecodeAsync(path, ct);
        }
        catch (PhotoDecodeException e)
        {
            throw CliError.BadInput(e.Message);
        }
    }

    /// <summary>Refuses a FIFO, device, socket or folder before any slow work, naming it and what it is.</summary>
    public static void RequireRegularFile(string path, string? where = null)
    {
        if (FileInspector.NotRegularReason(path) is { } reason)
        {
            throw CliError.BadInput($"{where}{path}: {reason}");
        }
    }

    private static async Task<byte[]> ReadStdinAsync(string name, CancellationToken ct)
    {
        if (!Console.IsInputRedirected)
        {
            throw CliError.BadInput($"{name}: stdin is a terminal; pipe a photo in: cat photo.jpg | station-edge detect --photo -");
        }

        await using var stdin = Console.OpenStandardInput();
        using var photo = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (true)
        {
            // A read from a pipe does not watch the token; WaitAsync lets SIGTERM end the wait all the same.
            var n = await stdin.ReadAsync(chunk, ct).AsTask().WaitAsync(ct);
            if (n == 0)
            {
                return photo.ToArray();
            }

            if (photo.Length + n > MaxStdinPhotoBytes)
            {
                throw CliError.BadInput($"{name}: more than {MaxStdinPhotoBytes >> 20} MiB on stdin, too large for a photo");
            }

            photo.Write(chunk, 0, n);
        }
    }
}
