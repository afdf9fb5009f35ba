using System.Reflection;
using System.Runtime.InteropServices;
using StationEdge.Hub.Cli.Commands;

// The county's server is Linux (Debian): key and password files are created with their Unix modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace StationEdge.Hub.Cli;

internal static class Program
{
    private const string Usage = """
        usage: county-hub COMMAND [flags] [--config F] [--json]
          run      [--for SECONDS]                the ingest: stations' visits and events from MQTT into PostgreSQL,
                                                  acked after commit; one line per stored batch
          migrate                                 bring the county database's schema to this build's version
          stations add ID --name NAME [--address A] [--lat X --lon Y] [--hours H]
                                                  register a station: its MQTT password (shown once), its line in
                                                  Mosquitto's password file and its ACL block
          stations list                           the registered stations: online, last seen, outbox, version, alarms
          stations revoke ID | credentials ID     take a station's broker login away (stolen, retired), or give it a
                                                  new password (shown once) in place of the old; then reload mosquitto
          workers  list | suspend ID | resume ID | delete ID
                                                  the county's roster; a change is a new version, which the
                                                  running hub signs and sends to every station
          command  unlock STATION --by NAME --reason TEXT | resync STATION | rotate_keys STATION
                                                  a signed command (expiry, nonce) to one station
          keys init                               the county's signing key pair (private 0600, public for the stations)
          keys rotate [--commit [--force]]        the county's next key to every station, signed with the current one;
                                                  --commit signs with it once every station took it
          account                                 the hub's own broker login and ACL block (once)
          accounts add NAME --role county-admin|reviewer
                                                  a county site account; the password from stdin or asked (never printed)
          accounts list                           the county site's accounts and roles
          bench    [--quick] [--seconds N] [--stations N] [--visits N] [--ingest unnest|copy]
                                                  drain, ingest rate, many stations, memory under a backlog (loopback)
        flags:
          --config F   the hub's configuration (default $COUNTY_HUB_CONFIG, else /etc/county-hub/hub.json)
          --json       one JSON document on stdout (run: one JSON line per stored batch)
          --help       after a command, that command's flags
          --version    the version of county-hub
        exit codes: 0 success, 2 bad input, 3 fault, 130 interrupted
        """;

