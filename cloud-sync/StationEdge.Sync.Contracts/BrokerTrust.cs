using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StationEdge.Sync.Contracts;

/// <summary>
/// The CA a broker's certificate must chain to when the county runs its own (the county CA that
/// <c>./deploy.sh hub-install</c> makes), for <c>Sync:BrokerCaFile</c> and <c>Hub:BrokerCaFile</c>. With it only that CA
/// is trusted for the broker — not the system's store, so no other CA can vouch for a fake county broker — and revocation
/// is not checked: a county CA publishes no revocation list, so an online check could only fail (a broker key that
/// leaks means a new certificate, and a new CA if the CA's key leaked). Without it the system's store decides, with
/// MQTTnet's online revocation check.
/// </summary>
public static class BrokerTrust
{
    /// <summary>The CA certificates in the PEM file <paramref name="path"/>; <paramref name="key"/> names the setting in errors.</summary>
    /// <exception cref="ArgumentException">The file cannot be read, holds no certificate, or a certificate in it is not a CA.</exception>
    public static X509Certificate2Collection Load(string path, string key)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{key} {path} cannot be read: {e.Message}", e);
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{key} {path} is not a PEM certificate: {e.Message}", e);
        }

        if (collection.Count == 0)
        {
            throw new ArgumentException($"{key} {path} holds no certificate (a PEM file with -----BEGIN CERTIFICATE-----, such as hub-install's county-ca.crt)");
        }

        foreach (var certificate in collection)
        {
            if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                throw new ArgumentException($"{key} {path}: {certificate.Subject} is not a CA certificate (give the CA that signed the broker's certificate, not the broker's own)");
            }
        }

        return collection;
    }
}
