using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using StationEdge.Access;
using StationEdge.Broker;
using StationEdge.Store;
using StationEdge.Sync.Contracts;
using StationEdge.Vision.Recognition;
using StationEvent = StationEdge.Sync.Contracts.StationEvent;

namespace StationEdge.Sync.Tests;

/// <summary>
/// The county's roster and commands at the station, against Debian's Mosquitto, a real store and the door's real
/// gallery. The county here is a client with the hub's credentials that signs with <see cref="CountySigner"/>, keeps
/// the deltas it published and answers a resync request with those after the asked version.
/// </summary>
public sealed class RosterAndCommandTests : IAsyncLifetime, IDisposable
{
    private const int Dimensions = 16;
    private static readonly string Embedder = new('a', 64);
    private static readonly string OtherEmbedder = new('b', 64);

    private readonly TempFolder _folder = new("stationedge-roster-");
    private readonly LogCollector _logs = new();
    private readonly CountySigner _signer = CountySigner.Create();
    private readonly byte[] _templateKey = RandomNumberGenerator.GetBytes(TemplateSeal.KeyBytes);
    private LocalMosquitto _broker = null!;
    private StationStore _store = null!;
    private StationGallery _gallery = null!;
    private ILoggerFactory _loggers = null!;

    public async Task InitializeAsync()
    {
        _broker = await LocalMosquitto.StartAsync(
        [
            new BrokerUser("hub", "hub-pw", MosquittoAcl.HubBlock("hub", "c1")),
            new BrokerUser("st-a", "a-pw", MosquittoAcl.StationBlock("st-a", "A", "c1")),
        ]);
        _store = await StationStore.OpenAsync(new StoreOptions { DataPath = _folder.File("data") });
        File.WriteAllText(_folder.File("password"), "a-pw\n");
        File.WriteAllText(_folder.File("template.key"), Convert.ToBase64String(_templateKey) + "\n");
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs));
        _gallery = await StationGallery.LoadAsync(_store, Embedder, Dimensions, new GalleryOptions(), _loggers.CreateLogger<StationGallery>(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _gallery.Dispose();
        await _store.DisposeAsync();
        var errors = _broker.Errors;
        await _broker.DisposeAsync();
        Assert.Empty(errors);
    }

    public void Dispose()
    {
        _loggers.Dispose();
        _signer.Dispose();
        _logs.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task Deltas_in_order_are_applied_reach_the_gallery_and_the_status_carries_the_version()
    {
        var control = new TestControl(_gallery, _store);
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(control, o => o.StatusIntervalSeconds = 5);
        await county.WaitSubscribedAsync(agent.Value);
        var w1 = Vector(1);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳", Seal("W1", w1))));
        await county.PublishDeltaAsync(Delta(2, RosterDelta.Add, Worker("W2", "李强", Seal("W2", Vector(2)))));
        await county.PublishDeltaAsync(Delta(3, RosterDelta.Update, Worker("W1", "王芳芳", Seal("W1", w1))));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 3);

        Assert.Equal("王芳芳", (await _store.GetWorkerAsync("W1"))!.Name);
        Assert.Equal("李强", (await _store.GetWorkerAsync("W2"))!.Name);
        await WaitForAsync(() => Task.FromResult(_gallery.FindWorker("W1")?.Name == "王芳芳"));
        Assert.Equal(2, _gallery.TemplateCount);
        Assert.Equal("W1", _gallery.Match(w1).Match.WorkerId);
        Assert.Empty(county.ResyncRequests);
        var status = await county.ReadStatusAsync(s => s.RosterVersion == 3);
        Assert.Equal("A", status.StationId);
    }

    [Fact]
    public async Task A_gap_asks_for_a_resync_from_the_current_version_and_the_answer_fills_it()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        // Version 2 is lost on the way (kept by the county, never sent live); 3 and 4 arrive.
        county.Keep(Delta(2, RosterDelta.Add, Worker("W2", "李强")));
        await county.PublishDeltaAsync(Delta(3, RosterDelta.Add, Worker("W3", "张伟")));
        await county.PublishDeltaAsync(Delta(4, RosterDelta.Suspend, Worker("W1", "王芳", status: "suspended")));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 4);

        Assert.Equal(1, county.ResyncRequests.First().FromVersion);
        Assert.NotNull(await _store.GetWorkerAsync("W2"));
        Assert.NotNull(await _store.GetWorkerAsync("W3"));
        Assert.Equal(WorkerStatus.Suspended, (await _store.GetWorkerAsync("W1"))!.Status);
        var audit = (await _store.ListAuditAsync()).Where(a => a.Keeper == StationStore.CountyKeeper).OrderBy(a => a.Id).Select(a => a.Details).ToList();
        Assert.Equal(["version 1", "version 2", "version 3", "version 4"], audit.Select(d => d![..9]));
    }

    [Fact]
    public async Task A_retained_head_ahead_of_the_station_asks_for_a_resync_at_once()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        county.Keep(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        county.Keep(Delta(2, RosterDelta.Add, Worker("W2", "李强")));
        await county.PublishHeadAsync(new RosterHead(Schemas.V(Schemas.RosterHead), "c1", 2, DateTimeOffset.UtcNow));
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 2);
        Assert.Equal(0, county.ResyncRequests.First().FromVersion);
        Assert.Equal(2, (await _store.ListWorkersAsync()).Count);
    }

    [Fact]
    public async Task A_delta_with_a_bad_signature_or_another_key_is_refused_nothing_applied_and_reported()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        using var stranger = CountySigner.Create();
        await county.PublishRawAsync(Topics.CountyRoster("c1"), SyncJson.Write(stranger.Sign(Delta(1, RosterDelta.Add, Worker("X1", "冒充")))));
        var tampered = _signer.Sign(Delta(1, RosterDelta.Add, Worker("X2", "篡改")));
        tampered.Signature[5] ^= 0x40;
        await county.PublishRawAsync(Topics.CountyRoster("c1"), SyncJson.Write(tampered));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.RosterRejected)).Count == 2);

        var reasons = (await EventsAsync(EventTypes.RosterRejected)).Select(e => e.Details!).ToList();
        Assert.Contains(reasons, r => r.Contains("not the county's key", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("bad signature", StringComparison.Ordinal));
        Assert.Empty(await _store.ListWorkersAsync());
        Assert.Equal(0, await _store.GetRosterVersionAsync());
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("refused and nothing applied", StringComparison.Ordinal));

        // The link is not stuck: the county's real version 1 is applied after them.
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        Assert.Equal(["W1"], (await _store.ListWorkersAsync()).Select(w => w.Id));
    }

    [Fact]
    public async Task A_suspended_worker_is_suspended_and_a_deleted_one_is_gone_from_the_store_and_the_gallery()
    {
        var control = new TestControl(_gallery, _store);
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(control);
        await county.WaitSubscribedAsync(agent.Value);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳", Seal("W1", Vector(1)), Seal("W1", Vector(3)))));
        await WaitForAsync(() => Task.FromResult(_gallery.TemplateCount == 2));
        await county.PublishDeltaAsync(Delta(2, RosterDelta.Suspend, Worker("W1", "王芳", status: "suspended")));
        await WaitForAsync(() => Task.FromResult(_gallery.FindWorker("W1")?.Status == WorkerStatus.Suspended));
        Assert.Equal(WorkerStatus.Suspended, (await _store.GetWorkerAsync("W1"))!.Status);

        await county.PublishDeltaAsync(Delta(3, RosterDelta.Delete, null, "W1"));
        await WaitForAsync(() => Task.FromResult(_gallery.FindWorker("W1") is null));
        Assert.Null(await _store.GetWorkerAsync("W1"));
        Assert.Equal(0, _gallery.TemplateCount);
        Assert.Empty(await _store.ListTemplatesAsync("W1"));
    }

    [Fact]
    public async Task Templates_of_another_embedder_are_kept_out_of_the_gallery_and_reported()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        var own = Seal("W1", Vector(1));
        var foreign = TemplateSeal.Seal(_templateKey, Guid.CreateVersion7(), "W1", OtherEmbedder, Vector(2));
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳", own, foreign)));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.ForeignEmbedder)).Count == 1);

        var stored = await _store.ListTemplatesAsync("W1");
        Assert.Equal([Embedder], stored.Select(t => t.EmbedderSha256));
        await WaitForAsync(() => Task.FromResult(_gallery.TemplateCount == 1));
        var report = (await EventsAsync(EventTypes.ForeignEmbedder))[0];
        Assert.Equal("W1", report.WorkerId);
        Assert.Contains("bbbbbbbbbbbb", report.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_template_key_a_roaming_worker_is_kept_but_not_matchable_and_that_is_reported()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store), o => o.TemplateKeyFile = null);
        await county.WaitSubscribedAsync(agent.Value);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳", Seal("W1", Vector(1)))));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.TemplatesNotOpened)).Count == 1);
        Assert.NotNull(await _store.GetWorkerAsync("W1"));
        Assert.Empty(await _store.ListTemplatesAsync("W1"));
        Assert.Contains("Sync:TemplateKeyFile", (await EventsAsync(EventTypes.TemplatesNotOpened))[0].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unlock_command_opens_the_door_and_the_audit_log_says_who_asked_and_why()
    {
        var control = new TestControl(_gallery, _store);
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(control);
        await county.WaitSubscribedAsync(agent.Value);
        var command = Command(StationCommand.Unlock);
        await county.PublishCommandAsync(command);
        await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandDone)).Count == 1);

        Assert.Equal(["ops-li"], control.Unlocks);
        var audit = Assert.Single(await _store.ListAuditAsync(), a => a.Action == "door.open");
        Assert.Equal("county:ops-li", audit.Keeper);
        Assert.Contains("rider locked out in the rain", audit.Details, StringComparison.Ordinal);
        Assert.Contains(command.Id.ToString(), audit.Details, StringComparison.Ordinal);
        Assert.Equal(command.Id.ToString(), (await EventsAsync(EventTypes.CommandDone))[0].CommandId);
        Assert.Single(await _store.ListVisitsAsync(), v => v.Reason == CommandHandler.UnlockReason);
    }

    [Fact]
    public async Task An_expired_or_too_long_lived_or_misaddressed_command_is_refused_and_the_door_stays_shut()
    {
        var control = new TestControl(_gallery, _store);
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(control);
        await county.WaitSubscribedAsync(agent.Value);
        var now = DateTimeOffset.UtcNow;
        await county.PublishCommandAsync(Command(StationCommand.Unlock) with { IssuedAt = now.AddMinutes(-10), ExpiresAt = now.AddSeconds(-1) });
        await county.PublishCommandAsync(Command(StationCommand.Unlock) with { ExpiresAt = now.AddMinutes(20) });
        await county.PublishCommandAsync(Command(StationCommand.Unlock) with { StationId = "B" });
        await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandRefused)).Count == 3);

        var reasons = (await EventsAsync(EventTypes.CommandRefused)).Select(e => e.Details!).ToList();
        Assert.Contains(reasons, r => r.Contains("expired at", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("over the 15 min", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("for station B", StringComparison.Ordinal));
        Assert.Empty(control.Unlocks);
        Assert.DoesNotContain(await _store.ListAuditAsync(), a => a.Action == "door.open");
    }

    [Fact]
    public async Task A_key_rotation_trusts_both_keys_until_the_next_one_signs_then_refuses_the_old_one()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        using var next = CountySigner.Create();
        var rotate = Command(StationCommand.RotateKeys) with { NextPublicKey = next.ExportPublicPem() };
        await county.PublishCommandAsync(rotate);
        await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandDone)).Count == 1);

        var done = Assert.Single(await EventsAsync(EventTypes.CommandDone));
        Assert.Equal(rotate.Id.ToString(), done.CommandId);
        Assert.Contains(next.KeyId, done.Details, StringComparison.Ordinal);
        Assert.True(File.Exists(KeysFile));
        Assert.Contains(await _store.ListAuditAsync(), a => a.Action == "county_key.next" && a.Target == next.KeyId);

        // Until the hub signs with the next key, the current one still works: no station is cut off mid-rotation.
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);

        await county.PublishRawAsync(Topics.CountyRoster("c1"), SyncJson.Write(next.Sign(Delta(2, RosterDelta.Add, Worker("W2", "李强")))));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 2);
        Assert.Contains(await _store.ListAuditAsync(), a => a.Action == "county_key.rotated" && a.Target == next.KeyId);

        await county.PublishDeltaAsync(Delta(3, RosterDelta.Add, Worker("W3", "张伟")));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.RosterRejected)).Count == 1);
        Assert.Contains(_signer.KeyId, (await EventsAsync(EventTypes.RosterRejected))[0].Details, StringComparison.Ordinal);
        Assert.Equal(2, await _store.GetRosterVersionAsync());
        Assert.Null(await _store.GetWorkerAsync("W3"));
    }

    [Fact]
    public async Task A_key_rotation_survives_restarts_of_the_agent_before_and_after_it_completes()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        using var next = CountySigner.Create();
        await using (var agent = await StartAgentAsync(new TestControl(_gallery, _store)))
        {
            await county.WaitSubscribedAsync(agent.Value);
            await county.PublishCommandAsync(Command(StationCommand.RotateKeys) with { NextPublicKey = next.ExportPublicPem() });
            await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandDone)).Count == 1);
        }

        // Sync:CountyPublicKey still names the old key: the rotation kept in the data folder is what applies.
        await using (var again = await StartAgentAsync(new TestControl(_gallery, _store)))
        {
            await county.WaitSubscribedAsync(again.Value);
            await county.PublishRawAsync(Topics.CountyRoster("c1"), SyncJson.Write(next.Sign(Delta(1, RosterDelta.Add, Worker("W1", "王芳")))));
            await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        }

        await using (var third = await StartAgentAsync(new TestControl(_gallery, _store)))
        {
            await county.WaitSubscribedAsync(third.Value);
            await county.PublishDeltaAsync(Delta(2, RosterDelta.Add, Worker("W2", "李强")));
            await WaitForAsync(async () => (await EventsAsync(EventTypes.RosterRejected)).Count == 1);
            await county.PublishRawAsync(Topics.CountyRoster("c1"), SyncJson.Write(next.Sign(Delta(2, RosterDelta.Add, Worker("W3", "张伟")))));
            await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 2);
        }

        Assert.Null(await _store.GetWorkerAsync("W2"));
        Assert.NotNull(await _store.GetWorkerAsync("W3"));
    }

    [Fact]
    public async Task A_rotate_keys_signed_by_another_key_or_carrying_a_malformed_key_is_refused_and_changes_nothing()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        using var stranger = CountySigner.Create();
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        await county.PublishRawAsync(Topics.Commands("A"), SyncJson.Write(stranger.Sign(Command(StationCommand.RotateKeys) with { NextPublicKey = stranger.ExportPublicPem() })));
        await county.PublishCommandAsync(Command(StationCommand.RotateKeys) with { NextPublicKey = "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----" });
        await county.PublishCommandAsync(Command(StationCommand.RotateKeys) with { NextPublicKey = p384.ExportSubjectPublicKeyInfoPem() });
        await county.PublishCommandAsync(Command(StationCommand.RotateKeys));
        await county.PublishCommandAsync(Command(StationCommand.RotateKeys) with { NextPublicKey = _signer.ExportPublicPem() });
        await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandRefused)).Count == 5);

        var reasons = (await EventsAsync(EventTypes.CommandRefused)).Select(e => e.Details!).ToList();
        Assert.All(reasons, r => Assert.DoesNotContain('\n', r));
        Assert.Contains(reasons, r => r.Contains("not the county's key", StringComparison.Ordinal));
        Assert.Equal(2, reasons.Count(r => r.Contains("next_public_key is not usable", StringComparison.Ordinal)));
        Assert.Contains(reasons, r => r.Contains("384-bit curve", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("no next_public_key", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("is the key in use", StringComparison.Ordinal));
        Assert.Empty(await EventsAsync(EventTypes.CommandDone));
        Assert.False(File.Exists(KeysFile));
        Assert.DoesNotContain(await _store.ListAuditAsync(), a => a.Action.StartsWith("county_key.", StringComparison.Ordinal));

        // The stranger's key is trusted for nothing; the county's own still is.
        await county.PublishRawAsync(Topics.CountyRoster("c1"), SyncJson.Write(stranger.Sign(Delta(1, RosterDelta.Add, Worker("X1", "冒充")))));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.RosterRejected)).Count == 1);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        Assert.Equal(["W1"], (await _store.ListWorkersAsync()).Select(w => w.Id));
    }

    [Fact]
    public async Task An_unreadable_keys_file_refuses_the_county_rather_than_trusting_the_retired_key()
    {
        await File.WriteAllTextAsync(KeysFile, "{ not json");
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.RosterRejected)).Count == 1);
        Assert.Contains(CountyKeyRing.FileName, (await EventsAsync(EventTypes.RosterRejected))[0].Details, StringComparison.Ordinal);
        Assert.Equal(0, await _store.GetRosterVersionAsync());
    }

    [Fact]
    public async Task A_replayed_nonce_is_refused_also_after_a_restart()
    {
        var control = new TestControl(_gallery, _store);
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        var command = Command(StationCommand.Unlock);
        await using (var agent = await StartAgentAsync(control))
        {
            await county.WaitSubscribedAsync(agent.Value);
            await county.PublishCommandAsync(command);
            await county.PublishCommandAsync(command with { Id = Guid.CreateVersion7() });
            await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandRefused)).Count == 1);
        }

        await using (var again = await StartAgentAsync(control))
        {
            await county.WaitSubscribedAsync(again.Value);
            await county.PublishCommandAsync(command with { Id = Guid.CreateVersion7() });
            await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandRefused)).Count == 2);
        }

        Assert.Equal(["ops-li"], control.Unlocks);
        Assert.All(await EventsAsync(EventTypes.CommandRefused), e => Assert.Contains("a replay", e.Details, StringComparison.Ordinal));
        Assert.Single(await EventsAsync(EventTypes.CommandDone));
    }

    [Fact]
    public async Task A_resync_command_asks_for_the_whole_roster_from_version_0()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("W1", "王芳")));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        await county.PublishCommandAsync(Command(StationCommand.ResyncRoster));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.CommandDone)).Count == 1);
        await WaitForAsync(() => Task.FromResult(county.ResyncRequests.Any(r => r.FromVersion == 0)));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        Assert.NotNull(await _store.GetWorkerAsync("W1"));
    }

    [Fact]
    public async Task A_worker_changed_here_goes_up_as_a_worker_event_without_templates_and_the_countys_own_changes_do_not()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        await county.PublishDeltaAsync(Delta(1, RosterDelta.Add, Worker("R1", "漫游", Seal("R1", Vector(4)))));
        await WaitForAsync(async () => await _store.GetRosterVersionAsync() == 1);
        var keeper = new KeeperContext("站长", "cli");
        await _store.EnrollAsync(new NewWorker { Id = "L1", Name = "本站", ConsentVersion = "v2", Phone = "13800000000" },
            [new NewTemplate(Embedder, Vector(5), new TemplateQuality(60, 1, 100, 120, 0.9))], keeper);
        // Each step seen before the next: a change to a worker deleted by then is not announced (the deletion is).
        await WaitForAsync(async () => (await EventsAsync(EventTypes.WorkerEnrolled)).Count == 1);
        await _store.SetWorkerStatusAsync("L1", WorkerStatus.Suspended, keeper);
        await WaitForAsync(async () => (await EventsAsync(EventTypes.WorkerSuspended)).Count == 1);
        await _store.DeleteWorkerAsync("L1", keeper);
        await WaitForAsync(async () => (await EventsAsync(EventTypes.WorkerDeleted)).Count == 1);

        var enrolled = Assert.Single(await EventsAsync(EventTypes.WorkerEnrolled));
        Assert.Equal(("L1", "本站", "active", "A", "v2", "station"), (enrolled.Worker!.Id, enrolled.Worker.Name, enrolled.Worker.Status, enrolled.Worker.HomeStation, enrolled.Worker.ConsentVersion, enrolled.Worker.ConsentScope));
        Assert.Null(enrolled.Worker.Templates);
        Assert.Equal("suspended", Assert.Single(await EventsAsync(EventTypes.WorkerSuspended)).Worker!.Status);
        Assert.Null(Assert.Single(await EventsAsync(EventTypes.WorkerDeleted)).Worker);
        var notices = (await _store.PeekOutboxAsync(1000)).Select(m => SyncJson.Read<StationEvent>(Encoding.UTF8.GetBytes(m.PayloadJson)).Message!)
            .Where(e => EventTypes.IsWorkerNotice(e.Type)).ToList();
        Assert.DoesNotContain(notices, e => e.WorkerId == "R1");
        Assert.Equal(3, notices.Count);
    }

    [Fact]
    public async Task A_worker_of_this_station_only_sends_no_template_and_one_whose_consent_covers_the_county_sends_sealed_templates_until_it_is_withdrawn()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store));
        await county.WaitSubscribedAsync(agent.Value);
        var keeper = new KeeperContext("站长", "cli");
        var quality = new TemplateQuality(60, 1, 100, 120, 0.9);
        await _store.EnrollAsync(new NewWorker { Id = "S1", Name = "本站", ConsentVersion = "v2" }, [new NewTemplate(Embedder, Vector(6), quality)], keeper);
        await _store.EnrollAsync(new NewWorker { Id = "C1", Name = "漫游", ConsentVersion = "v2", ConsentScope = ConsentScope.County },
            [new NewTemplate(Embedder, Vector(7), quality), new NewTemplate(OtherEmbedder, Vector(8), quality)], keeper);
        await WaitForAsync(async () => (await EventsAsync(EventTypes.WorkerEnrolled)).Count == 2);

        var enrolled = (await EventsAsync(EventTypes.WorkerEnrolled)).ToDictionary(e => e.WorkerId!);
        Assert.Equal("station", enrolled["S1"].Worker!.ConsentScope);
        Assert.Null(enrolled["S1"].Worker!.Templates);
        var roaming = enrolled["C1"].Worker!;
        Assert.Equal("county", roaming.ConsentScope);
        Assert.Equal([Embedder, OtherEmbedder], roaming.Templates!.Select(t => t.Embedder));
        Assert.Equal(Vector(7), TemplateSeal.Open(_templateKey, "C1", roaming.Templates![0]));
        Assert.Equal(Vector(8), TemplateSeal.Open(_templateKey, "C1", roaming.Templates![1]));
        // Sealed: the face is not in the payload for the broker or the hub's database to read.
        Assert.Null(TemplateSeal.Open(RandomNumberGenerator.GetBytes(TemplateSeal.KeyBytes), "C1", roaming.Templates![0]));

        await _store.SetConsentScopeAsync("C1", ConsentScope.Station, keeper);
        await WaitForAsync(async () => (await EventsAsync(EventTypes.WorkerUpdated)).Count == 1);
        var withdrawn = Assert.Single(await EventsAsync(EventTypes.WorkerUpdated)).Worker!;
        Assert.Equal(("C1", "station"), (withdrawn.Id, withdrawn.ConsentScope));
        Assert.Null(withdrawn.Templates);
    }

    [Fact]
    public async Task Without_a_template_key_no_template_leaves_the_station_whatever_the_consent()
    {
        await using var county = await SignedCounty.StartAsync(_broker.Port, _signer);
        await using var agent = await StartAgentAsync(new TestControl(_gallery, _store), o => o.TemplateKeyFile = null);
        await county.WaitSubscribedAsync(agent.Value);
        await _store.EnrollAsync(new NewWorker { Id = "C1", Name = "漫游", ConsentVersion = "v2", ConsentScope = ConsentScope.County },
            [new NewTemplate(Embedder, Vector(7), new TemplateQuality(60, 1, 100, 120, 0.9))], new KeeperContext("站长", "cli"));
        await WaitForAsync(async () => (await EventsAsync(EventTypes.WorkerEnrolled)).Count == 1);

        var notice = Assert.Single(await EventsAsync(EventTypes.WorkerEnrolled)).Worker!;
        Assert.Equal("county", notice.ConsentScope);
        Assert.Null(notice.Templates);
    }

    [Fact]
    public void A_template_key_file_that_is_not_a_32_byte_key_is_refused_naming_the_key()
    {
        File.WriteAllText(_folder.File("short.key"), Convert.ToBase64String(new byte[16]));
        var options = Options(o => o.TemplateKeyFile = _folder.File("short.key"));
        var result = new SyncOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("Sync:TemplateKeyFile cannot be used", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new SyncOptionsValidator().Validate(null, Options()).Succeeded);
    }

    private string KeysFile => Path.Combine(_store.DataPath, CountyKeyRing.FileName);

    private RosterDelta Delta(long version, string op, WorkerRecord? worker, string? workerId = null) =>
        new(Schemas.V(Schemas.RosterDelta), "c1", version, op, workerId ?? worker!.Id, DateTimeOffset.UtcNow) { Worker = worker };

    private static WorkerRecord Worker(string id, string name, params SealedTemplate[] templates) => Worker(id, name, "active", templates);

    private static WorkerRecord Worker(string id, string name, string status, params SealedTemplate[] templates) =>
        new(id, name, status, "B", DateTimeOffset.UtcNow, "v1", "county") { Templates = templates };

    private SealedTemplate Seal(string workerId, float[] vector) => TemplateSeal.Seal(_templateKey, Guid.CreateVersion7(), workerId, Embedder, vector);

    private static StationCommand Command(string type)
    {
        var now = DateTimeOffset.UtcNow;
        return new StationCommand(Schemas.V(Schemas.Command), Guid.CreateVersion7(), "A", type, "ops-li", "rider locked out in the rain", now, now.AddMinutes(5),
            Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
    }

    /// <summary>A unit vector of its own direction per seed: different workers are far apart.</summary>
    private static float[] Vector(int seed)
    {
        var v = new float[Dimensions];
        var random = new Random(seed);
        for (var i = 0; i < v.Length; i++)
        {
            v[i] = (float)(random.NextDouble() - 0.5);
        }

        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    private async Task<List<StationEvent>> EventsAsync(string type) =>
        [.. (await _store.PeekOutboxAsync(1000)).Where(m => m.Topic == Topics.Events("A"))
            .Select(m => SyncJson.Read<StationEvent>(Encoding.UTF8.GetBytes(m.PayloadJson)).Message!).Where(e => e.Type == type)];

    private SyncOptions Options(Action<SyncOptions>? adjust = null)
    {
        var options = new SyncOptions
        {
            Broker = _broker.Uri,
            StationId = "A",
            County = "c1",
            Username = "st-a",
            PasswordFile = _folder.File("password"),
            CountyPublicKey = _signer.ExportPublicPem(),
            TemplateKeyFile = _folder.File("template.key"),
            // Nothing here acks: the events stay in the outbox for the test to read, and no resend floods the broker.
            AckTimeoutSeconds = 3600,
        };
        adjust?.Invoke(options);
        return options;
    }

    private async Task<AsyncHandle<SyncAgent>> StartAgentAsync(IStationControl control, Action<SyncOptions>? adjust = null)
    {
        var agent = new SyncAgent(_store, Microsoft.Extensions.Options.Options.Create(Options(adjust)), TimeProvider.System, _loggers.CreateLogger<SyncAgent>(), null, control);
        await agent.StartAsync(CancellationToken.None);
        return new AsyncHandle<SyncAgent>(agent, async () =>
        {
            await agent.StopAsync(CancellationToken.None);
            agent.Dispose();
        });
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not done within {seconds} s");
            await Task.Delay(50);
        }
    }
}

