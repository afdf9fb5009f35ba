using System.Text;
using StationEdge.Sync.Contracts;

namespace StationEdge.Sync.Contracts.Tests;

public sealed class JsonTests
{
    private static VisitBatch Batch() => new(Schemas.V(Schemas.VisitBatch), "st-01", 5, DateTimeOffset.UnixEpoch,
        [new VisitRecord(5, Guid.CreateVersion7(), 12, DateTimeOffset.UnixEpoch, "granted", "recognised", "face") { WorkerId = "W001", WorkerName = "王芳", Score = 0.71f }]);

    [Fact]
    public void A_batch_reads_back_as_written_with_snake_case_and_chinese_unescaped()
    {
        var bytes = SyncJson.Write(Batch());
        var json = Encoding.UTF8.GetString(bytes);
        Assert.Contains("\"station_id\":\"st-01\"", json, StringComparison.Ordinal);
        Assert.Contains("\"floor_seq\":5", json, StringComparison.Ordinal);
        Assert.Contains("王芳", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"margin\"", json, StringComparison.Ordinal);
        var read = SyncJson.Read<VisitBatch>(bytes, Schemas.VisitBatch);
        Assert.True(read.Ok, read.Error);
        Assert.Equal("王芳", read.Message!.Visits[0].WorkerName);
        Assert.Equal(12, read.Message.Visits[0].VisitSeq);
    }

    [Fact]
    public void Unknown_fields_and_a_newer_minor_version_are_read()
    {
        var json = Encoding.UTF8.GetString(SyncJson.Write(Batch())).Replace("/1.0\"", "/1.7\",\"new_field\":{\"x\":1}", StringComparison.Ordinal);
        var read = SyncJson.Read<VisitBatch>(Encoding.UTF8.GetBytes(json), Schemas.VisitBatch);
        Assert.True(read.Ok, read.Error);
    }

