using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using StationEdge.Store;
using StationEdge.Sync;
using StationEdge.Sync.Contracts;

namespace StationEdge.Hub.Tests;

/// <summary>
/// This test assembly's own entry point (the test host never calls it): <c>dotnet exec StationEdge.Hub.Tests.dll
/// fault-station DATA BROKER STATION USER PASSWORD_FILE MAKE</c> is a station in a process of its own, owning its SQLite
/// store and the real sync agent, so a test can <c>kill -9</c> it mid-batch. It records MAKE visits, then sends, printing
/// <c>depth N</c> (the outbox) every 100 ms until SIGTERM.
/// </summary>
internal static class FaultStation
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["fault-station", var data, var broker, var station, var user, var passwordFile, var make])
        {
            await Console.Error.WriteLineAsync("usage: fault-station DATA BROKER STATION USER PASSWORD_FILE MAKE");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var loggers = LoggerFactory.Create(b => b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Information));
        await using var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
        var made = (await store.OutboxStatsAsync()).Depth;
        for (var i = 0; i < int.Parse(make, CultureInfo.InvariantCulture); i++)
        {
            var record = new VisitRecord(0, Guid.CreateVersion7(), made + i + 1, DateTimeOffset.UtcNow, "granted", "recognised", "face") { WorkerId = "W001" };
            await store.EnqueueAsync(new OutboxDraft(Topics.Visits(station), Encoding.UTF8.GetString(SyncJson.Write(record))));
        }

        // The county's public key as the test bed wrote it beside the password (keys init's .pub): the hub's signed
        // roster head must verify, or the station would queue a rejection among the visits.
        var countyKey = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(passwordFile)!, "county-signing.pem.pub"), stop.Token);
        var options = new SyncOptions
        {
            Broker = broker,
            StationId = station,
            County = TestBed.County,
            Username = user,
            PasswordFile = passwordFile,
            CountyPublicKey = countyKey,
            BatchSize = 50,
            BatchAgeMs = 50,
            AckTimeoutSeconds = 5,
            MaxBackoffSeconds = 2,
        };
        using var agent = new SyncAgent(store, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, loggers.CreateLogger<SyncAgent>());
        await agent.StartAsync(CancellationToken.None);
        Console.Out.WriteLine("started");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Console.Out.WriteLine($"depth {(await store.OutboxStatsAsync()).Depth}");
                await Task.Delay(100, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // SIGTERM: stop the agent below.
        }

        await agent.StopAsync(CancellationToken.None);
        return 0;
    }
}
