using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using StationEdge.Cli.Commands;
using StationEdge.Vision.Imaging;
using StationEdge.Vision.Models;

namespace StationEdge.Cli;

internal static class Program
{
    private const string Usage = """
        usage: station-edge COMMAND [flags] [--json]
          run      [--camera SRC] [--gpio sim|libgpiod|libgpiod2] [--for SECONDS] [--data DIR] [--config F]
                                                  the station daemon: camera → recognise → decide → door, records, greeting
          enroll   --id ID --name NAME --photo P [--photo P2 …] [--consent-version V] [--valid-until DATE]
                   [--consent station|county] [--allow-duplicate] [--data DIR]
                                                  enrol a worker from photos (quality gate, duplicate check)
          identify --photo P [--photo P2 …] [--data DIR]
                                                  each photo against the enrolled workers, by the door's rule
          detect   --photo P [--liveness]         every face with box, keypoints, score and quality
          eval     --pairs CSV [--images DIR] [--liveness]
                                                  1:1 verification figures over a pairs file
          match    --photos P... [--threshold T] [--margin M]
                                                  who appears in more than one photo
          bench    [--runs N] [--photos P...] [--soak SECONDS]
                                                  speed and memory here: the pipeline's stages, gallery search,
                                                  and the daemon itself on one core
          doctor                                  check the ONNX Runtime library, models and ffmpeg
          door-sim [--config F]                   the door controller on a simulated chip with virtual time:
                                                  scenario as JSON lines on stdin, events as JSON lines on stdout
          door     --pulse|--rest [--gpio auto|libgpiod|libgpiod2|sim] [--config F]
                                                  energise the door relay for one pulse on the configured chip,
                                                  or drive it to its rest (de-energised) level and exit
          workers  list [--search TEXT] | show ID | edit ID [--name NAME] [--valid-until DATE|none]
                   [--consent station|county] | suspend ID | resume ID | delete ID [--by NAME]
                                                  the enrolled workers; every change is audited
          passes   issue --worker ID | --visitor NAME [--days N] --out FILE.png|FILE.svg | list | revoke ID [--by NAME]
                                                  the station's QR passes; issue and revoke are audited
          visits   [--since ISO-TIME] [--limit N] the recorded decisions, newest first
          keeper   add --name NAME [--role keeper|admin] | list | cert [--host H]
                                                  keeper site accounts (password on stdin), https certificate
          store    check | recover                the database's integrity report; rebuild a damaged one
          reembed  [--models DIR] [--by NAME]     re-embed every template from its kept crop after an embedder change
        flags:
          --models DIR   run, enroll, identify, detect, eval, match, bench, doctor (default out/models or $STATIONEDGE_MODELS)
          --threads N    detect, eval, match (ONNX Runtime intra-op threads, default 2)
          --data DIR     run, enroll, identify, workers, passes, visits, keeper, store, reembed: the data folder
                         (default $STATIONEDGE_DATA, else /var/lib/station-edge)
          --json         one JSON document on stdout (door-sim and door always print JSON lines)
          --help         after a command, that command's flags: station-edge detect --help
          --version      the version of station-edge
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
        if (args.Count == 0)
        {
            stderr.WriteLine(Usage);
            return CliError.BadInputCode;
        }

        // Asked-for help goes to stdout and succeeds; "help detect" is detect's.
        var command = args[0];
        if (command is "-h" or "--help" or "help")
        {
            stdout.WriteLine(args.Count > 1 && CommandHelp.TryGet(args[1], out var usage) ? usage : Usage);
            return 0;
        }

        if (command == "--version")
        {
            stdout.WriteLine($"station-edge {typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion}");
            return 0;
        }

        var rest = args.Skip(1).ToList();
        if (rest.Any(a => a is "--help" or "-h") && CommandHelp.TryGet(command, out var commandUsage))
        {
            stdout.WriteLine(commandUsage);
            return 0;
        }

        try
        {
            return command switch
            {
                "run" => await RunCommand.RunAsync(rest, stdout, ct),
                "enroll" => await EnrollCommand.RunAsync(rest, stdout, ct),
                "identify" => await IdentifyCommand.RunAsync(rest, stdout, ct),
                "workers" => await Commands.Records.WorkersCommand.RunAsync(rest, stdout, ct),
                "visits" => await Commands.Records.VisitsCommand.RunAsync(rest, stdout, ct),
                "passes" => await Commands.Records.PassesCommand.RunAsync(rest, stdout, ct),
                "keeper" => await KeeperCommand.RunAsync(rest, stdin, stdout, stderr, ct),
                "store" => await Commands.Records.StoreCommand.RunAsync(rest, stdout, stderr, ct),
                "reembed" => await Commands.Records.ReembedCommand.RunAsync(rest, stdout, stderr, ct),
                "detect" => await DetectCommand.RunAsync(rest, stdout, ct),
                "eval" => await EvalCommand.RunAsync(rest, stdout, stderr, ct),
                "match" => await MatchCommand.RunAsync(rest, stdout, ct),
                "bench" => await BenchCommand.RunAsync(rest, stdout, stderr, ct),
                "doctor" => await DoctorCommand.RunAsync(rest, stdout, ct),
                "door-sim" => await DoorSimCommand.RunAsync(rest, stdin, stdout, stderr, ct),
                "door" => await DoorCommand.RunAsync(rest, stdout, ct),
                _ => throw CliError.BadInput("unknown command (try: station-edge --help)"),
            };
        }
        catch (CliError e)
        {
            stderr.WriteLine(ErrorLine(command, e.Message));
            return e.ExitCode;
        }
        catch (PhotoDecodeException e)
        {
            stderr.WriteLine(ErrorLine(command, e.Message));
            return CliError.BadInputCode;
        }
        catch (Exception e) when (e is ModelIntegrityException or OnnxRuntimeException or FfmpegUnavailableException)
        {
            stderr.WriteLine(ErrorLine(command, e.Message));
            return CliError.FaultCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stderr.WriteLine(ErrorLine(command, "interrupted"));
            return CliError.InterruptedCode;
        }
        catch (Exception e)
        {
            // A bug still ends in one line and the fault code, never a .NET stack trace on a kiosk's log.
            stderr.WriteLine(ErrorLine(command, $"unexpected {e.GetType().Name}: {e.Message}"));
            return CliError.FaultCode;
        }
    }

    /// <summary>
    /// The one shape of every error line: <c>station-edge: COMMAND: reason</c>. A message that already names the
    /// command at its start (the door commands' do) keeps one copy of it.
    /// </summary>
    private static string ErrorLine(string command, string message)
    {
        var reason = OneLine(message);
        var own = command + ": ";
        return $"station-edge: {command}: {(reason.StartsWith(own, StringComparison.Ordinal) ? reason[own.Length..] : reason)}";
    }

    internal static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
