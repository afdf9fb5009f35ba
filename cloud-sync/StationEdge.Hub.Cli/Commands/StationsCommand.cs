using System.Globalization;
using System.Text.Json;
using StationEdge.Broker;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>stations add ID --name N [--address A] [--lat X --lon Y] [--hours H]</c>: registers a station, makes its MQTT
/// password (printed once, kept only as Mosquitto's hash) and appends its password line and ACL block to the files
/// <c>Hub:MosquittoPasswordFile</c> and <c>Hub:MosquittoAclFile</c> name. <c>stations list [--json]</c>: the registry.
/// <c>stations revoke ID</c>: takes the station's line and ACL block out of those files (a stolen or retired station;
/// its visits stay); <c>stations credentials ID</c>: a new password in place of the old (a replaced box, a leaked file).
/// </summary>
internal static class StationsCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, ["--name", "--address", "--lat", "--lon", "--hours"]);
        return args.Words switch
        {
            ["add", var id] => await AddAsync(id, args, stdout, ct),
            ["add"] => throw HubCliError.BadInput("stations add needs the station's ID: county-hub stations add ID --name NAME"),
            ["list"] => await ListAsync(args, stdout, ct),
            ["revoke", var id] => await CredentialsAsync(id, revoke: true, args, stdout, ct),
            ["credentials", var id] => await CredentialsAsync(id, revoke: false, args, stdout, ct),
            [var verb and ("revoke" or "credentials")] => throw HubCliError.BadInput($"stations {verb} needs the station's ID: county-hub stations {verb} ID"),
            _ => throw HubCliError.BadInput(Usage),
        };
    }

    private const string Usage = "usage: county-hub stations add ID --name NAME [--address A] [--lat X --lon Y] [--hours H] | stations list [--json] | stations revoke ID | stations credentials ID";

    private static async Task<int> CredentialsAsync(string id, bool revoke, HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.DatabaseOnly);
        var (passwordFile, aclFile) = BrokerFiles(options, configPath);
        var station = (await DatabaseCall.RunAsync(options, db => db.ListStationsAsync(ct), ct)).FirstOrDefault(s => s.Id == id && s.County == options.County)
            ?? throw HubCliError.BadInput($"no station {id} is registered in county {options.County} (county-hub stations list)");
        var user = station.MqttUser ?? $"st-{id}";
        string? password = null;
        string? line = null;
        if (!revoke)
        {
            password = MosquittoPassword.NewPassword();
            line = MosquittoPassword.Line(user, password);
        }

        // The broker's files first: once the line is gone nobody can log in as the station, whatever the registry says.
        var passwords = MosquittoPassword.Without(File.Exists(passwordFile) ? File.ReadAllText(passwordFile) : "", user);
        Rewrite(passwordFile, line is null ? passwords : EndLine(passwords) + line + "\n");
        var acl = MosquittoAcl.Without(File.Exists(aclFile) ? File.ReadAllText(aclFile) : "", user);
        Rewrite(aclFile, revoke ? acl : EndLine(acl) + "\n" + MosquittoAcl.StationBlock(user, id, options.County!));
        var hash = line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
        await DatabaseCall.RunAsync(options, db => db.SetStationCredentialsAsync(id, options.County!, user, hash, ct), ct);
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { station_id = id, county = options.County, username = user, password, revoked = revoke, password_file = passwordFile, acl_file = aclFile }, Json));
        }
        else if (revoke)
        {
            stdout.WriteLine($"station {id}: broker login {user} revoked (its line left {passwordFile}, its ACL block {aclFile}); its visits stay in the county's records");
            stdout.WriteLine("reload mosquitto (systemctl reload mosquitto) for the broker to refuse it");
        }
        else
        {
            stdout.WriteLine($"station {id}: a new password for {user}");
            stdout.WriteLine($"  password        {password}");
            stdout.WriteLine("the password is shown this once: put it in the station's Sync:PasswordFile (0600); the old one stops working");
            stdout.WriteLine("reload mosquitto (systemctl reload mosquitto) for the broker to take it");
        }

        return 0;
    }

    private static string EndLine(string text) => text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";

    /// <summary>
    /// In place, not by a rename: hub-install makes the broker's folder root's and these two files the hub user's, so
    /// the hub can write the files but not make a new one beside them, and in place keeps their owner and mode.
    /// </summary>
    private static void Rewrite(string path, string text)
    {
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        stream.SetLength(0);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    private static (string PasswordFile, string AclFile) BrokerFiles(HubOptions options, string configPath)
    {
        var passwordFile = options.MosquittoPasswordFile ?? throw HubCliError.BadInput($"{configPath}: Hub:MosquittoPasswordFile is not set (Mosquitto's password_file, which gets the station's line)");
        var aclFile = options.MosquittoAclFile ?? throw HubCliError.BadInput($"{configPath}: Hub:MosquittoAclFile is not set (Mosquitto's acl_file, which gets the station's block)");
        foreach (var (key, file) in new[] { ("Hub:MosquittoPasswordFile", passwordFile), ("Hub:MosquittoAclFile", aclFile) })
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            if (!Directory.Exists(folder))
            {
                throw HubCliError.BadInput($"{key} {file}: folder {folder} does not exist");
            }
        }

        return (passwordFile, aclFile);
    }

    private static async Task<int> AddAsync(string id, HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        if (!Ids.IsValid(id) || id.Length > 61)
        {
            throw HubCliError.BadInput($"station ID '{id}' must be 1-61 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        var name = args.Require("--name").Trim();
        Text("--name", name);
        var address = args.Value("--address")?.Trim();
        Text("--address", address);
        var hours = args.Value("--hours")?.Trim();
        Text("--hours", hours);
        var lat = args.Double("--lat", -90, 90);
        var lon = args.Double("--lon", -180, 180);
        if (lat.HasValue != lon.HasValue)
        {
            throw HubCliError.BadInput("--lat and --lon go together");
        }

        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.DatabaseOnly);
        var (passwordFile, aclFile) = BrokerFiles(options, configPath);

        var user = $"st-{id}";
        var password = MosquittoPassword.NewPassword();
        var line = MosquittoPassword.Line(user, password);
        var row = new StationRow(id, options.County!, name)
        {
            Address = address,
            Lat = lat,
            Lon = lon,
            OpeningHours = hours,
            MqttUser = user,
            MqttPasswordHash = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..],
        };
        if (!await DatabaseCall.RunAsync(options, db => db.AddStationAsync(row, ct), ct))
        {
            throw HubCliError.BadInput($"station {id} is registered already (county-hub stations list)");
        }

        // The registry first: a station in the broker's files but not the registry would send visits nobody expects.
        Append(passwordFile, line + "\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Append(aclFile, "\n" + MosquittoAcl.StationBlock(user, id, options.County!), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { station_id = id, county = options.County, username = user, password, password_file = passwordFile, acl_file = aclFile }, Json));
        }
        else
        {
            stdout.WriteLine($"station {id} ({name}) registered in county {options.County}");
            stdout.WriteLine($"  Sync:StationId  {id}");
            stdout.WriteLine($"  Sync:County     {options.County}");
            stdout.WriteLine($"  Sync:Username   {user}");
            stdout.WriteLine($"  password        {password}");
            stdout.WriteLine("the password is shown this once: put it in the station's Sync:PasswordFile (0600)");
            stdout.WriteLine($"broker: its line added to {passwordFile}, its ACL block to {aclFile}; reload mosquitto (systemctl reload mosquitto)");
        }

        return 0;
    }

    private static async Task<int> ListAsync(HubArgs args, TextWriter stdout, CancellationToken ct)
    {
        var options = HubConfig.Load(HubConfig.PathOf(args), HubOptionsValidator.DatabaseOnly);
        var rows = await DatabaseCall.RunAsync(options, db => db.ListStationsAsync(ct), ct);
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
            {
                id = r.Id,
                county = r.County,
                name = r.Name,
                address = r.Address,
                lat = r.Lat,
                lon = r.Lon,
                opening_hours = r.OpeningHours,
                username = r.MqttUser,
                online = r.Online,
                last_seen = r.LastSeen,
                outbox_depth = r.OutboxDepth,
                oldest_unsent_s = r.OldestUnsentSeconds,
                software_version = r.SoftwareVersion,
                open_alarms = r.OpenAlarms,
            }), Json));
            return 0;
        }

        if (rows.Count == 0)
        {
            stdout.WriteLine("no stations registered (county-hub stations add ID --name NAME)");
            return 0;
        }

        stdout.WriteLine($"{"id",-16} {"name",-20} {"state",-8} {"last seen (UTC)",-20} {"outbox",7} {"version",-10} alarms");
        foreach (var r in rows)
        {
            var seen = r.LastSeen?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "never";
            stdout.WriteLine($"{r.Id,-16} {r.Name,-20} {(r.Online ? "online" : "offline"),-8} {seen,-20} {r.OutboxDepth?.ToString(CultureInfo.InvariantCulture) ?? "-",7} {r.SoftwareVersion ?? "-",-10} {(r.OpenAlarms is { Count: > 0 } a ? string.Join(",", a) : "-")}");
        }

        return 0;
    }

    private static void Text(string flag, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length is 0 or > 200 || value.Any(char.IsControl))
        {
            throw HubCliError.BadInput($"{flag} must be 1-200 characters on one line");
        }
    }

    internal static void Append(string path, string text, UnixFileMode mode)
    {
        using var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = mode });
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
