namespace StationEdge.ModelTools;

internal static class Program
{
    public static int Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "convert":
                return ConvertCommand.Run(args[1..], Console.Out, Console.Error);
            default:
                Console.Error.WriteLine(args.Length == 0 ? "station-models: missing command" : $"station-models: unknown command '{args[0]}'");
                Console.Error.WriteLine(ConvertCommand.Usage);
                return 2;
        }
    }
}
