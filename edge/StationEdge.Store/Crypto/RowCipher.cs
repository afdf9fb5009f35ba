using System.Security.Cryptography;
using System.Text;

namespace StationEdge.Store.Crypto;

/// <summary>An AES-GCM sealed value: a random 96-bit nonce, the ciphertext and the 128-bit tag, stored in three columns.</summary>
internal sealed record SealedValue(byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>
/// Seals template vectors and crops with AES-256-GCM under the device key. The associated data is the row's identity
/// (kind, template id, worker id and, for a template, the embedder sha256), so a ciphertext copied into another row,
/// or a crop copied into a template, fails authentication like an altered one. <see cref="AesGcm"/> is not safe for
/// concurrent use, so each unit of work makes its own (the key schedule is a microsecond).
/// </summary>
internal sealed class RowCipher(byte[] key)
{
    public const int NonceSize = 12;
    public const int TagSize = 16;

    public AesGcm Create() => new(key, TagSize);

    public static SealedValue Seal(AesGcm aes, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return new SealedValue(nonce, ciphertext, tag);
    }

    /// <summary>Decrypts into <paramref name="plaintext"/> (the ciphertext's length); false when authentication fails.</summary>
    public static bool TryOpen(AesGcm aes, SealedValue value, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (value.Nonce.Length != NonceSize || value.Tag.Length != TagSize || plaintext.Length != value.Ciphertext.Length)
        {
            return false;
        }

        try
        {
            aes.Decrypt(value.Nonce, value.Ciphertext, value.Tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>One base64 text (nonce, ciphertext, tag) for a value kept in a single text column.</summary>
    public static string Pack(SealedValue value) => Convert.ToBase64String([.. value.Nonce, .. value.Ciphertext, .. value.Tag]);

    /// <summary>The value <see cref="Pack"/> made; null when the text is not base64 or too short to hold one.</summary>
    public static SealedValue? Unpack(string text)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }

        return bytes.Length <= NonceSize + TagSize ? null : new SealedValue(bytes[..NonceSize], bytes[NonceSize..^TagSize], bytes[^TagSize..]);
    }

    public static byte[] TemplateData(Guid templateId, string workerId, string embedderSha256) =>
        Encoding.UTF8.GetBytes($"stationedge.template.v1\0{templateId:D}\0{workerId}\0{embedderSha256}");

    /// <summary>The passes' HMAC key in the meta table: one per store, so the label alone names it.</summary>
    public static readonly byte[] PassKeyData = Encoding.UTF8.GetBytes("stationedge.pass-key.v1");

    public static byte[] CropData(Guid templateId, string workerId) =>
        Encoding.UTF8.GetBytes($"stationedge.crop.v1\0{templateId:D}\0{workerId}");
}
