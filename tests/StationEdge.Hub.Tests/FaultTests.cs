using System.Diagnostics;
using System.Text.Json;
using StationEdge.Store;

namespace StationEdge.Hub.Tests;

/// <summary>
/// Exactly once under the faults a county meets: a station or a hub process killed with SIGKILL mid-batch (real
/// processes: a station owning its SQLite store and the sync agent, and <c>county-hub run</c>), and the link down while
/// 10,000 visits queue. Each counts what PostgreSQL holds against what was made: exactly N, none twice, none lost, every
/// seq in order, and the station's outbox empty at the end.
/// </summary>
public sealed class FaultTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Kill_9_of_the_station_process_mid_batch_then_a_restart_gives_exactly_every_visit()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        var data = bed.Folder.File("station-A");
        var password = bed.Folder.File("st-a-password");
        await File.WriteAllTextAsync(password, "a-pw\n");

        var first = ChildProcess.Start(TestAssembly, "fault-station", data, bed.Broker.Uri, "A", "st-a", password, "3000");
        try
        {
            await TestBed.WaitForAsync(() => bed.CountAsync("SELECT count(*) FROM visits").Result >= 200, Bound, "the first batches stored");
            first.Kill();
        }
        finally
        {
            await first.DisposeAsync();
        }

        var stored = await bed.CountAsync("SELECT count(*) FROM visits");
        Assert.True(stored < 3000, $"killed mid-stream, not after the end ({stored} stored)");

        // The same store again, with 500 more: what was in flight when it died goes again, the county drops the copies.
        var second = ChildProcess.Start(TestAssembly, "fault-station", data, bed.Broker.Uri, "A", "st-a", password, "500");
        try
        {
            await TestBed.WaitForAsync(() => bed.CountAsync("SELECT count(*) FROM visits").Result >= 3500, Bound, "all 3,500 stored");
            await TestBed.WaitForAsync(() => second.LastLine == "depth 0", Bound, "the station's outbox empty");
        }
        finally
        {
            await second.DisposeAsync();
        }

        Assert.Equal(0, second.ExitCode);
        await AssertExactlyAsync(bed, "A", 3500);
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
        Assert.Equal(0, (await store.OutboxStatsAsync()).Depth);
        bed.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task Kill_9_of_the_county_hub_process_mid_batch_then_a_restart_gives_exactly_every_visit()
    {
        await using var bed = await TestBed.StartAsync(pg);
        var config = bed.Folder.File("hub.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            Hub = new Dictionary<string, string>
            {
                ["Database"] = bed.Database,
                ["Broker"] = bed.Broker.Uri,
                ["County"] = TestBed.County,
                ["Username"] = "hub",
                ["PasswordFile"] = bed.Folder.File("hub-password"),
                ["ClientId"] = "hub-killed",
                ["MaxBackoffSeconds"] = "2",
            },
        }));
        var hubDll = Path.Combine(AppContext.BaseDirectory, "county-hub.dll");

        // The hub's session first, so the broker keeps the stations' batches for it from the start.
        var hub = ChildProcess.Start(hubDll, "run", "--config", config);
        var a = await bed.StartStationAsync("A", ackTimeoutSeconds: 5);
        var b = await bed.StartStationAsync("B", ackTimeoutSeconds: 5);
        try
        {
            await Task.WhenAll(a.MakeVisitsAsync(1500), b.MakeVisitsAsync(1500));
            await TestBed.WaitForAsync(() => hub.Lines.Count(l => l.StartsWith("stored ", StringComparison.Ordinal)) >= 5, Bound, "the hub storing");
            hub.Kill();
        }
        finally
        {
            await hub.DisposeAsync();
        }

        Assert.True(await bed.CountAsync("SELECT count(*) FROM visits") < 3000, "killed mid-stream, not after the end");
        await Task.WhenAll(a.MakeVisitsAsync(200), b.MakeVisitsAsync(200));
        var again = ChildProcess.Start(hubDll, "run", "--config", config);
        try
        {
            await bed.WaitForAllAsync(3400, Bound);
        }
        finally
        {
            await again.DisposeAsync();
        }

        Assert.Equal(0, again.ExitCode);
        await AssertExactlyAsync(bed, "A", 1700);
        await AssertExactlyAsync(bed, "B", 1700);
        Assert.Empty(hub.Errors.Concat(again.Errors));
        bed.Logs.AssertNoErrors();
    }

    [Fact]
    public async Task The_broker_stopped_while_10000_visits_queue_then_started_gives_exactly_every_visit()
    {
        await using var bed = await TestBed.StartAsync(pg);
        await bed.StartHubAsync();
        var a = await bed.StartStationAsync("A");
        await a.MakeVisitsAsync(100);
        await bed.WaitForAllAsync(100, Bound);

        await bed.Broker.StopAsync();
        try
        {
            await a.MakeVisitsAsync(10_000);
            // The door's recorder never waits on the link: all 10,000 are in the outbox, none has left.
            Assert.Equal(10_000, (await a.Store.OutboxStatsAsync()).Depth);
            await TestBed.WaitForAsync(() => bed.Logs.Entries.Any(e => e.Message.Contains("hub: the link is down", StringComparison.Ordinal)), Bound, "the hub sees the link down");
        }
        finally
        {
            await bed.Broker.StartAgainAsync();
        }

        await bed.WaitForAllAsync(10_100, Bound);
        await AssertExactlyAsync(bed, "A", 10_100);
        bed.Logs.AssertNoErrors();
    }

    private static string TestAssembly => typeof(FaultTests).Assembly.Location;

    private static async Task AssertExactlyAsync(TestBed bed, string station, int count)
    {
        Assert.Equal(count, await bed.CountAsync($"SELECT count(*) FROM visits WHERE station_id = '{station}'"));
        Assert.Equal(count, await bed.CountAsync($"SELECT count(DISTINCT seq) FROM visits WHERE station_id = '{station}'"));
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), (await bed.SeqsAsync(station)).Order());
        // In order: within the station, a later seq is never committed in an earlier transaction than a smaller one.
        Assert.Equal(0, await bed.CountAsync($"""
            SELECT count(*) FROM (SELECT seq, lag(seq) OVER (ORDER BY received_at, seq) AS before FROM visits WHERE station_id = '{station}') o
            WHERE o.before > o.seq
            """));
        Assert.Equal(0, await bed.CountAsync("SELECT count(*) FROM dead_letters"));
    }
}

