using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StationEdge.Sync.Contracts;

/// <summary>What reading a payload gave: the message, or one line saying why it was refused.</summary>
public readonly record struct ReadResult<T>(T? Message, string? Error) where T : class
{
    public bool Ok => Message is not null;
}

/// <summary>
/// The link's JSON: snake_case, Chinese names unescaped, nulls left out. Reading ignores unknown fields (a newer minor
/// version may add some) and refuses an unknown major version, a missing required field, or a payload over the limit.
/// </summary>
public static class SyncJson
{
    /// <summary>The major version every schema of this build speaks.</summary>
    public const int Major = 1;

    /// <summary>Payloads larger than this are refused unread (the broker's <c>message_size_limit</c> matches it).</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        MaxDepth = 16,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    public static byte[] Write<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message, Options);

    /// <summary>
    /// Reads a <typeparamref name="T"/> whose <c>schema</c> must be <paramref name="schemaName"/> at major version
    /// <see cref="Major"/> (when <paramref name="schemaName"/> is given).
    /// </summary>
    public static ReadResult<T> Read<T>(ReadOnlySpan<byte> payload, string? schemaName = null, int maxBytes = MaxPayloadBytes) where T : class
    {
        if (payload.Length > maxBytes)
        {
            return new(null, $"payload of {payload.Length} bytes is over the limit of {maxBytes}");
        }

        try
        {
            if (schemaName is not null)
            {
                var head = JsonSerializer.Deserialize<SchemaHead>(payload, Options);
                if (Schemas.Check(head?.Schema, schemaName) is { } schemaError)
                {
                    return new(null, schemaError);
                }
            }

            var message = JsonSerializer.Deserialize<T>(payload, Options);
            return message is null ? new(null, "payload is JSON null") : new(message, null);
        }
        catch (JsonException e)
        {
            return new(null, $"payload is not a valid {typeof(T).Name}: {OneLine(e.Message)}");
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private sealed record SchemaHead(string? Schema);
}

/// <summary>Schema names; each message carries <c>name/MAJOR.MINOR</c>.</summary>
public static class Schemas
{
    public const string VisitBatch = "stationedge.visits";
    public const string EventBatch = "stationedge.events";
    public const string Status = "stationedge.status";
    public const string Ack = "stationedge.ack";
    public const string Resync = "stationedge.resync";
    public const string Envelope = "stationedge.signed";
    public const string RosterDelta = "stationedge.roster";
    public const string RosterHead = "stationedge.roster_head";
    public const string Command = "stationedge.command";

    public const int Minor = 0;

    public static string V(string name) => $"{name}/{SyncJson.Major}.{Minor}";

    /// <summary>Null when <paramref name="schema"/> is <paramref name="name"/> at a major this build reads, else why not.</summary>
    public static string? Check(string? schema, string name)
    {
        if (string.IsNullOrEmpty(schema))
        {
            return $"payload has no schema (expected {V(name)})";
        }

        var slash = schema.IndexOf('/', StringComparison.Ordinal);
        var dot = slash < 0 ? -1 : schema.IndexOf('.', slash);
        if (slash < 0 || schema[..slash] != name || dot < 0
            || !int.TryParse(schema.AsSpan(slash + 1, dot - slash - 1), System.Globalization.NumberStyles.None, null, out var major))
        {
            return $"payload schema '{schema}' is not {name}/MAJOR.MINOR";
        }

        return major == SyncJson.Major ? null : $"payload schema '{schema}' has major version {major}; this build reads {SyncJson.Major}";
    }
}
