namespace StationEdge.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        await Task.Yield();
        Console.Error.WriteLine("station-edge: no commands yet");
        return args.Length == 0 ? 2 : 2;
    }
}
