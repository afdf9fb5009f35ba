using System.Globalization;
using StationEdge.Configuration;
using StationEdge.Store;

namespace StationEdge.Cli.Commands.Records;

/// <summary>
/// What the record commands (workers, visits, store, reembed) share: the data folder (<c>--data DIR</c>, else
/// <c>$STATIONEDGE_DATA</c>, else <c>/var/lib/station-edge</c>), checked before the store is opened; who a change
/// is recorded as (<c>--by NAME</c>); store failures as CLI errors; times in the station's local zone.
/// </summary>
internal static class StoreCli
{
    public const string Data = "--data";
    public const string By = "--by";
    public const string CliAddress = "cli";
    public const string ValidUntilFlag = "--valid-until";
    public const string ConsentFlag = "--consent";
    private const int MaxKeeperLength = 64;

    /// <summary>
    /// The options of the existing store named by --data. These commands read or change a station's records, so a
    /// missing folder or database is a mistyped --data (exit 2), never a reason to create an empty store; a FIFO,
    /// file or device where the folder or database should be is refused without being opened.
    /// </summary>
    public static StoreOptions ExistingStore(CliArgs args)
    {
        var given = args.Value(Data);
        var data = DataFolder.Resolve(given);
        var from = given is not null ? Data
            : !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(DataFolder.EnvironmentVariable)) ? "$" + DataFolder.EnvironmentVariable
            : "the default";
        var kind = FileInspector.KindOf(data);
        if (kind is not FileKind.Directory and not FileKind.Unknown)
        {
            throw CliError.BadInput($"the data folder {data} ({from}) is {FileInspector.Describe(kind)}, not a folder");
        }

        if (!Directory.Exists(data))
        {
            throw CliError.BadInput($"the data folder {data} ({from}) does not exist: point --data or ${DataFolder.EnvironmentVariable} at the station's data folder");
        }

        // Root could read the station's files, but the WAL, lock and rebuilt database it created would then be root's,
        // and the daemon, running as the folder's owner, could no longer open them.
        if (Environment.IsPrivilegedProcess && FileInspector.OwnerOf(data) is { } owner and not 0)
        {
            var user = UserName(owner);
            throw CliError.BadInput(
                $"the data folder {data} belongs to {user}, and files root makes in it would lock the daemon out: run the command as {user} (sudo -u {user} station-edge {args.Command} …)");
        }

        var database = Path.Combine(data, DataFolder.DatabaseFileName);
        try
        {
            // Enumerating needs read permission on the folder, where File.Exists would just say false.
            _ = Directory.EnumerateFileSystemEntries(data, DataFolder.DatabaseFileName).Any();
        }
        catch (UnauthorizedAccessException)
        {
            throw CliError.BadInput(
                $"the data folder {data} cannot be read by user {Environment.UserName}: run the command as its owner (on a station: sudo -u station-edge station-edge {args.Command} …)");
        }

        var databaseKind = FileInspector.KindOf(database);
        if (databaseKind is not FileKind.Regular and not FileKind.Unknown)
        {
            throw CliError.BadInput($"{database}: {FileInspector.NotRegularReason(databaseKind)}");
        }

        if (!File.Exists(database))
        {
            throw CliError.BadInput(
                $"the data folder {data} ({from}) holds no station database ({DataFolder.DatabaseFileName} is missing): point --data or ${DataFolder.EnvironmentVariable} at the station's data folder");
        }