    private static readonly Dictionary<string, string> Help = new(StringComparer.Ordinal)
    {
        ["run"] = "usage: county-hub run [--config F] [--for SECONDS] [--json]\n  the ingest until SIGTERM or SIGINT (or for SECONDS); migrates the schema first",
        ["migrate"] = "usage: county-hub migrate [--config F] [--json]\n  applies the schema steps not applied yet; safe to run again",
        ["stations"] = "usage: county-hub stations add ID --name NAME [--address A] [--lat X --lon Y] [--hours H] [--config F] [--json]\n       county-hub stations list [--config F] [--json]\n       county-hub stations revoke ID | credentials ID [--config F] [--json]\n  add, revoke and credentials need Hub:MosquittoPasswordFile and Hub:MosquittoAclFile; the password is printed once",
        ["workers"] = "usage: county-hub workers list [--config F] [--json]\n       county-hub workers suspend|resume|delete ID [--config F] [--json]\n  the county's roster (workers the stations enrolled); a change is a new roster version that the running hub\n  signs with Hub:SigningKeyFile and sends on counties/{county}/roster; a deleted worker's templates leave the hub",
        ["command"] = "usage: county-hub command unlock STATION --by NAME --reason TEXT [--config F] [--json]\n       county-hub command resync STATION [--by NAME] [--reason TEXT] [--config F] [--json]\n       county-hub command rotate_keys STATION [--by NAME] [--reason TEXT] [--config F] [--json]\n  signed with Hub:SigningKeyFile, with a nonce; valid 2 minutes (unlock) or 10 (resync); sent with the hub's\n  broker login; the station audits an unlock with who asked and why; the station must be registered",
        ["keys"] = "usage: county-hub keys init [--config F] [--json]\n       county-hub keys rotate [--by NAME] [--reason TEXT] [--config F] [--json]\n       county-hub keys rotate --commit [--force] [--config F] [--json]\n  init writes Hub:SigningKeyFile (0600) and its .pub; never replaces an existing key.\n  rotate writes the next key beside it (.next, 0600; an existing one is sent again) and sends rotate_keys with its\n  public half to every registered station, signed with the current key, which the hub keeps using; command rotate_keys\n  STATION sends it to one. --commit, once every station answered command_done (--force: anyway), makes the next key\n  Hub:SigningKeyFile (the old one kept as .retired-KEYID); then restart county-hub run",
        ["account"] = "usage: county-hub account [--config F] [--json]\n  the hub's own broker login, once: Hub:PasswordFile (0600), its Mosquitto line and the hub's ACL block",
        ["accounts"] = "usage: county-hub accounts add NAME --role county-admin|reviewer [--config F] [--json]\n       county-hub accounts list [--config F] [--json]\n  add reads the password from stdin (one line) or asks for it twice at a terminal; it is never printed",
        ["bench"] = "usage: county-hub bench [--quick] [--seconds N] [--stations N] [--visits N] [--ingest unnest|copy] [--json]\n  its own Mosquitto and PostgreSQL on loopback; the many-stations phase lasts N s (300; 20 with --quick) with N stations (500); the county site timed over N seeded visits (1,000,000; 100,000 with --quick); --ingest: how the hub writes a batch of visits (unnest: one multi-row insert, the service's way; copy: binary COPY into a staging table, then insert … on conflict do nothing); bounded, stops by itself",
    };

    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        return await RunAsync(args, Console.Out, Console.Error, cancel.Token);
    }

    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken ct) =>
        RunAsync(args, Console.In, stdout, stderr, ct);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (args.Count == 0)
        {
            stderr.WriteLine(Usage);
            return HubCliError.BadInputCode;
        }

        var command = args[0];
        if (command is "-h" or "--help" or "help")
        {
            stdout.WriteLine(args.Count > 1 && Help.TryGetValue(args[1], out var usage) ? usage : Usage);
            return 0;
        }

        if (command == "--version")
        {
            stdout.WriteLine($"county-hub {typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}");
            return 0;
        }

        var rest = args.Skip(1).ToList();
        if (rest.Any(a => a is "--help" or "-h") && Help.TryGetValue(command, out var commandUsage))
        {
            stdout.WriteLine(commandUsage);
            return 0;
        }

        try
        {
            return command switch
            {
                "run" => await RunCommand.RunAsync(rest, stdout, ct),
                "migrate" => await MigrateCommand.RunAsync(rest, stdout, ct),
                "stations" => await StationsCommand.RunAsync(rest, stdout, ct),
                "keys" => await KeysCommand.RunAsync(rest, stdout, ct),
                "workers" => await WorkersCommand.RunAsync(rest, stdout, ct),
                "command" => await CommandCommand.RunAsync(rest, stdout, ct),
                "account" => await AccountCommand.RunAsync(rest, stdout),
                "accounts" => await AccountsCommand.RunAsync(rest, stdin, stdout, stderr, ct),
                "bench" => await BenchCommand.RunAsync(rest, stdout, stderr, ct),
                _ => throw HubCliError.BadInput("unknown command (try: county-hub --help)"),
            };
        }
        catch (HubCliError e)
        {
            stderr.WriteLine(ErrorLine(command, e.Message));
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            stderr.WriteLine(ErrorLine(command, "interrupted"));
            return HubCliError.InterruptedCode;
        }
        catch (Exception e)
        {
            // A bug still ends in one line and the fault code, never a stack trace in the county's journal.
            stderr.WriteLine(ErrorLine(command, $"unexpected {e.GetType().Name}: {e.Message}"));
            return HubCliError.FaultCode;
        }
    }

    private static string ErrorLine(string command, string message) =>
        $"county-hub: {command}: {string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}";
}
