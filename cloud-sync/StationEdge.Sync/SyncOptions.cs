using Microsoft.Extensions.Options;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync;

/// <summary>The <c>Sync</c> section: the station's link to its county. No <see cref="Broker"/>, no sync: the station works offline as before.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary><c>mqtt://host:port</c> or <c>mqtts://host:port</c> (TLS: the system's trust store, or <see cref="BrokerCaFile"/>).</summary>
    public string? Broker { get; set; }

    /// <summary>With <c>mqtts://</c>: the county CA's certificate (PEM), the only CA trusted for the broker (<see cref="BrokerTrust"/>).</summary>
    public string? BrokerCaFile { get; set; }

    public string? StationId { get; set; }

    public string? County { get; set; }

    public string? Username { get; set; }

    /// <summary>A file holding the station's MQTT password (0600, written at installation).</summary>
    public string? PasswordFile { get; set; }

    /// <summary>The county's ECDSA P-256 public key: a PEM file's path, or the PEM itself.</summary>
    public string? CountyPublicKey { get; set; }

    /// <summary>
    /// A file holding the county's template key (32 bytes, base64 on one line: <c>openssl rand -base64 32</c>), 0600.
    /// Without it roaming workers are kept in the roster but cannot be matched (their sealed templates cannot be opened).
    /// </summary>
    public string? TemplateKeyFile { get; set; }

    /// <summary>At most this many items in one message.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>A partial batch waits at most this long for more items (a lone visit goes within it).</summary>
    public int BatchAgeMs { get; set; } = 200;

    /// <summary>Batches sent and not yet acknowledged before the station waits: it slows down with a slow hub.</summary>
    public int Window { get; set; } = 8;

    /// <summary>With no acknowledgement for this long, everything unacknowledged is sent again, in order.</summary>
    public int AckTimeoutSeconds { get; set; } = 20;

    public int StatusIntervalSeconds { get; set; } = 60;

    /// <summary>The cap of the reconnect backoff.</summary>
    public int MaxBackoffSeconds { get; set; } = 30;

    public bool Enabled => !string.IsNullOrWhiteSpace(Broker);

    /// <summary>The county's template key from <see cref="TemplateKeyFile"/>; null when none is configured.</summary>
    /// <exception cref="ArgumentException">The file does not hold a base64 32-byte key.</exception>
    public byte[]? TemplateKey()
    {
        if (string.IsNullOrWhiteSpace(TemplateKeyFile))
        {
            return null;
        }

        var text = File.ReadAllText(TemplateKeyFile).Trim();
        var key = new byte[TemplateSeal.KeyBytes + 3];
        return Convert.TryFromBase64String(text, key, out var length) && length == TemplateSeal.KeyBytes
            ? key[..length]
            : throw new ArgumentException($"{TemplateKeyFile} does not hold a {TemplateSeal.KeyBytes}-byte key in base64 (openssl rand -base64 32)");
    }

    /// <summary>Host, port and TLS from <see cref="Broker"/>; null when it is not such an address.</summary>
    public (string Host, int Port, bool Tls)? Endpoint()
    {
        if (!Uri.TryCreate(Broker, UriKind.Absolute, out var uri) || uri.Scheme is not ("mqtt" or "mqtts") || uri.IsDefaultPort
            || uri.AbsolutePath is not ("" or "/") || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        return (uri.Host, uri.Port, uri.Scheme == "mqtts");
    }

    /// <summary>The county key's PEM: the file's text when <see cref="CountyPublicKey"/> names a file.</summary>
    public string CountyKeyPem() => CountyPublicKey!.Contains("-----BEGIN", StringComparison.Ordinal) ? CountyPublicKey : File.ReadAllText(CountyPublicKey);
}

public sealed class SyncOptionsValidator : IValidateOptions<SyncOptions>
{
    public ValidateOptionsResult Validate(string? name, SyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (options.Endpoint() is null)
        {
            failures.Add($"Sync:Broker must be mqtt://host:port or mqtts://host:port (was '{options.Broker}')");
        }

        if (!string.IsNullOrWhiteSpace(options.BrokerCaFile))
        {
            if (options.Endpoint() is { Tls: false })
            {
                failures.Add($"Sync:BrokerCaFile is set but Sync:Broker '{options.Broker}' is plain mqtt://: use mqtts:// or remove it");
            }

            try
            {
                _ = BrokerTrust.Load(options.BrokerCaFile, "Sync:BrokerCaFile");
            }
            catch (ArgumentException e)
            {
                failures.Add(e.Message);
            }
        }

        Id("StationId", options.StationId);
        Id("County", options.County);
        Id("Username", options.Username);
        if (string.IsNullOrWhiteSpace(options.PasswordFile))
        {
            failures.Add("Sync:PasswordFile is required with Sync:Broker (a file holding the station's MQTT password)");
        }
        else if (!File.Exists(options.PasswordFile))
        {
            failures.Add($"Sync:PasswordFile {options.PasswordFile} does not exist");
        }

        if (string.IsNullOrWhiteSpace(options.CountyPublicKey))
        {
            failures.Add("Sync:CountyPublicKey is required with Sync:Broker (the county's P-256 public key, a PEM file or the PEM)");
        }
        else
        {
            try
            {
                using var _ = CountyVerifier.FromPem(options.CountyKeyPem());
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                failures.Add($"Sync:CountyPublicKey cannot be used: {e.Message}");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.TemplateKeyFile))
        {
            try
            {
                _ = options.TemplateKey();
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                failures.Add($"Sync:TemplateKeyFile cannot be used: {e.Message}");
            }
        }

        Range("BatchSize", options.BatchSize, 1, 1000);
        Range("BatchAgeMs", options.BatchAgeMs, 0, 60_000);
        Range("Window", options.Window, 1, 100);
        Range("AckTimeoutSeconds", options.AckTimeoutSeconds, 2, 3600);
        Range("StatusIntervalSeconds", options.StatusIntervalSeconds, 5, 3600);
        Range("MaxBackoffSeconds", options.MaxBackoffSeconds, 1, 3600);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Id(string key, string? value)
        {
            if (!Ids.IsValid(value))
            {
                failures.Add($"Sync:{key} must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (was '{value}')");
            }
        }

        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                failures.Add($"Sync:{key} must be between {min} and {max} (was {value})");
            }
        }
    }
}
