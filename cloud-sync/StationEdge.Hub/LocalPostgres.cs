using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace StationEdge.Hub;

/// <summary>
/// A throwaway PostgreSQL 15 cluster (Debian's binaries) for tests and the demo: initdb into a temporary folder,
/// pg_ctl on a free loopback port with its unix socket in that folder, trust authentication on loopback only; removed
/// when disposed. Debian's own cluster is never touched. initdb refuses to run as root, so under root the folder is
/// given to the postgres user and the binaries run as that user.
/// </summary>
public sealed class LocalPostgres : IAsyncDisposable
{
    public static string BinDirectory { get; set; } = "/usr/lib/postgresql/15/bin";

    private LocalPostgres(string folder, int port)
    {
        Folder = folder;
        Port = port;
    }

    public string Folder { get; }

    public int Port { get; }

    public string DataFolder => Path.Combine(Folder, "data");

    public string LogPath => Path.Combine(Folder, "postgres.log");

    /// <summary>A connection string for <paramref name="database"/> as the cluster's superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=5;Command Timeout=30";

    public static async Task<LocalPostgres> StartAsync(CancellationToken ct = default)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException($"{BinDirectory}/initdb is missing: install Debian's postgresql-15 (apt-get install postgresql-15)");
        }

        var folder = Directory.CreateTempSubdirectory("stationedge-pg-").FullName;
        var pg = new LocalPostgres(folder, FreePort());
        try
        {
            if (Environment.IsPrivilegedProcess)
            {
                await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false, ct);
            }

            await RunAsync(Path.Combine(BinDirectory, "initdb"),
                ["-D", pg.DataFolder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], Environment.IsPrivilegedProcess, ct);
            await pg.StartAgainAsync(ct);
            return pg;
        }
        catch
        {
            await pg.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the cluster (again) on the same port and waits until it accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        var options = $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100";
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataFolder, "-l", LogPath, "-o", options, "-w", "-t", "30", "start"], Environment.IsPrivilegedProcess, ct);
    }

    /// <summary>Stops the cluster (fast shutdown: open connections are cut, as when a county's database goes away).</summary>
    public async Task StopAsync(CancellationToken ct = default) =>
        await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataFolder, "-m", "fast", "-w", "-t", "30", "stop"], Environment.IsPrivilegedProcess, ct);

    /// <summary>Creates an empty database (one per test keeps tests apart on one cluster).</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken ct = default)
    {
        // Unpooled: a pooled connection may be one the last restart cut.
        await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(ct);
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
        {
            try
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataFolder, "-m", "immediate", "-w", "-t", "30", "stop"], Environment.IsPrivilegedProcess, default);
            }
            catch (InvalidOperationException)
            {
                // Already stopped.
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open must not fail the test that passed.
        }
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgres, CancellationToken ct)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        // pg_ctl's server inherits the pipes; read to the end of the process, not of the pipes, so start returns.
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            string text;
            lock (stderr)
            {
                text = stderr.ToString().ReplaceLineEndings(" ").Trim();
            }

            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {text}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