/// <summary>A .NET program of this build run with <c>dotnet exec</c>, its lines collected; disposing it stops it (SIGTERM, then SIGKILL).</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<string> _stderr = [];
    private readonly Lock _gate = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_gate)
                {
                    _lines.Add(line);
                }
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (_gate)
                {
                    _stderr.Add(line);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    public string? LastLine => Lines is [.., var last] ? last : null;

    /// <summary>The log lines at error level or worse (the console logger's <c>fail:</c> and <c>crit:</c>).</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)
                    || l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))];
            }
        }
    }

    /// <summary>How it ended; read after <see cref="DisposeAsync"/>.</summary>
    public int ExitCode { get; private set; } = -1;

    public static ChildProcess Start(string dll, params string[] args) => Start(new Dictionary<string, string?>(), dll, args);

    /// <summary>As <see cref="Start(string, string[])"/>, with <paramref name="environment"/> added to (or, null, removed from) the child's.</summary>
    public static ChildProcess Start(IReadOnlyDictionary<string, string?> environment, string dll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"dotnet exec {dll} did not start"));
    }

    /// <summary>SIGKILL: no stop, no flush, no goodbye to the broker.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
                Assert.Fail($"dotnet exec {_process.StartInfo.ArgumentList[1]} did not stop within 20 s of SIGTERM");
            }
        }
        else
        {
            await _process.WaitForExitAsync();
        }

        ExitCode = _process.ExitCode;
        _process.Dispose();
    }
}