/// <summary>The door and gallery as the daemon gives them to the link: the real gallery, a door that records who it opened for.</summary>
internal sealed class TestControl(StationGallery gallery, StationStore store) : IStationControl
{
    private readonly ConcurrentQueue<string> _unlocks = new();

    public string EmbedderSha256 => gallery.EmbedderSha256;

    public IReadOnlyList<string> Unlocks => [.. _unlocks];

    public async Task RosterChangedAsync(CancellationToken ct) => await gallery.ReloadIfChangedAsync(ct);

    public bool Unlock(string by)
    {
        _unlocks.Enqueue(by);
        return true;
    }

    /// <summary>The link alone has no recorder: the opening's visit goes straight into the store.</summary>
    public async Task RecordOpeningAsync(VisitDraft draft, CancellationToken ct) => await store.RecordVisitAsync(draft, ct: ct);
}

/// <summary>The county's side of the roster: signed deltas live, a retained head, resync answers from what it published.</summary>
internal sealed class SignedCounty : IAsyncDisposable
{
    private readonly CountySigner _signer;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentDictionary<long, RosterDelta> _published = new();
    private readonly ConcurrentQueue<StationStatus> _statuses = new();

    private SignedCounty(CountySigner signer) => _signer = signer;

    public ConcurrentQueue<ResyncRequest> ResyncRequests { get; } = new();

