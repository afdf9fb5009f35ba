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
        return (ModelsPath(args), new VisionOptions { IntraOpThreads = threads, Parts = parts });
    }

    public static FacePipeline LoadPipeline(CliArgs args, FaceModelParts parts = FaceModelParts.Detector | FaceModelParts.Embedder)
    {
        var (models, options) = Settings(args, parts);
        return FacePipeline.Load(models, options);
    }

    /// <summary>Decodes a photo named on the command line; a bad photo is bad input (exit 2) naming the file.</summary>
    public static async Task<DecodedPhoto> DecodeArgumentAsync(PhotoDecoder decoder, string path, CancellationToken ct)
    {
        try
        {
            return await decoder.DecodeAsync(path, ct);
        }
        catch (PhotoDecodeException e)
        {
            throw CliError.BadInput(e.Message);
        }
    }
}
