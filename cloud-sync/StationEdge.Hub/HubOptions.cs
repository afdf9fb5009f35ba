using Microsoft.Extensions.Options;
using Npgsql;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub;

/// <summary>The <c>Hub</c> section of the county hub's configuration file.</summary>
public sealed class HubOptions
{
    public const string SectionName = "Hub";

    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Username=…;Database=…</c>).</summary>
    public string? Database { get; set; }

    /// <summary><c>mqtt://host:port</c> or <c>mqtts://host:port</c> (TLS: the system's trust store, or <see cref="BrokerCaFile"/>).</summary>
    public string? Broker { get; set; }

    /// <summary>With <c>mqtts://</c>: the county CA's certificate (PEM), the only CA trusted for the broker (<see cref="BrokerTrust"/>).</summary>
    public string? BrokerCaFile { get; set; }

    public string? County { get; set; }

    /// <summary>The hub's MQTT user (the broker's ACL gives it the hub's block).</summary>
    public string? Username { get; set; }

    /// <summary>A file holding the hub's MQTT password.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>The county's ECDSA P-256 private key (PEM, 0600), made by <c>county-hub keys init</c>.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>
    /// The MQTT client id; each hub process needs its own, since the broker keeps one session (and the messages
    /// waiting for it) per id. Default <c>county-hub-{County}-{host name}</c>.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>How long the broker keeps this hub's session and its QoS 1 messages while the hub is away.</summary>
    public int SessionExpirySeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>The cap of the reconnect and database-retry backoff.</summary>
    public int MaxBackoffSeconds { get; set; } = 30;

    /// <summary>Mosquitto's password file that <c>stations add</c> appends a station's line to.</summary>
    public string? MosquittoPasswordFile { get; set; }

    /// <summary>Mosquitto's ACL file that <c>stations add</c> appends a station's block to.</summary>
    public string? MosquittoAclFile { get; set; }

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

    public string EffectiveClientId() => string.IsNullOrWhiteSpace(ClientId) ? $"county-hub-{County}-{Environment.MachineName}" : ClientId;
}

/// <summary>Checks the <c>Hub</c> section; <see cref="ForIngest"/> adds what <c>run</c> needs beyond the database.</summary>
public sealed class HubOptionsValidator(bool forIngest = true) : IValidateOptions<HubOptions>
{
    public static HubOptionsValidator ForIngest { get; } = new(true);

    public static HubOptionsValidator DatabaseOnly { get; } = new(false);

    public ValidateOptionsResult Validate(string? name, HubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Database))
        {
            failures.Add("Hub:Database is required (an Npgsql connection string: Host=…;Port=…;Username=…;Database=…)");
        }
        else
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(options.Database);
            }
            catch (ArgumentException e)
            {
                failures.Add($"Hub:Database is not a connection string: {e.Message}");
            }
        }

        if (!Ids.IsValid(options.County))
        {
            failures.Add($"Hub:County must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (was '{options.County}')");
        }

        if (forIngest)
        {
            if (options.Endpoint() is null)
            {
                failures.Add($"Hub:Broker must be mqtt://host:port or mqtts://host:port (was '{options.Broker}')");
            }

            if (!string.IsNullOrWhiteSpace(options.BrokerCaFile))
            {
                if (options.Endpoint() is { Tls: false })
                {
                    failures.Add($"Hub:BrokerCaFile is set but Hub:Broker '{options.Broker}' is plain mqtt://: use mqtts:// or remove it");
                }

                try
                {
                    _ = BrokerTrust.Load(options.BrokerCaFile, "Hub:BrokerCaFile");
                }
                catch (ArgumentException e)
                {
                    failures.Add(e.Message);
                }
            }

            if (!Ids.IsValid(options.Username))
            {
                failures.Add($"Hub:Username must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (was '{options.Username}')");
            }

            if (string.IsNullOrWhiteSpace(options.PasswordFile))
            {
                failures.Add("Hub:PasswordFile is required (a file holding the hub's MQTT password)");
            }
            else if (!File.Exists(options.PasswordFile))
            {
                failures.Add($"Hub:PasswordFile {options.PasswordFile} does not exist");
            }

            if (!string.IsNullOrWhiteSpace(options.SigningKeyFile) && !File.Exists(options.SigningKeyFile))
            {
                failures.Add($"Hub:SigningKeyFile {options.SigningKeyFile} does not exist (county-hub keys init makes it)");
            }

            if (!string.IsNullOrWhiteSpace(options.ClientId) && !Ids.IsValid(options.ClientId))
            {
                failures.Add($"Hub:ClientId must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-' (was '{options.ClientId}')");
            }
        }

        if (options.SessionExpirySeconds < 60 || options.SessionExpirySeconds > 30 * 24 * 3600)
        {
            failures.Add($"Hub:SessionExpirySeconds must be between 60 and {30 * 24 * 3600} (was {options.SessionExpirySeconds})");
        }

        if (options.MaxBackoffSeconds < 1 || options.MaxBackoffSeconds > 3600)
        {
            failures.Add($"Hub:MaxBackoffSeconds must be between 1 and 3600 (was {options.MaxBackoffSeconds})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
