using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace StationEdge.Sync.Contracts;

/// <summary>
/// A county-signed message: the inner message's JSON bytes as sent (so a verifier checks exactly what was signed, not
/// a re-serialisation) and an ECDSA P-256 / SHA-256 signature over them in IEEE P1363 form (64 bytes).
/// </summary>
public sealed record SignedEnvelope(string Schema, string KeyId, byte[] Payload, byte[] Signature);

/// <summary>The first 8 bytes of the SHA-256 of a public key's SubjectPublicKeyInfo, in hex: which key signed.</summary>
public static class CountyKeys
{
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())[..8]);
}

/// <summary>The hub's signing key (ECDSA P-256). Only the hub holds the private half; every station holds the public half.</summary>
public sealed class CountySigner : IDisposable
{
    private readonly ECDsa _key;

    private CountySigner(ECDsa key)
    {
        _key = key;
        KeyId = CountyKeys.KeyIdOf(key);
    }

    public string KeyId { get; }

    public static CountySigner Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <exception cref="ArgumentException">The PEM holds no P-256 private key.</exception>
    public static CountySigner FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new ArgumentException($"the county signing key is a {key.KeySize}-bit curve, not P-256");
            }

            _ = key.ExportParameters(includePrivateParameters: true);
            return new CountySigner(key);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"the county signing key is not a P-256 private key in PEM ({e.Message})", e);
        }
    }

    public string ExportPrivatePem() => _key.ExportPkcs8PrivateKeyPem();

    public string ExportPublicPem() => _key.ExportSubjectPublicKeyInfoPem();

    public SignedEnvelope Sign<T>(T message)
    {
        var payload = SyncJson.Write(message);
        return new SignedEnvelope(Schemas.V(Schemas.Envelope), KeyId, payload, _key.SignData(payload, HashAlgorithmName.SHA256));
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>A station's check of what the county sent: the envelope, the key, the signature, then the inner message.</summary>
public sealed class CountyVerifier : IDisposable
{
    private readonly ECDsa _key;

    private CountyVerifier(ECDsa key)
    {
        _key = key;
        KeyId = CountyKeys.KeyIdOf(key);
    }

    public string KeyId { get; }

    /// <exception cref="ArgumentException">The PEM holds no P-256 public key.</exception>
    public static CountyVerifier FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key.KeySize == 256
                ? new CountyVerifier(key)
                : throw new ArgumentException($"the county public key is a {key.KeySize}-bit curve, not P-256");
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"the county public key is not a P-256 key in PEM ({e.Message})", e);
        }
    }

    /// <summary>The verified inner message, or one line saying why it was refused (nothing in it is to be trusted then).</summary>
    public ReadResult<T> Open<T>(ReadOnlySpan<byte> envelopeJson, string schemaName) where T : class
    {
        var envelope = SyncJson.Read<SignedEnvelope>(envelopeJson, Schemas.Envelope);
        if (!envelope.Ok)
        {
            return new(null, envelope.Error);
        }

        var e = envelope.Message!;
        if (e.KeyId != KeyId)
        {
            return new(null, $"signed by key {e.KeyId}, not the county's key {KeyId}");
        }

        if (e.Signature.Length != 64 || !_key.VerifyData(e.Payload, e.Signature, HashAlgorithmName.SHA256))
        {
            return new(null, "bad signature");
        }

        return SyncJson.Read<T>(e.Payload, schemaName);
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// Face templates off the station: AES-256-GCM under the county's template key, which the county's stations hold and
/// the broker and the hub's database do not. The associated data binds a ciphertext to its template, worker and
/// embedder, so a sealed template cannot be moved onto another worker or read as another model's vector.
/// </summary>
public static class TemplateSeal
{
    public const int KeyBytes = 32;

    public static SealedTemplate Seal(ReadOnlySpan<byte> key, Guid templateId, string workerId, string embedder, ReadOnlySpan<float> vector)
    {
        var plain = MemoryMarshal.AsBytes(vector).ToArray();
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using var aes = new AesGcm(CheckKey(key), tag.Length);
        aes.Encrypt(nonce, plain, cipher, tag, Aad(templateId, workerId, embedder, vector.Length));
        CryptographicOperations.ZeroMemory(plain);
        return new SealedTemplate(templateId, embedder, vector.Length, nonce, cipher, tag);
    }

    /// <summary>The vector, or null when the seal does not open under this key for this worker (tampered, moved or another key).</summary>
    public static float[]? Open(ReadOnlySpan<byte> key, string workerId, SealedTemplate sealedTemplate)
    {
        ArgumentNullException.ThrowIfNull(sealedTemplate);
        if (sealedTemplate.Dimensions <= 0 || sealedTemplate.Ciphertext.Length != sealedTemplate.Dimensions * sizeof(float))
        {
            return null;
        }

        var plain = new byte[sealedTemplate.Ciphertext.Length];
        try
        {
            using var aes = new AesGcm(CheckKey(key), sealedTemplate.Tag.Length);
            aes.Decrypt(sealedTemplate.Nonce, sealedTemplate.Ciphertext, sealedTemplate.Tag, plain,
                Aad(sealedTemplate.Id, workerId, sealedTemplate.Embedder, sealedTemplate.Dimensions));
            return MemoryMarshal.Cast<byte, float>(plain).ToArray();
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static ReadOnlySpan<byte> CheckKey(ReadOnlySpan<byte> key) => key.Length == KeyBytes
        ? key
        : throw new ArgumentException($"the template key must be {KeyBytes} bytes, not {key.Length}");

    private static byte[] Aad(Guid id, string workerId, string embedder, int dimensions) =>
        Encoding.UTF8.GetBytes($"stationedge.template/1|{id:D}|{workerId}|{embedder}|{dimensions}");
}
