using System.Runtime.InteropServices;
using StationEdge.Cli.Commands;

namespace StationEdge.Cli;

internal static class Program
{
    public const string Usage = """
        usage: station-edge <command> [options]
          door-sim [--config FILE]       run the door controller on a simulated chip with virtual time;
                                         scenario as JSON lines on stdin, events as JSON lines on stdout
          door --pulse [--gpio sim|libgpiod] [--config FILE]
                                         energise the door relay for one pulse on the configured chip
        exit codes: 0 success, 1 fault (e.g. GPIO), 2 bad input, 130 interrupted
        """;

    public static async Task<int> Main(string[] args)
    {
        // SIGINT/SIGTERM cancel the command instead of killing the process, so the door relay is dropped first.
        using var stop = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return await RunAsync(args, Console.In, Console.Out, Console.Error, stop.Token);
    }

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            await stderr.WriteAsync(Usage);
            return 2;
        }

        switch (args[0])
        {
            case "door-sim":
                return await DoorSimCommand.RunAsync(args[1..], stdin, stdout, stderr, cancellationToken);
            case "door":
                return await DoorPulseCommand.RunAsync(args[1..], stdout, stderr, cancellationToken);
            case "help" or "--help" or "-h":
                await stdout.WriteAsync(Usage);
                return 0;
            default:
                await stderr.WriteLineAsync($"station-edge: unknown command '{args[0]}' (try --help)");
                return 2;
        }
    }
}
