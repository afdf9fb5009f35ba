namespace StationEdge.ModelTools;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("station-models: no commands yet");
        return args.Length == 0 ? 2 : 2;
    }
}