        return new StoreOptions { DataPath = data };
    }

    /// <summary>The name /etc/passwd gives <paramref name="uid"/>, else <c>'#uid'</c> (as sudo -u takes it, quoted for the shell).</summary>
    private static string UserName(uint uid)
    {
        try
        {
            var text = uid.ToString(CultureInfo.InvariantCulture);
            return File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 2 && f[2] == text)?[0] ?? $"'#{text}'";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"'#{uid}'";
        }
    }

    /// <summary>Opens the existing store named by --data.</summary>
    public static Task<StationStore> OpenAsync(CliArgs args, CancellationToken ct) =>
        StationStore.OpenAsync(ExistingStore(args), ct: ct);

    /// <summary>
    /// Who a change is recorded as in the audit log: --by NAME, else the user who ran sudo (on a station the
    /// commands run as <c>sudo -u station-edge</c>, and the service account says nothing about who it was), else
    /// the OS user. The address is <c>cli</c>.
    /// </summary>
    public static KeeperContext Keeper(CliArgs args)
    {
        var given = args.Value(By);
        if (given is not null)
        {
            if (given.Trim().Length == 0 || given.Length > MaxKeeperLength || given.Any(char.IsControl))
            {
                throw CliError.BadInput($"{By} must be a name of 1 to {MaxKeeperLength} characters without control characters");
            }

            return new KeeperContext(given.Trim(), CliAddress);
        }

        var sudo = Environment.GetEnvironmentVariable("SUDO_USER");
        return new KeeperContext(string.IsNullOrWhiteSpace(sudo) || sudo.Any(char.IsControl) ? Environment.UserName : sudo, CliAddress);
    }

    /// <summary>Runs a record command, turning a store failure into its CLI error: bad input exit 2, any other fault exit 3.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (StoreException e)
        {
            throw new CliError(e.IsBadInput ? CliError.BadInputCode : CliError.FaultCode, e.Message);
        }
    }

    /// <summary>A time as the keeper reads it: the station's local time with its UTC offset.</summary>
    public static string LocalTime(DateTimeOffset time, bool seconds = true) =>
        TimeZoneInfo.ConvertTime(time, TimeZoneInfo.Local).ToString(seconds ? "yyyy-MM-dd HH:mm:ss zzz" : "yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    public static string Date(DateOnly? date) => date is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "—";

    /// <summary>
    /// <c>--valid-until DATE</c>: the last day a worker may enter (YYYY-MM-DD, inclusive); with <paramref name="allowNone"/>,
    /// <c>none</c> clears it. Given is false when the flag is absent.
    /// </summary>
    /// <summary><c>--consent station|county</c>: where the worker agreed to be recognised; null when not given.</summary>
    public static ConsentScope? Consent(CliArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Value(ConsentFlag) switch
        {
            null => null,
            "station" => Store.ConsentScope.Station,
            "county" => Store.ConsentScope.County,
            var other => throw CliError.BadInput($"{args.Command}: {ConsentFlag} must be station or county (was '{other}')"),
        };
    }

    /// <summary>How a scope reads in the command line's lines.</summary>
    public static string Scope(ConsentScope scope) => scope == Store.ConsentScope.County ? "county (every station of the county)" : "station (this station only)";

    public static (bool Given, DateOnly? Date) ValidUntil(CliArgs args, bool allowNone)
    {
        var text = args.Value(ValidUntilFlag);
        if (text is null)
        {
            return (false, null);
        }

        if (allowNone && text == "none")
        {
            return (true, null);
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw CliError.BadInput($"{args.Command}: {ValidUntilFlag} must be a date as YYYY-MM-DD{(allowNone ? " or none" : "")} (was '{text}')");
        }

        return (true, date);
    }

    /// <summary>The first embedder sha256 digits, enough to tell models apart in text.</summary>
    public static string ShortSha(string sha256) => sha256.Length > 12 ? sha256[..12] + "…" : sha256;

    /// <summary>The subcommand and, when the subcommand takes one, its ID, before the flags.</summary>
    public static (string Sub, string? Id, IReadOnlyList<string> Flags) Subcommand(string command, IReadOnlyList<string> argv, IReadOnlyCollection<string> withId, IReadOnlyCollection<string> withoutId)
    {
        var choices = string.Join(", ", withoutId.Concat(withId.Select(s => s + " ID")));
        if (argv.Count == 0 || argv[0].StartsWith('-'))
        {
            throw CliError.BadInput($"{command}: say what to do: {choices}");
        }

        var sub = argv[0];
        if (withoutId.Contains(sub))
        {
            return (sub, null, argv.Skip(1).ToList());
        }

        if (!withId.Contains(sub))
        {
            throw CliError.BadInput($"{command}: unknown subcommand '{sub}' (try: {choices})");
        }

        if (argv.Count < 2 || argv[1].StartsWith("--", StringComparison.Ordinal))
        {
            throw CliError.BadInput($"{command}: {sub} needs a worker id: station-edge {command} {sub} ID");
        }

        return (sub, argv[1], argv.Skip(2).ToList());
    }
}
