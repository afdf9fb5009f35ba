using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace StationEdge.Hub.Tests;

/// <summary>
/// <c>county-hub run</c> as county-hub.service starts it (Type=notify, WatchdogSec): a notify socket as systemd's,
/// WATCHDOG_USEC set, the hub against a real PostgreSQL and Mosquitto with a station sending to it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WatchdogTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Run_tells_systemd_ready_then_pings_the_watchdog_from_the_ingest_loop_and_stops_pinging_while_the_ingest_is_stuck()
    {
        await using var bed = await TestBed.StartAsync(pg);
        using var systemd = new NotifySocket(bed.Folder.File("notify"));
        var hubDll = Path.Combine(AppContext.BaseDirectory, "county-hub.dll");
        // 1 s: a ping is due every half second, and the loop beats at least once a second.
        var hub = ChildProcess.Start(
            new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = systemd.Path, ["WATCHDOG_USEC"] = "1000000", ["WATCHDOG_PID"] = null },
            hubDll, "run", "--config", bed.HubConfigFile("hub-watchdog"));
        try
        {
            await TestBed.WaitForAsync(() => Pings(systemd) >= 3, Bound, "three watchdog pings");
            var told = systemd.Received();
            Assert.Equal("READY=1", told.First(m => m is "READY=1" or "WATCHDOG=1"));

            var a = await bed.StartStationAsync("A", ackTimeoutSeconds: 3);
            await a.MakeVisitsAsync(50);
            await bed.WaitForAllAsync(50, Bound);

            // Stuck: the station's progress row locked under the hub, so its next batch waits in PostgreSQL (well within
            // Npgsql's 30 s command timeout). The loop no longer turns, and the pings stop.
            await using var connection = new NpgsqlConnection(bed.Database);
            await connection.OpenAsync();
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await using (var lockRow = new NpgsqlCommand("SELECT acked_seq FROM station_progress WHERE station_id = 'A' FOR UPDATE", connection, tx))
                {
                    await lockRow.ExecuteScalarAsync();
                }

                await a.MakeVisitsAsync(50);
                await TestBed.WaitForAsync(() => bed.CountAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").Result > 0, Bound, "the hub waiting on the lock");
                // A ping sent just before the batch reached the lock may still arrive.
                await Task.Delay(TimeSpan.FromSeconds(1));
                var stuckFrom = Pings(systemd);
                await Task.Delay(TimeSpan.FromSeconds(4));
                var whileStuck = Pings(systemd) - stuckFrom;
                Assert.True(whileStuck == 0, $"{whileStuck} watchdog pings in 4 s while the ingest was stuck");
                await tx.RollbackAsync();
            }

            // Unstuck: the batch goes in, the pings come back.
            await bed.WaitForAllAsync(100, Bound);
            var after = Pings(systemd);
            await TestBed.WaitForAsync(() => Pings(systemd) >= after + 2, Bound, "the pings back");
        }
        finally
        {
            await hub.DisposeAsync();
        }

        Assert.Equal(0, hub.ExitCode);
        Assert.Equal(100, await bed.CountAsync("SELECT count(*) FROM visits"));
        var all = systemd.Received();
        Assert.Contains("STOPPING=1", all);
        Assert.True(all.IndexOf("READY=1") < all.IndexOf("STOPPING=1"), string.Join(", ", all));
        Assert.Single(all, m => m == "READY=1");
        Assert.Empty(hub.Errors);
    }

    private static int Pings(NotifySocket systemd) => systemd.Received().Count(m => m == "WATCHDOG=1");

    /// <summary>systemd's side of sd_notify: a datagram socket that reads every message sent to it as it comes, as systemd does.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly List<string> _messages = [];
        private readonly Task _reading;

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _reading = Task.Run(ReadAsync);
        }

        public string Path { get; }

        public List<string> Received()
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }

        public void Dispose()
        {
            _socket.Dispose();
            _reading.Wait(TimeSpan.FromSeconds(5));
        }

        private async Task ReadAsync()
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    lock (_messages)
                    {
                        _messages.AddRange(Encoding.UTF8.GetString(buffer, 0, n).Split('\n', StringSplitOptions.RemoveEmptyEntries));
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Closed by Dispose.
            }
        }
    }
}
