using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Cli.Commands;
using StationEdge.Vision.Models;

namespace StationEdge.Cli;

internal static class Program
{
    private const string Usage = """
        usage: station-edge COMMAND [flags] [--json]
          detect   --photo P [--liveness]         every face with box, keypoints, score and quality
          eval     --pairs CSV [--images DIR] [--liveness]
                                                  1:1 verification figures over a pairs file
          match    --photos P... [--threshold T] [--margin M]
                                                  who appears in more than one photo
          bench    [--runs N] [--photos P...]     speed and memory on this machine, next to OpenCV DNN
          doctor                                  check the ONNX Runtime library, models and ffmpeg
          door-sim [--config F]                   the door controller on a simulated chip with virtual time:
                                                  scenario as JSON lines on stdin, events as JSON lines on stdout
          door     --pulse [--gpio sim|libgpiod] [--config F]
                                                  energise the door relay for one pulse on the configured chip
        flags:
          --models DIR   detect, eval, match, bench, doctor (default out/models or $STATIONEDGE_MODELS)
          --threads N    detect, eval, match (ONNX Runtime intra-op threads, default 2)
          --json         one JSON document on stdout (door-sim and door always print JSON lines)
        exit codes: 0 success, 2 bad input, 3 fault, 130 interrupted
        """;

    public static async Task<int> Main(string[] args)
    {
        // SIGINT and SIGTERM cancel the command instead of killing the process, so a door relay is dropped first.
        using var cancel = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return await RunAsync(args, Console.In, Console.Out, Console.Error, cancel.Token);
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            stderr.WriteLine(Usage);
            return args.Count == 0 ? CliError.BadInputCode : 0;
        }

        var rest = args.Skip(1).ToList();
        try
        {
            return args[0] switch
            {
                "detect" => await DetectCommand.RunAsync(rest, stdout, ct),
                "eval" => await EvalCommand.RunAsync(rest, stdout, stderr, ct),
                "match" => await MatchCommand.RunAsync(rest, stdout, ct),
                "bench" => await BenchCommand.RunAsync(rest, stdout, stderr, ct),
                "doctor" => DoctorCommand.Run(rest, stdout),
                "door-sim" => await DoorSimCommand.RunAsync(rest, stdin, stdout, stderr, ct),
                "door" => await DoorPulseCommand.RunAsync(rest, stdout, ct),
                _ => throw CliError.BadInput($"unknown command '{args[0]}' (try: station-edge --help)"),
            };
        }
        catch (CliError e)
        {
            stderr.WriteLine($"station-edge: {OneLine(e.Message)}");
            return e.ExitCode;
        }
        catch (ModelIntegrityException e)
        {
            stderr.WriteLine($"station-edge: {OneLine(e.Message)}");
            return CliError.FaultCode;
        }
        catch (OnnxRuntimeException e)
        {
            stderr.WriteLine($"station-edge: {OneLine(e.Message)}");
            return CliError.FaultCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stderr.WriteLine("station-edge: cancelled");
            return CliError.InterruptedCode;
        }
        catch (Exception e)
        {
            // A bug still ends in one line and the fault code, never a .NET stack trace on a kiosk's log.
            stderr.WriteLine($"station-edge: {args[0]}: unexpected {e.GetType().Name}: {OneLine(e.Message)}");
            return CliError.FaultCode;
        }
    }

    internal static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
