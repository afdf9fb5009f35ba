using System.Security.Cryptography;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Npgsql;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>command unlock STATION --by NAME --reason TEXT | command resync STATION</c>: a command signed with the county's
/// key, with an expiry and a fresh nonce, recorded in <c>county_commands</c> and then published (QoS 1) on
/// <c>stations/{id}/commands</c> with the hub's broker login. The station refuses it once expired or replayed.
/// </summary>
internal static class CommandCommand
{
    public const string Usage = "usage: county-hub command unlock STATION --by NAME --reason TEXT | command resync STATION [--by NAME] [--reason TEXT]";

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
            [var verb and ("unlock" or "resync")] => throw HubCliError.BadInput($"command {verb} needs the station's ID ({Usage})"),
            [var verb, ..] when verb is not ("unlock" or "resync") => throw HubCliError.BadInput($"no such command '{verb}' (unlock, resync; rotate_keys is not supported yet)"),
            _ => throw HubCliError.BadInput(Usage),
        };
        if (!Ids.IsValid(station))
        {
            throw HubCliError.BadInput($"station ID '{station}' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'");
        }

        var by = type == StationCommand.Unlock ? args.Require("--by") : args.Value("--by") ?? Environment.UserName;
        var reason = type == StationCommand.Unlock ? args.Require("--reason") : args.Value("--reason") ?? "roster resync from the county";
        Text("--by", by, 100);
        Text("--reason", reason, 200);

        var configPath = HubConfig.PathOf(args);
        var options = HubConfig.Load(configPath, HubOptionsValidator.ForIngest);
        var keyFile = options.SigningKeyFile ?? throw HubCliError.BadInput($"{configPath}: Hub:SigningKeyFile is not set (commands are signed with the county's key)");
        CountySigner signer;
        try
        {
            signer = CountySigner.FromPem(await File.ReadAllTextAsync(keyFile, ct));
        }
        catch (ArgumentException e)
        {
            throw HubCliError.BadInput($"Hub:SigningKeyFile {keyFile}: {e.Message}");
        }

        using (signer)
        {
            var now = DateTimeOffset.UtcNow;
            var command = new StationCommand(Schemas.V(Schemas.Command), Guid.CreateVersion7(now), station, type, by.Trim(), reason.Trim(), now,
                now + (type == StationCommand.Unlock ? UnlockLifetime : ResyncLifetime), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            var registered = await DatabaseCall.RunAsync(options, async db =>
            {
                await using var find = db.DataSource.CreateCommand("SELECT county FROM stations WHERE id = @s");
                find.Parameters.AddWithValue("s", station);
                return await find.ExecuteScalarAsync(ct) as string;
            }, ct);
            if (registered is null)
            {
                throw HubCliError.BadInput($"station {station} is not registered (county-hub stations list)");
            }

            if (registered != options.County)
            {
                throw HubCliError.BadInput($"station {station} belongs to county {registered}, not {options.County}");
            }

            await DatabaseCall.RunAsync(options, db => RecordAsync(db.DataSource, command, ct), ct);
            await PublishAsync(options, command, SyncJson.Write(signer.Sign(command)), ct);
            await DatabaseCall.RunAsync(options, async db =>
            {
                await using var mark = db.DataSource.CreateCommand("UPDATE county_commands SET published_at = now() WHERE id = @id");
                mark.Parameters.AddWithValue("id", command.Id);
                return await mark.ExecuteNonQueryAsync(ct);
            }, ct);

            if (args.Json)
            {
                stdout.WriteLine(JsonSerializer.Serialize(new { id = command.Id, station, type, by = command.By, reason = command.Reason, issued_at = command.IssuedAt, expires_at = command.ExpiresAt, nonce = command.Nonce }, Json));
            }
            else
            {
                stdout.WriteLine($"{type} {command.Id} sent to {station} (signed with key {signer.KeyId}); valid until {command.ExpiresAt:yyyy-MM-dd HH:mm:ss} UTC, after which the station refuses it");
            }
        }

        return 0;
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

    private static async Task PublishAsync(HubOptions options, StationCommand command, byte[] payload, CancellationToken ct)
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

            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.Commands(command.StationId)).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
            if (!result.IsSuccess && result.ReasonCode != MqttClientPublishReasonCode.NoMatchingSubscribers)
            {
                throw HubCliError.Fault($"the broker refused {Topics.Commands(command.StationId)}: {result.ReasonCode}");
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
