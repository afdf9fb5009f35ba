using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace StationEdge.Passes;

public enum PassKind : byte
{
    /// <summary>A pass for an enrolled worker whose face is not enough (a helmet that stays on, a scar, a bad camera).</summary>
    Worker = 1,

    /// <summary>A guest's pass: a name the keeper typed (kept in the pass book, never in the code) and an expiry of hours.</summary>
    Visitor = 2,
}

/// <summary>
/// What a QR code carries: <c>SE1:</c> and, base64url, version (1) · kind · expiry (Unix seconds, big-endian) · pass id (16
/// random bytes, the nonce) · worker id length and bytes (empty for a visitor) · HMAC-SHA256 of all that, cut to 16
/// bytes. No name is in the code: a photographed pass gives away only a worker id.
/// </summary>
public sealed record PassClaims(PassKind Kind, Guid Id, string? WorkerId, DateTimeOffset ExpiresAt);

internal static class PassToken
{
    public const string Prefix = "SE1:";
    public const int KeySize = 32;
    private const byte Version = 1;
    private const int MacSize = 16;
    private const int MaxWorkerIdBytes = 64;

    /// <summary>The code claims to be one of ours (a station pass), whatever else is in it.</summary>
    public static bool Claims(string text) => text.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Sign(PassClaims claims, ReadOnlySpan<byte> key)
    {
        var worker = Encoding.ASCII.GetBytes(claims.WorkerId ?? "");
        if (worker.Length > MaxWorkerIdBytes)
        {
            throw new ArgumentException($"worker id is {worker.Length} bytes; at most {MaxWorkerIdBytes}", nameof(claims));
        }

        var body = new byte[1 + 1 + 8 + 16 + 1 + worker.Length];
        body[0] = Version;
        body[1] = (byte)claims.Kind;
        BinaryPrimitives.WriteInt64BigEndian(body.AsSpan(2), claims.ExpiresAt.ToUnixTimeSeconds());
        claims.Id.TryWriteBytes(body.AsSpan(10, 16), bigEndian: true, out _);
        body[26] = (byte)worker.Length;
        worker.CopyTo(body, 27);
        var token = new byte[body.Length + MacSize];
        body.CopyTo(token, 0);
        HMACSHA256.HashData(key, body).AsSpan(0, MacSize).CopyTo(token.AsSpan(body.Length));
        return Prefix + Base64Url.Encode(token);
    }

    /// <summary>The claims of a code whose signature holds, or null: malformed, or signed with another key, or altered.</summary>
    public static PassClaims? Open(string text, ReadOnlySpan<byte> key)
    {
        if (!Claims(text) || Base64Url.Decode(text.AsSpan(Prefix.Length)) is not { } token
            || token.Length < 27 + MacSize || token[0] != Version || token[26] > MaxWorkerIdBytes || token.Length != 27 + token[26] + MacSize)
        {
            return null;
        }

        var body = token.AsSpan(0, token.Length - MacSize);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, body, mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacSize], token.AsSpan(body.Length)))
        {
            return null;
        }

        var kind = (PassKind)token[1];
        if (kind is not (PassKind.Worker or PassKind.Visitor))
        {
            return null;
        }

        var seconds = BinaryPrimitives.ReadInt64BigEndian(body[2..]);
        if (seconds < 0 || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return null;
        }

        var worker = token[26] == 0 ? null : Encoding.ASCII.GetString(body.Slice(27, token[26]));
        return new PassClaims(kind, new Guid(body.Slice(10, 16), bigEndian: true), worker, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    /// <summary>RFC 4648 §5 without padding; anything else (padding, whitespace, other characters) is refused.</summary>
    private static class Base64Url
    {
        public static string Encode(byte[] bytes) =>
            Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static byte[]? Decode(ReadOnlySpan<char> text)
        {
            if (text.Length is 0 or > 512 || text.Length % 4 == 1)
            {
                return null;
            }

            var standard = new StringBuilder(text.Length + 3);
            foreach (var c in text)
            {
                if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9'))
                {
                    standard.Append(c);
                }
                else if (c is '-' or '_')
                {
                    standard.Append(c == '-' ? '+' : '/');
                }
                else
                {
                    return null;
                }
            }

            standard.Append('=', (4 - (text.Length % 4)) % 4);
            var bytes = Convert.FromBase64String(standard.ToString());
            // A text with stray low bits in its last character decodes to the same bytes: only the canonical one counts.
            return Encode(bytes).AsSpan().SequenceEqual(text) ? bytes : null;
        }
    }
}