    [Theory]
    [InlineData("stationedge.visits/2.0", "major version 2")]
    [InlineData("stationedge.events/1.0", "is not stationedge.visits")]
    [InlineData("garbage", "is not stationedge.visits")]
    public void A_wrong_schema_is_refused_with_one_line(string schema, string expected)
    {
        var json = Encoding.UTF8.GetString(SyncJson.Write(Batch())).Replace(Schemas.V(Schemas.VisitBatch), schema, StringComparison.Ordinal);
        var read = SyncJson.Read<VisitBatch>(Encoding.UTF8.GetBytes(json), Schemas.VisitBatch);
        Assert.False(read.Ok);
        Assert.Contains(expected, read.Error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', read.Error!);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{\"schema\":\"stationedge.visits/1.0\",\"station_id\":\"a\"}")]
    [InlineData("{\"schema\":\"stationedge.visits/1.0\",\"station_id\":null,\"floor_seq\":1,\"sent_at\":\"2026-01-01T00:00:00Z\",\"visits\":[]}")]
    public void Malformed_payloads_are_refused_not_thrown(string json)
    {
        var read = SyncJson.Read<VisitBatch>(Encoding.UTF8.GetBytes(json), Schemas.VisitBatch);
        Assert.False(read.Ok);
        Assert.False(string.IsNullOrWhiteSpace(read.Error));
    }

    [Fact]
    public void An_oversized_payload_is_refused_unread()
    {
        var read = SyncJson.Read<VisitBatch>(new byte[SyncJson.MaxPayloadBytes + 1], Schemas.VisitBatch);
        Assert.Contains("over the limit", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deeply_nested_payload_is_refused()
    {
        var json = "{\"schema\":\"stationedge.visits/1.0\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.False(SyncJson.Read<VisitBatch>(Encoding.UTF8.GetBytes(json), Schemas.VisitBatch).Ok);
    }

    [Fact]
    public void Runs_merge_consecutive_and_overlapping_seqs()
    {
        Assert.Equal([new SeqRange(1, 3), new SeqRange(5, 5), new SeqRange(7, 8)], SeqRange.Runs([3, 1, 2, 5, 8, 7, 7]));
        Assert.Empty(SeqRange.Runs([]));
    }
}

public sealed class TopicTests
{
    [Fact]
    public void Topics_are_built_from_valid_ids_only()
    {
        Assert.Equal("stations/st-01/visits", Topics.Visits("st-01"));
        Assert.Equal("counties/c1/roster/head", Topics.RosterHead("c1"));
        Assert.Equal("$share/hub/stations/+/visits", Topics.HubShared("visits"));
        Assert.Throws<ArgumentException>(() => Topics.Visits("a/b"));
        Assert.Throws<ArgumentException>(() => Topics.Visits("+"));
        Assert.Throws<ArgumentException>(() => Topics.CountyRoster(""));
        Assert.Throws<ArgumentException>(() => Topics.Acks(new string('a', 65)));
    }

    [Theory]
    [InlineData("stations/st-01/visits", true, "st-01", "visits")]
    [InlineData("stations/st-01/visits/x", false, "", "")]
    [InlineData("counties/c/roster", false, "", "")]
    [InlineData("stations/a b/visits", false, "", "")]
    public void Station_topics_parse(string topic, bool ok, string station, string kind)
    {
        Assert.Equal(ok, Topics.TryParseStation(topic, out var s, out var k));
        Assert.Equal((station, kind), (s, k));
    }
}

public sealed class SigningTests
{
    private static RosterDelta Delta(long version) =>
        new(Schemas.V(Schemas.RosterDelta), "c1", version, RosterDelta.Delete, "W001", DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_signed_delta_opens_with_the_county_key_and_survives_a_pem_round_trip()
    {
        using var signer = CountySigner.Create();
        using var again = CountySigner.FromPem(signer.ExportPrivatePem());
        using var verifier = CountyVerifier.FromPem(signer.ExportPublicPem());
        var read = verifier.Open<RosterDelta>(SyncJson.Write(again.Sign(Delta(7))), Schemas.RosterDelta);
        Assert.True(read.Ok, read.Error);
        Assert.Equal(7, read.Message!.Version);
    }

    [Fact]
    public void A_changed_payload_or_another_key_is_refused()
    {
        using var signer = CountySigner.Create();
        using var other = CountySigner.Create();
        using var verifier = CountyVerifier.FromPem(signer.ExportPublicPem());
        var envelope = signer.Sign(Delta(7));
        var tampered = envelope with { Payload = SyncJson.Write(Delta(8)) };
        Assert.Equal("bad signature", verifier.Open<RosterDelta>(SyncJson.Write(tampered), Schemas.RosterDelta).Error);
        var forged = other.Sign(Delta(7)) with { KeyId = signer.KeyId };
        Assert.Equal("bad signature", verifier.Open<RosterDelta>(SyncJson.Write(forged), Schemas.RosterDelta).Error);
        Assert.Contains("not the county's key", verifier.Open<RosterDelta>(SyncJson.Write(other.Sign(Delta(7))), Schemas.RosterDelta).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signed_message_of_another_kind_is_refused()
    {
        using var signer = CountySigner.Create();
        using var verifier = CountyVerifier.FromPem(signer.ExportPublicPem());
        var command = new StationCommand(Schemas.V(Schemas.Command), Guid.NewGuid(), "st", StationCommand.Unlock, "county", "test", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "n");
        Assert.False(verifier.Open<RosterDelta>(SyncJson.Write(signer.Sign(command)), Schemas.RosterDelta).Ok);
    }

    [Fact]
    public void A_rotate_keys_command_carries_the_next_key_as_next_public_key_and_a_command_without_it_reads_as_null()
    {
        using var signer = CountySigner.Create();
        using var next = CountySigner.Create();
        using var verifier = CountyVerifier.FromPem(signer.ExportPublicPem());
        var rotate = new StationCommand(Schemas.V(Schemas.Command), Guid.NewGuid(), "st", StationCommand.RotateKeys, "county", "test", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "n")
        {
            NextPublicKey = next.ExportPublicPem(),
        };
        var envelope = signer.Sign(rotate);
        Assert.Contains("\"next_public_key\":\"-----BEGIN PUBLIC KEY-----", Encoding.UTF8.GetString(envelope.Payload), StringComparison.Ordinal);
        var read = verifier.Open<StationCommand>(SyncJson.Write(envelope), Schemas.Command);
        Assert.True(read.Ok, read.Error);
        using var announced = CountyVerifier.FromPem(read.Message!.NextPublicKey!);
        Assert.Equal(next.KeyId, announced.KeyId);

        var unlock = verifier.Open<StationCommand>(SyncJson.Write(signer.Sign(rotate with { Type = StationCommand.Unlock, NextPublicKey = null })), Schemas.Command);
        Assert.Null(unlock.Message!.NextPublicKey);
    }

    [Fact]
    public void Keys_that_are_not_p256_are_refused_with_a_message()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        Assert.Contains("P-256", Assert.Throws<ArgumentException>(() => CountyVerifier.FromPem(rsa.ExportSubjectPublicKeyInfoPem())).Message, StringComparison.Ordinal);
        using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
        Assert.Contains("384", Assert.Throws<ArgumentException>(() => CountyVerifier.FromPem(p384.ExportSubjectPublicKeyInfoPem())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CountySigner.FromPem("not a key"));
    }

    [Fact]
    public void A_template_opens_only_under_its_key_for_its_worker()
    {
        var key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        float[] vector = [0.5f, -0.25f, 1f];
        var sealedTemplate = TemplateSeal.Seal(key, Guid.NewGuid(), "W001", "faceplugin@abc", vector);
        Assert.Equal(vector, TemplateSeal.Open(key, "W001", sealedTemplate));
        Assert.Null(TemplateSeal.Open(key, "W002", sealedTemplate));
        Assert.Null(TemplateSeal.Open(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), "W001", sealedTemplate));
        Assert.Null(TemplateSeal.Open(key, "W001", sealedTemplate with { Embedder = "other" }));
        Assert.Throws<ArgumentException>(() => TemplateSeal.Seal(new byte[16], Guid.NewGuid(), "W", "e", vector));
    }
}
