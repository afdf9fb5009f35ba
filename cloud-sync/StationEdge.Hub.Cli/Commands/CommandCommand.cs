using System.Security.Cryptography;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Npgsql;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>command unlock STATION --by NAME --reason TEXT | command resync STATION | command rotate_keys STATION</c>: a command signed with the county's
/// key, with an expiry and a fresh nonce, recorded in <c>county_commands</c> and then published (QoS 1) on
/// <c>stations/{id}/commands</c> with the hub's broker login. The station refuses it once expired or replayed.
/// </summary>
internal static class CommandCommand
{
    public const string Usage = "usage: county-hub command unlock STATION --by NAME --reason TEXT | command resync STATION [--by NAME] [--reason TEXT] | command rotate_keys STATION [--by NAME] [--reason TEXT]";

    /// <summary>A remote unlock is for someone at the door now; a resync may wait for a station's reconnect a little longer.</summary>
    private static readonly TimeSpan UnlockLifetime = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ResyncLifetime = TimeSpan.FromMinutes(10);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, ["--by", "--reason"]);
        var (type, station) = args.Words switch
        {
            ["unlock", var s] => (StationCommand.Unlock, s),
            ["resync", var s] => (StationCommand.ResyncRoster, s),
            ["rotate_keys", var s] => (StationCommand.RotateKeys, s),
            [var verb and ("unlock" or "resync" or "rotate_keys")] => throw HubCliError.BadInput($"command {verb} needs the station's ID ({Usage})"),
            [var verb, ..] when verb is not ("unlock" or "resync" or "rotate_keys") => throw HubCliError.BadInput($"no such command '{verb}' (unlock, resync, rotate_keys)"),
            _ => throw HubCliError.BadInput(Usage),
        };
        if (!Ids.IsValid(station))
        {
            throw HubCliError.BadInput($"station ID '{station}' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        var by = type == StationCommand.Unlock ? args.Require("--by") : args.Value("--by") ?? Environment.UserName;
        var reason = type switch
        {
            StationCommand.Unlock => args.Require("--reason"),
            StationCommand.RotateKeys => args.Value("--reason"),
            _ => args.Value("--reason") ?? "roster resync from the county",
        };
        Text("--by", by, 100);
        if (reason is not null)
        {
            Text("--reason", reason, type == StationCommand.RotateKeys ? 150 : 200);
        }

        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.ForIngest);
        using var signer = LoadSigner(options, configPath);
        using var next = type == StationCommand.RotateKeys ? KeysCommand.LoadNext(options) : null;
        var command = type == StationCommand.RotateKeys
            ? KeysCommand.RotateCommand(station, by, reason, next!)
            : Make(station, type, by, reason!, type == StationCommand.Unlock ? UnlockLifetime : ResyncLifetime);
        var registered = await CountyOfAsync(options, station, ct);
        if (registered is null)
        {
            throw HubCliError.BadInput($"station {station} is not registered (county-hub stations list)");
        }

        if (registered != options.County)
        {
            throw HubCliError.BadInput($"station {station} belongs to county {registered}, not {options.County}");
        }

        await SendAsync(options, signer, [command], ct);
        if (args.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new { id = command.Id, station, type, by = command.By, reason = command.Reason, issued_at = command.IssuedAt, expires_at = command.ExpiresAt, nonce = command.Nonce, key_id = signer.KeyId, next_key_id = next?.KeyId }, Json));
        }
        else
        {
            stdout.WriteLine($"{type} {command.Id} sent to {station} (signed with key {signer.KeyId}); valid until {command.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC, after which the station refuses it");
        }

        return 0;
    }

    /// <summary>The county's signing key in use (<c>Hub:SigningKeyFile</c>): what every station trusts now.</summary>
    internal static CountySigner LoadSigner(HubOptions options, string configPath)
    {
        var keyFile = options.SigningKeyFile ?? throw HubCliError.BadInput($"{configPath}: Hub:SigningKeyFile is not set (commands are signed with the county's key)");
        try
        {
            return CountySigner.FromPem(File.ReadAllText(keyFile));
        }
        catch (ArgumentException e)
        {
            throw HubCliError.BadInput($"Hub:SigningKeyFile {keyFile}: {e.Message}");
        }
    }

    internal static StationCommand Make(string station, string type, string by, string reason, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow;
        return new StationCommand(Schemas.V(Schemas.Command), Guid.CreateVersion7(now), station, type, by.Trim(), reason.Trim(), now,
            now + lifetime, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
    }

    internal static Task<string?> CountyOfAsync(HubOptions options, string station, CancellationToken ct) =>
        DatabaseCall.RunAsync(options, async db =>
        {
            await using var find = db.DataSource.CreateCommand("SELECT county FROM stations WHERE id = @s");
            find.Parameters.AddWithValue("s", station);
            return await find.ExecuteScalarAsync(ct) as string;
        }, ct);

    /// <summary>Each command recorded in <c>county_commands</c> before it is published, all on one broker connection, then marked published.</summary>
    internal static async Task SendAsync(HubOptions options, CountySigner signer, IReadOnlyList<StationCommand> commands, CancellationToken ct)
    {
        await DatabaseCall.RunAsync(options, async db =>
        {
            foreach (var command in commands)
            {
                await RecordAsync(db.DataSource, command, ct);
            }

            return commands.Count;
        }, ct);

        await PublishAsync(options, [.. commands.Select(c => (c, SyncJson.Write(signer.Sign(c))))], ct);
        await DatabaseCall.RunAsync(options, async db =>
        {
            await using var mark = db.DataSource.CreateCommand("UPDATE county_commands SET published_at = now() WHERE id = ANY(@ids)");
            mark.Parameters.AddWithValue("ids", commands.Select(c => c.Id).ToArray());
            return await mark.ExecuteNonQueryAsync(ct);
        }, ct);
    }

    private static async Task<int> RecordAsync(NpgsqlDataSource data, StationCommand c, CancellationToken ct)
    {
        await using var insert = data.CreateCommand("""
            INSERT INTO county_commands (id, station_id, type, by_whom, reason, issued_at, expires_at, nonce)
            VALUES (@id, @s, @t, @by, @r, @at, @exp, @n)
            """);
        var p = insert.Parameters;
        p.AddWithValue("id", c.Id);
        p.AddWithValue("s", c.StationId);
        p.AddWithValue("t", c.Type);
        p.AddWithValue("by", c.By);
        p.AddWithValue("r", c.Reason);
        p.AddWithValue("at", c.IssuedAt);
        p.AddWithValue("exp", c.ExpiresAt);
        p.AddWithValue("n", c.Nonce);
        return await insert.ExecuteNonQueryAsync(ct);
    }

    private static async Task PublishAsync(HubOptions options, IReadOnlyList<(StationCommand Command, byte[] Payload)> signed, CancellationToken ct)
    {
        var password = (await File.ReadAllTextAsync(options.PasswordFile!, ct)).Trim();
        // Its own client id: the running hub's sessions are left alone.
        var builder = HubMqtt.Client(options, $"{options.EffectiveClientId()}-cmd-{Environment.ProcessId}", password).WithCleanStart(true);

        using var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var connect = await client.ConnectAsync(builder.Build(), ct);
            if (connect.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw HubCliError.Fault($"the broker at {options.Broker} (Hub:Broker) refused the hub's login: {connect.ResultCode}");
            }

            foreach (var (command, payload) in signed)
            {
                var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Commands(command.StationId)).WithPayload(payload)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
                if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    throw HubCliError.Fault($"the broker refused {Topics.Commands(command.StationId)}: {result.ReasonCode}");
                }
            }

            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), ct);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or System.Net.Sockets.SocketException && !ct.IsCancellationRequested)
        {
            throw HubCliError.Fault($"the broker at {options.Broker} (Hub:Broker): {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static void Text(string flag, string value, int max)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > max || value.Any(char.IsControl))
        {
            throw HubCliError.BadInput($"{flag} must be 1-{max} characters on one line");
        }
    }
}
