using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;
using StationEdge.Vision.Recognition;

namespace StationEdge.Cli.Commands;

/// <summary>What the face commands share: the models folder, thread count and photo decoding with CLI errors.</summary>
internal static class VisionCli
{
    public static readonly string[] Flags = ["--models", "--threads"];

    public static string ModelsPath(CliArgs args) => Path.GetFullPath(args.Value("--models") ?? ModelDirectory.DefaultPath());

    public static FacePipeline LoadPipeline(CliArgs args, FaceModelParts parts = FaceModelParts.Detector | FaceModelParts.Embedder)
    {
        var threads = args.Int("--threads", VisionOptions.DefaultIntraOpThreads, 1, 64);
        return FacePipeline.Load(ModelsPath(args), new VisionOptions { IntraOpThreads = threads, Parts = parts });
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
