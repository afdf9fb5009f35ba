using StationEdge.ModelTools.Supply;

namespace StationEdge.ModelTools;

internal static class Program
{
    private const string InstallUsage = "  install --lock models/models.lock.json --out out/models [--cache DIR]";

    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "convert":
                return ConvertCommand.Run(args[1..], Console.Out, Console.Error);
            case "install":
                return InstallCommand.Run(args[1..], InstallConversion.Run);
            default:
                Console.Error.WriteLine(args.Length == 0 ? "station-models: missing command" : $"station-models: unknown command '{args[0]}'");
                Console.Error.WriteLine(ConvertCommand.Usage);
                Console.Error.WriteLine(InstallUsage);
                return 2;
        }
    }
}
