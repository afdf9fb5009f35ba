using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StationEdge.Broker;

/// <summary>An account on a <see cref="LocalMosquitto"/>: its password and its ACL block.</summary>
public sealed record BrokerUser(string Name, string Password, string Acl);

/// <summary>A TLS listener's certificate and key (PEM), for <see cref="LocalMosquitto"/>'s second, TLS-only port.</summary>
public sealed record BrokerTls(string CertificatePem, string KeyPem);

/// <summary>
/// A throwaway Mosquitto 2 (Debian's /usr/sbin/mosquitto) for tests and the demo: its own folder with a generated
/// config, password file and ACL, persistence on, a free loopback port, no anonymous access. Debian's own service is
/// never touched. <see cref="Errors"/> are the broker's logged errors, which a test fails on.
/// </summary>
public sealed class LocalMosquitto : IAsyncDisposable
{
    /// <summary>Larger than the link's own limit, so that an oversized payload reaches the hub and is dead-lettered there.</summary>
    public const int MaxPacketBytes = 4 * 1024 * 1024;

    private readonly List<BrokerUser> _users;
    private readonly bool _ownsFolder;
    private readonly BrokerTls? _tls;
    private Process? _process;
    private bool _clientTlsFailuresExpected;

    private LocalMosquitto(string folder, bool ownsFolder, int port, IEnumerable<BrokerUser> users, BrokerTls? tls)
    {
        Folder = folder;
        _ownsFolder = ownsFolder;
        Port = port;
        _users = [.. users];
        _tls = tls;
        TlsPort = tls is null ? null : FreePort();
    }

    public string Folder { get; }

    public int Port { get; }

    /// <summary>The TLS listener's port, when started with <see cref="BrokerTls"/>.</summary>
    public int? TlsPort { get; }

    public string Uri => $"mqtt://127.0.0.1:{Port}";

    public string LogPath => Path.Combine(Folder, "mosquitto.log");

    public bool Running => _process is { HasExited: false };

    public static string Executable { get; set; } = "/usr/sbin/mosquitto";

    /// <summary>
    /// Starts a broker with <paramref name="users"/>; in <paramref name="folder"/> when given (kept), else a new temporary
    /// one (removed); with <paramref name="tls"/>, also a TLS listener on <see cref="TlsPort"/>.
    /// </summary>
    public static async Task<LocalMosquitto> StartAsync(IEnumerable<BrokerUser> users, string? folder = null, BrokerTls? tls = null, CancellationToken ct = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's mosquitto (apt-get install mosquitto)");
        }

        var owns = folder is null;
        folder ??= Directory.CreateTempSubdirectory("stationedge-mqtt-").FullName;
        Directory.CreateDirectory(folder);
        var broker = new LocalMosquitto(folder, owns, FreePort(), users, tls);
        try
        {
            await broker.StartAgainAsync(ct);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>The broker's logged errors so far (lines with "Error"), less the ones a test said to expect.</summary>
    public IReadOnlyList<string> Errors => File.Exists(LogPath)
        ? [.. ReadShared(LogPath).Where(l => l.Contains("Error", StringComparison.Ordinal) && !(_clientTlsFailuresExpected && IsClientTlsFailure(l)))]
        : [];

    /// <summary>
    /// A test that has a client refuse the broker's certificate says so: the broker logs the client's dropped handshake
    /// (OpenSSL's "unexpected eof") as an error. Its own TLS errors (a certificate it cannot load) still count.
    /// </summary>
    public void ExpectClientTlsFailures() => _clientTlsFailuresExpected = true;

    private static bool IsClientTlsFailure(string line) =>
        line.Contains("SSL routines::unexpected eof", StringComparison.Ordinal);

    public string Log => File.Exists(LogPath) ? string.Join('\n', ReadShared(LogPath)) : "";

    /// <summary>Adds an account and makes the running broker read its files again (SIGHUP).</summary>
    public void AddUser(BrokerUser user)
    {
        _users.Add(user);
        WriteFiles();
        if (Running)
        {
            Signal("HUP");
        }
    }

    /// <summary>
    /// Makes the running broker read its password file and ACL again (SIGHUP), as <c>systemctl reload mosquitto</c>
    /// does, without rewriting them: for a test whose files another program (county-hub) changed.
    /// </summary>
    public void Reload()
    {
        if (Running)
        {
            Signal("HUP");
        }
    }

    /// <summary>Starts the broker (again) on the same port with the same persistence, and waits until it listens.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        if (Running)
        {
            return;
        }

        WriteFiles();
        _process?.Dispose();
        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Path.Combine(Folder, "mosquitto.conf"));
        _process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} on port {Port}: {Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    /// <summary>Stops the broker cleanly (SIGTERM), which saves its persistence, and waits for it.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (!Running)
        {
            return;
        }

        Signal("TERM");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            await _process!.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _process!.Kill();
        }
    }

    public async Task RestartAsync(CancellationToken ct = default)
    {
        await StopAsync(ct);
        await StartAgainAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        if (_ownsFolder)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // A folder still in use must not fail the test that passed.
            }
        }
    }

    private void WriteFiles()
    {
        var data = Path.Combine(Folder, "data") + "/";
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(Folder, "passwd"), string.Concat(_users.Select(u => MosquittoPassword.Line(u.Name, u.Password) + "\n")));
        File.WriteAllText(Path.Combine(Folder, "acl"), string.Concat(_users.Select(u => u.Acl + "\n")));
        File.WriteAllText(Path.Combine(Folder, "mosquitto.conf"), $"""
            per_listener_settings false
            listener {Port} 127.0.0.1
            allow_anonymous false
            password_file {Folder}/passwd
            acl_file {Folder}/acl
            persistence true
            persistence_location {data}
            autosave_interval 1
            persistent_client_expiration 7d
            max_queued_messages 0
            max_inflight_messages 100
            max_packet_size {MaxPacketBytes}
            log_dest file {LogPath}
            log_type error
            log_type warning
            log_type notice
            log_type information
            log_timestamp_format %Y-%m-%dT%H:%M:%S

            """);
        if (_tls is not null)
        {
            File.WriteAllText(Path.Combine(Folder, "server.crt"), _tls.CertificatePem);
            File.WriteAllText(Path.Combine(Folder, "server.key"), _tls.KeyPem);
            File.AppendAllText(Path.Combine(Folder, "mosquitto.conf"), $"""
                listener {TlsPort} 127.0.0.1
                certfile {Folder}/server.crt
                keyfile {Folder}/server.key
                tls_version tlsv1.2

                """);
        }
        if (Environment.IsPrivilegedProcess)
        {
            // Started as root, mosquitto drops to the mosquitto user, which must then read its files and write its data.
            using var chown = Process.Start("chown", ["-R", "mosquitto:mosquitto", Folder]);
            chown.WaitForExit();
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process!.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
