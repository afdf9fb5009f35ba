using System.Text.Json;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>keys init</c>: the county's signing key pair. The private half goes to <c>Hub:SigningKeyFile</c> (0600, never over
/// an existing key: the stations trust that one); the public half beside it as <c>.pub</c> and on stdout, for each
/// station's <c>Sync:CountyPublicKey</c>.
/// <c>keys rotate</c>: the county's next key pair beside it (<c>.next</c>, 0600, and <c>.next.pub</c>; an existing one is
/// sent again, not replaced) and a <c>rotate_keys</c> carrying the next public key to every registered station of the
/// county, signed with the current key, which the hub keeps signing with. <c>keys rotate --commit</c>: once every
/// station answered <c>command_done</c> (or with <c>--force</c>), the next key becomes <c>Hub:SigningKeyFile</c>; the
/// old one is kept as <c>.retired-KEYID</c>.
/// </summary>
internal static class KeysCommand
{
    public const string Usage = "usage: county-hub keys init | keys rotate [--by NAME] [--reason TEXT] | keys rotate --commit [--force]  [--config F] [--json]";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, ["--by", "--reason"], ["--commit", "--force"]);
        var commit = args.Has("--commit");
        switch (args.Words)
        {
            case ["init"] when !commit && !args.Has("--force") && args.Value("--by") is null && args.Value("--reason") is null:
                return Init(args, stdout);
            case ["rotate"] when commit:
                if (args.Value("--by") is not null || args.Value("--reason") is not null)
                {
                    throw HubCliError.BadInput("keys rotate --commit takes no --by or --reason (it sends nothing)");
                }

                return await CommitAsync(args, stdout, ct);
            case ["rotate"] when !args.Has("--force"):
                return await RotateAsync(args, stdout, ct);
            case ["rotate"]:
                throw HubCliError.BadInput("--force goes with keys rotate --commit only");
            default:
                throw HubCliError.BadInput(Usage);
        }
    }

    /// <summary>Where the next key waits during a rotation: beside the current one.</summary>
    internal static string NextFile(HubOptions options) => options.SigningKeyFile + ".next";

    internal static CountySigner LoadNext(HubOptions options)
    {
        var file = NextFile(options);
        if (!File.Exists(file))
        {
            throw HubCliError.BadInput($"no next county key {file}: county-hub keys rotate makes it and sends it to every station");
        }

        try
        {
            return CountySigner.FromPem(File.ReadAllText(file));
        }
        catch (ArgumentException e)
        {
            throw HubCliError.BadInput($"{file}: {e.Message}");
        }
    }

    /// <summary>
    /// The reason names the next key, so <c>--commit</c> can tell which stations took this key (not an earlier rotation's).
    /// It lives as long as a command may: a station offline longer is given it again by <c>keys rotate</c>.
    /// </summary>
    internal static StationCommand RotateCommand(string station, string by, string? reason, CountySigner next)
    {
        var command = CommandCommand.Make(station, StationCommand.RotateKeys, by, NextKeyReason(next.KeyId) + (reason is null ? "" : ": " + reason.Trim()), StationCommand.MaxLifetime);
        return command with { NextPublicKey = next.ExportPublicPem() };
    }

    private static string NextKeyReason(string keyId) => $"next county key {keyId}";

    private static int Init(HubArgs args, TextWriter stdout)
    {
        var options = HubConfig.Load(HubConfig.PathOf(args), null);
        var file = options.SigningKeyFile ?? throw HubCliError.BadInput("Hub:SigningKeyFile is not set (where the county's private key goes)");
        if (File.Exists(file))
        {
            throw HubCliError.BadInput($"Hub:SigningKeyFile {file} exists already; the stations trust that key, so it is never replaced here (county-hub keys rotate replaces it with every station told first)");
        }

        using var signer = CountySigner.Create();
        WritePair(file, signer);
        var publicPem = signer.ExportPublicPem();
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { key_id = signer.KeyId, private_key_file = file, public_key_file = file + ".pub", public_key = publicPem }));
        }
        else
        {
            stdout.WriteLine($"county signing key {signer.KeyId}: private key in {file} (0600), public key in {file}.pub");
            stdout.WriteLine("give every station this public key (Sync:CountyPublicKey):");
            stdout.WriteLine(publicPem);
        }

        return 0;
    }

    private static async Task<int> RotateAsync(HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        var by = args.Value("--by") ?? Environment.UserName;
        var reason = args.Value("--reason");
        CheckText("--by", by, 100);
        if (reason is not null)
        {
            CheckText("--reason", reason, 150);
        }

        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.ForIngest);
        using var current = CommandCommand.LoadSigner(options, configPath);
        var nextFile = NextFile(options);
        var made = !File.Exists(nextFile);
        if (made)
        {
            using var fresh = CountySigner.Create();
            WritePair(nextFile, fresh);
        }

        using var next = LoadNext(options);
        if (next.KeyId == current.KeyId)
        {
            throw HubCliError.BadInput($"{nextFile} holds the key in use ({current.KeyId}); remove it and run keys rotate again");
        }

        var stations = await DatabaseCall.RunAsync(options, async db =>
        {
            await using var list = db.DataSource.CreateCommand("SELECT id FROM stations WHERE county = @c ORDER BY id");
            list.Parameters.AddWithValue("c", options.County!);
            var ids = new List<string>();
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, ct);
        var commands = stations.Select(s => RotateCommand(s, by, reason, next)).ToList();
        if (commands.Count > 0)
        {
            await CommandCommand.SendAsync(options, current, commands, ct);
        }

        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                key_id = current.KeyId,
                next_key_id = next.KeyId,
                next_key_made = made,
                next_private_key_file = nextFile,
                next_public_key_file = nextFile + ".pub",
                sent = commands.Select(c => new { station = c.StationId, id = c.Id, expires_at = c.ExpiresAt }),
            }, Json));
        }
        else
        {
            stdout.WriteLine(made
                ? $"next county key {next.KeyId}: private key in {nextFile} (0600), public key in {nextFile}.pub"
                : $"next county key {next.KeyId} from {nextFile} (made by an earlier keys rotate), sent again");
            stdout.WriteLine(commands.Count == 0
                ? $"no station is registered in county {options.County}: nothing to tell"
                : $"rotate_keys sent to {commands.Count} station(s), signed with key {current.KeyId}, valid 15 minutes: {string.Join(", ", stations)}");
            stdout.WriteLine($"the hub keeps signing with {current.KeyId}; when every station answered, county-hub keys rotate --commit");
        }

        return 0;
    }

    private static async Task<int> CommitAsync(HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.ForIngest);
        var file = options.SigningKeyFile!;
        using var current = CommandCommand.LoadSigner(options, configPath);
        using var next = LoadNext(options);
        // A station that has not taken the next key would refuse everything the hub signs from here: named, and kept
        // from being cut off unless the county says so.
        var missing = await DatabaseCall.RunAsync(options, async db =>
        {
            await using var find = db.DataSource.CreateCommand("""
                SELECT s.id FROM stations s
                WHERE s.county = @c AND NOT EXISTS (
                    SELECT 1 FROM county_commands k
                    JOIN events e ON e.station_id = k.station_id AND e.command_id = k.id::text AND e.type = 'command_done'
                    WHERE k.station_id = s.id AND k.type = 'rotate_keys' AND k.reason LIKE @reason)
                ORDER BY s.id
                """);
            find.Parameters.AddWithValue("c", options.County!);
            find.Parameters.AddWithValue("reason", NextKeyReason(next.KeyId) + "%");
            var ids = new List<string>();
            await using var reader = await find.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }, ct);
        if (missing.Count > 0 && !args.Has("--force"))
        {
            throw HubCliError.BadInput($"{missing.Count} station(s) have not taken key {next.KeyId}: {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")} " +
                "(keys rotate sends it again; --force commits anyway, and those stations refuse the county until they are given the new key by hand)");
        }

        var retired = $"{file}.retired-{current.KeyId}";
        if (!File.Exists(retired))
        {
            WritePrivate(retired, File.ReadAllText(file));
        }

        // Renames in one folder: Hub:SigningKeyFile is the old key or the new, never half of one.
        File.Move(NextFile(options), file, overwrite: true);
        File.WriteAllText(file + ".pub", next.ExportPublicPem() + "\n");
        File.Delete(NextFile(options) + ".pub");
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { key_id = next.KeyId, retired_key_id = current.KeyId, retired_key_file = retired, forced_past = missing }, Json));
        }
        else
        {
            stdout.WriteLine($"county signing key {next.KeyId} in {file} now; key {current.KeyId} kept in {retired}");
            if (missing.Count > 0)
            {
                stdout.WriteLine($"forced: {string.Join(", ", missing)} did not take it and refuse the county until given {file}.pub as Sync:CountyPublicKey");
            }

            stdout.WriteLine("restart every county-hub run (systemctl restart county-hub): it signs with the key it loaded at start, and its first signed");
            stdout.WriteLine($"message (the roster head at connect) moves every station to {next.KeyId}; from then they refuse {current.KeyId}");
        }

        return 0;
    }

    private static void WritePair(string file, CountySigner signer)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        if (!Directory.Exists(folder))
        {
            throw HubCliError.BadInput($"Hub:SigningKeyFile {file}: folder {folder} does not exist");
        }

        WritePrivate(file, signer.ExportPrivatePem());
        File.WriteAllText(file + ".pub", signer.ExportPublicPem() + "\n");
    }

    private static void WritePrivate(string file, string pem)
    {
        // Created 0600 before a byte is written, so the key is never readable by others even for a moment.
        using var stream = new FileStream(file, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
    }

    private static void CheckText(string flag, string value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > max || value.Any(char.IsControl))
        {
            throw HubCliError.BadInput($"{flag} must be 1-{max} characters on one line");
        }
    }
}