    public static async Task<SignedCounty> StartAsync(int port, CountySigner signer)
    {
        var county = new SignedCounty(signer);
        county._client.ApplicationMessageReceivedAsync += county.OnMessageAsync;
        await county._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithCredentials("hub", "hub-pw")
            .WithClientId("county-" + Guid.NewGuid().ToString("N")[..8]).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        await county._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("stations/+/resync", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.Status("A"), MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return county;
    }

    /// <summary>Waits until the agent is connected and has subscribed (its online status comes after its subscriptions).</summary>
    public async Task WaitSubscribedAsync(SyncAgent agent) =>
        await RosterAndCommandTests.WaitForAsync(() => Task.FromResult(agent.Connected && _statuses.Any(s => s.State == StationStatus.Online)));

    public async Task<StationStatus> ReadStatusAsync(Func<StationStatus, bool> wanted)
    {
        await RosterAndCommandTests.WaitForAsync(() => Task.FromResult(_statuses.Any(wanted)));
        return _statuses.First(wanted);
    }

    /// <summary>Kept for a resync's answer but not sent live (as if lost on the way).</summary>
    public void Keep(RosterDelta delta) => _published[delta.Version] = delta;

    public async Task PublishDeltaAsync(RosterDelta delta)
    {
        Keep(delta);
        await PublishRawAsync(Topics.CountyRoster(delta.County), SyncJson.Write(_signer.Sign(delta)));
    }

    public Task PublishHeadAsync(RosterHead head) => PublishRawAsync(Topics.RosterHead(head.County), SyncJson.Write(_signer.Sign(head)), retain: true);

    public Task PublishCommandAsync(StationCommand command) => PublishRawAsync(Topics.Commands("A"), SyncJson.Write(_signer.Sign(command)));

    public async Task PublishRawAsync(string topic, byte[] payload, bool retain = false)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(result.IsSuccess || result.ReasonCode == MqttClientPublishReasonCode.NoMatchingSubscribers, $"publish on {topic}: {result.ReasonCode}");
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var payload = e.ApplicationMessage.Payload.ToArray();
        if (e.ApplicationMessage.Topic == Topics.Status("A"))
        {
            if (SyncJson.Read<StationStatus>(payload, Schemas.Status).Message is { } status)
            {
                _statuses.Enqueue(status);
            }

            return;
        }

        var request = SyncJson.Read<ResyncRequest>(payload, Schemas.Resync).Message!;
        ResyncRequests.Enqueue(request);
        foreach (var delta in _published.Values.Where(d => d.Version > request.FromVersion).OrderBy(d => d.Version))
        {
            await PublishRawAsync(Topics.StationRoster(request.StationId), SyncJson.Write(_signer.Sign(delta)));
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
