using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StationEdge.Access;
using StationEdge.Door.Control;
using StationEdge.Store;

namespace StationEdge.Passes.Tests;

/// <summary>
/// A pass at the door is decided by the station's one rule (the face's: status, validity date, opening hours) and
/// recorded by the one recorder, on the real store, pass book and door (simulated chip).
/// </summary>
public sealed class PassRuleTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly TempFolder _folder = new("passes-rule-");

    [Fact]
    public async Task AnExpiredWorkersPass_IsRefusedAsExpired_AValidWorkersPassOpensTheDoor()
    {
        await using var door = await PassDoor.StartAsync(Path.Combine(_folder.Path, "data"), hours: null);
        var yesterday = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        await door.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "test" }, [], new KeeperContext("keeper:li"));
        await door.Store.EnrollAsync(new NewWorker { Id = "W002", Name = "李娜", ConsentVersion = "test", ValidUntil = yesterday }, [], new KeeperContext("keeper:li"));

        var expired = await door.ShowAsync(await door.Book.IssueWorkerPassAsync("W002", TimeSpan.FromDays(7), "keeper:li"));
        var valid = await door.ShowAsync(await door.Book.IssueWorkerPassAsync("W001", TimeSpan.FromDays(7), "keeper:li"));

        Assert.Equal((VisitDecision.Refused, "pass_worker_expired", "W002"), (expired.Decision, expired.Reason, expired.WorkerId));
        Assert.Equal((VisitDecision.Granted, "pass", "W001"), (valid.Decision, valid.Reason, valid.WorkerId));
        Assert.All(new[] { expired, valid }, v => Assert.Equal(VisitMethod.Pass, v.Method));
        Assert.Equal([$"pass:{door.LastPassId}"], door.Grants);
    }

    [Fact]
    public async Task APassOutsideOpeningHours_IsRefused_AWorkersAndAVisitors()
    {
        // Open for one hour, starting two hours from now (UTC): now is outside, whenever the test runs.
        var now = TimeOnly.FromDateTime(DateTime.UtcNow);
        await using var door = await PassDoor.StartAsync(Path.Combine(_folder.Path, "data"), hours: (now.AddHours(2), now.AddHours(3)));
        await door.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "test" }, [], new KeeperContext("keeper:li"));

        var worker = await door.ShowAsync(await door.Book.IssueWorkerPassAsync("W001", TimeSpan.FromDays(7), "keeper:li"));
        var visitor = await door.ShowAsync(await door.Book.IssueVisitorPassAsync("王先生", TimeSpan.FromDays(1), "keeper:li"));

        Assert.Equal((VisitDecision.Refused, "pass_outside_hours"), (worker.Decision, worker.Reason));
        Assert.Equal((VisitDecision.Refused, "pass_outside_hours"), (visitor.Decision, visitor.Reason));
        Assert.Empty(door.Grants);
    }

    [TmpfsFact]
    public async Task APassVisit_OnAFullDisk_WaitsInTheRecorder_AndIsWrittenWhenSpaceReturns()
    {
        using var mount = SmallTmpfs.Mount(sizeMiB: 4);
        var data = Path.Combine(mount.Path, "data");
        await using var door = await PassDoor.StartAsync(data, hours: null);
        await door.Store.EnrollAsync(new NewWorker { Id = "W001", Name = "张伟", ConsentVersion = "test" }, [], new KeeperContext("keeper:li"));
        var pass = await door.Book.IssueWorkerPassAsync("W001", TimeSpan.FromDays(7), "keeper:li");
        var filler = Path.Combine(mount.Path, "filler");
        SmallTmpfs.FillUp(filler);

        await door.Sink.DecideAsync(door.Book.Verify(door.Book.CodeOf(pass))!, null, CancellationToken.None);
        // The door opened (its event comes from the door's own thread); the write failed for want of space and the visit
        // waits in memory.
        await door.WaitForAsync(() => door.Grants.Count == 1);
        Assert.Equal([$"pass:{pass.Id}"], door.Grants);
        await door.WaitForAsync(() => door.Recorder.Backlog == 1 && door.Logs.Entries.Any(e => e.Level == LogLevel.Error && e.Message.Contains("is full", StringComparison.Ordinal)));
        Assert.Empty(await door.Store.ListVisitsAsync());

        File.Delete(filler);
        var visit = await door.NextVisitAsync();
        Assert.Equal((VisitDecision.Granted, "pass", VisitMethod.Pass, "W001"), (visit.Decision, visit.Reason, visit.Method, visit.WorkerId));
        Assert.Equal(visit.Id, Assert.Single(await door.Store.ListVisitsAsync()).Id);
        await door.WaitForAsync(() => door.Recorder.Backlog == 0);
        // Linked to the pass once stored, and queued for the county with it.
        Assert.Equal(pass.Id, (await door.Book.FindUsesAsync([visit.Id]))[visit.Id].Id);
        Assert.Contains(await door.Store.PeekOutboxAsync(), m => m.VisitId == visit.Id);
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The door on the simulated chip, the store, the pass book and the one recorder, as the daemon composes them.</summary>
    private sealed class PassDoor : IAsyncDisposable
    {
        private readonly IHost _host;
        private readonly StationEventSubscription _visits;
        private readonly List<string> _grants = [];

        private PassDoor(IHost host, StationStore store, LogCollector logs)
        {
            _host = host;
            Store = store;
            Logs = logs;
            Book = host.Services.GetRequiredService<PassBook>();
            Recorder = host.Services.GetRequiredService<AccessRecorder>();
            Sink = ActivatorUtilities.CreateInstance<DoorPassSink>(host.Services);
            _visits = host.Services.GetRequiredService<StationEvents>().Subscribe(capacity: null);
            host.Services.GetRequiredService<DoorService>().EventRaised += (_, e) =>
            {
                if (e is DoorGranted granted)
                {
                    lock (_grants)
                    {
                        _grants.Add(granted.By);
                    }
                }
            };
        }

        public StationStore Store { get; }

        public PassBook Book { get; }

        public AccessRecorder Recorder { get; }

        public DoorPassSink Sink { get; }

        public LogCollector Logs { get; }

        public Guid? LastPassId { get; private set; }

        public IReadOnlyList<string> Grants
        {
            get
            {
                lock (_grants)
                {
                    return [.. _grants];
                }
            }
        }

        public static async Task<PassDoor> StartAsync(string data, (TimeOnly Opens, TimeOnly Closes)? hours)
        {
            var store = await StationStore.OpenAsync(new StoreOptions { DataPath = data });
            var logs = new LogCollector();
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders().AddProvider(logs);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gpio:Driver"] = "sim" });
            builder.Services.AddSingleton(store);
            builder.Services.Configure<AccessOptions>(o =>
            {
                o.TimeZone = "UTC";
                if (hours is { } h)
                {
                    (o.OpenAllDay, o.Opens, o.Closes) = (false, h.Opens, h.Closes);
                }
            });
            builder.Services.AddStationDoor(builder.Configuration);
            builder.Services.AddSingleton<IStationStoreSource>(new OpenedStationStore(store));
            builder.Services.AddStationRecorder();
            builder.Services.AddStationPasses(builder.Configuration, watchCamera: false);
            var host = builder.Build();
            using var timeout = new CancellationTokenSource(Bound);
            await host.StartAsync(timeout.Token);
            return new PassDoor(host, store, logs);
        }

        /// <summary>Shows the pass at the door and returns the visit it became, once the recorder stored it.</summary>
        public async Task<Visit> ShowAsync(PassRecord pass)
        {
            LastPassId = pass.Id;
            await Sink.DecideAsync(Book.Verify(Book.CodeOf(pass))!, null, CancellationToken.None);
            return await NextVisitAsync();
        }

        public async Task<Visit> NextVisitAsync()
        {
            using var timeout = new CancellationTokenSource(Bound);
            while (true)
            {
                if (await _visits.Reader.ReadAsync(timeout.Token) is VisitRecorded recorded)
                {
                    return recorded.Visit;
                }
            }
        }

        /// <summary>Waits, bounded, for <paramref name="condition"/> (checked as the recorder's events and logs change).</summary>
        public async Task WaitForAsync(Func<bool> condition)
        {
            using var timeout = new CancellationTokenSource(Bound);
            while (!condition())
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _visits.Dispose();
            using var timeout = new CancellationTokenSource(Bound);
            await _host.StopAsync(timeout.Token);
            _host.Dispose();
            Book.Dispose();
            await Store.DisposeAsync();
        }
    }
}
