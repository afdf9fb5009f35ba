using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub;

/// <summary>
/// How the hub's MQTT clients — the ingest, the roster publisher and the command line's commands — reach the broker:
/// one place for the address, the login, the TLS trust (<c>Hub:BrokerCaFile</c>), the bounded disconnect and the
/// capped backoff, so that a client added later cannot connect differently from the others.
/// </summary>
public static class HubMqtt
{
    /// <summary>MQTT 5 to <c>Hub:Broker</c> with the hub's login as <paramref name="clientId"/>; the caller sets the session.</summary>
    public static MqttClientOptionsBuilder Client(HubOptions options, string clientId, string password)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (host, port, tls) = options.Endpoint() ?? throw new ArgumentException($"Hub:Broker must be mqtt://host:port or mqtts://host:port (was '{options.Broker}')");
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCredentials(options.Username, password)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (tls)
        {
            var trust = string.IsNullOrWhiteSpace(options.BrokerCaFile) ? null : BrokerTrust.Load(options.BrokerCaFile, "Hub:BrokerCaFile");
            builder.WithTlsOptions(o =>
            {
                o.UseTls();
                if (trust is not null)
                {
                    o.WithTrustChain(trust).WithRevocationMode(X509RevocationMode.NoCheck);
                }
            });
        }

        return builder;
    }

    /// <summary>Disconnects within two seconds or gives up: a stopping hub must not hang on a broker that is gone.</summary>
    public static async Task DisconnectAsync(IMqttClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!client.IsConnected)
        {
            return;
        }

        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), bounded.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // Stopping: what was not acknowledged stays with the broker or in PostgreSQL.
        }
    }

    /// <summary>The wait before reconnect <paramref name="attempt"/>: exponential from 250 ms, capped, with jitter so hub processes cut off together do not come back in step.</summary>
    public static TimeSpan Backoff(int attempt, int maxBackoffSeconds)
    {
        var exponential = Math.Min(TimeSpan.FromSeconds(maxBackoffSeconds).TotalMilliseconds, 250 * Math.Pow(2, Math.Min(attempt - 1, 16)));
        return TimeSpan.FromMilliseconds(exponential * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
