using StationEdge.ModelTools.Supply;
using StationEdge.Vision.Models;

namespace StationEdge.ModelTools;

internal static class Program
{
    private const string Usage = """
        station-models: obtain, verify and convert StationEdge's models
          install --lock models/models.lock.json --out out/models [--cache DIR]
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var rest = args.Skip(1).ToArray();
        switch (args[0])
        {
            case "install":
                return InstallCommand.Run(rest, ConvertForInstall);
            default:
                Console.Error.WriteLine($"station-models: unknown command '{args[0]}'");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static byte[] ConvertForInstall(LockedArtifact artifact, byte[] tflite) =>
        throw new ModelIntegrityException($"{artifact.Id}: the TFLite converter is not available yet");
}
