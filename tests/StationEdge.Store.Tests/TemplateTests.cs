using Microsoft.Extensions.Logging;
using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class TemplateTests
{
    [Fact]
    public async Task LoadTemplates_ReturnsTheExactVectorsOfThatEmbedder_AndCountsOthers()
    {
        await using var test = await TestStore.OpenAsync();
        var a = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1), TestStore.Template(2)], TestStore.Keeper);
        await test.Store.EnrollAsync(TestStore.Worker("W002"), [TestStore.Template(3), TestStore.Template(4, TestStore.OtherSha)], TestStore.Keeper);
        await test.Store.SetWorkerStatusAsync("W002", WorkerStatus.Suspended, TestStore.Keeper);
        await test.ReopenAsync();

        var load = await test.Store.LoadTemplatesAsync(TestStore.Sha);

        Assert.Equal(3, load.Templates.Count);
        Assert.Empty(load.Unreadable);
        Assert.Equal(1, load.OtherEmbedderCount);
        var first = load.Templates[0];
        Assert.Equal((a.TemplateIds[0], "W001", TestStore.Sha), (first.Id, first.WorkerId, first.EmbedderSha256));
        Assert.Equal(TestStore.Template(1).Embedding.ToArray(), first.Embedding);
        Assert.Equal(TestStore.Template(1).Quality, first.Quality);
        Assert.Equal("W002", load.Templates[2].WorkerId);
    }

    [Fact]
    public async Task Template_StoredEncrypted_NoPlainVectorInTheFile()
    {
        await using var test = await TestStore.OpenAsync();
        var template = TestStore.Template(7);
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [template], TestStore.Keeper);
        await test.CloseAsync();

        var plain = System.Runtime.InteropServices.MemoryMarshal.AsBytes(template.Embedding.Span).ToArray();
        var file = await File.ReadAllBytesAsync(test.DatabasePath);
        Assert.Equal(-1, file.AsSpan().IndexOf(plain.AsSpan(0, 32)));
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("nonce")]
    public async Task AlteredTemplateRow_IsRefusedLoggedAndReported_NeverLoaded(string column)
    {
        await using var test = await TestStore.OpenAsync();
        var enrollment = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1), TestStore.Template(2)], TestStore.Keeper);
        var altered = enrollment.TemplateIds[1];
        // One bit of one byte: AES-GCM's tag covers every bit.
        test.AlterBlob("templates", column, altered, bytes => bytes[5] ^= 1);

        var load = await test.Store.LoadTemplatesAsync(TestStore.Sha);

        Assert.Equal([enrollment.TemplateIds[0]], load.Templates.Select(t => t.Id));
        var refused = Assert.Single(load.Unreadable);
        Assert.Equal((altered, "W001"), (refused.Id, refused.WorkerId));
        Assert.Contains("AES-GCM tag does not match", refused.Reason, StringComparison.Ordinal);
        Assert.Contains(test.Log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(altered.ToString(), StringComparison.Ordinal));
        var check = await StationStore.CheckAsync(test.Options);
        Assert.False(check.Healthy);
        Assert.False(check.DatabaseDamaged);
        Assert.Equal(1, check.UnreadableTemplates);
    }

    [Fact]
    public async Task AlteredDimensions_AreRefused_WithoutAllocatingThem()
    {
        await using var test = await TestStore.OpenAsync();
        var enrollment = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        using (var raw = test.Raw())
        {
            using var grow = raw.CreateCommand();
            grow.CommandText = "UPDATE templates SET dimensions = 1000000000";
            grow.ExecuteNonQuery();
        }

        var load = await test.Store.LoadTemplatesAsync(TestStore.Sha);

        Assert.Empty(load.Templates);
        Assert.Equal(enrollment.TemplateIds[0], Assert.Single(load.Unreadable).Id);
    }

    [Fact]
    public async Task CiphertextMovedToAnotherWorkersRow_FailsAuthentication()
    {
        await using var test = await TestStore.OpenAsync();
        var victim = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        var thief = await test.Store.EnrollAsync(TestStore.Worker("W002"), [TestStore.Template(2)], TestStore.Keeper);
        using (var raw = test.Raw())
        {
            // W002's row gets W001's whole sealed vector (nonce, ciphertext and tag): a valid ciphertext, wrong row.
            using var move = raw.CreateCommand();
            move.CommandText = """
                UPDATE templates SET (nonce, ciphertext, tag) = (SELECT nonce, ciphertext, tag FROM templates WHERE id = $from) WHERE id = $to
                """;
            move.Parameters.AddWithValue("$from", victim.TemplateIds[0].ToString());
            move.Parameters.AddWithValue("$to", thief.TemplateIds[0].ToString());
            Assert.Equal(1, move.ExecuteNonQuery());
        }

        var load = await test.Store.LoadTemplatesAsync(TestStore.Sha);

        Assert.Equal(["W001"], load.Templates.Select(t => t.WorkerId));
        Assert.Equal(thief.TemplateIds[0], Assert.Single(load.Unreadable).Id);
    }

    [Fact]
    public async Task Crops_KeptOnlyWhenKeepCropsIsOn_AndReadBackExactly()
    {
        await using var on = await TestStore.OpenAsync(o => o.KeepCrops = true);
        var template = TestStore.Template(5, withCrop: true);
        var kept = await on.Store.EnrollAsync(TestStore.Worker("W001"), [template], TestStore.Keeper);
        var crop = await on.Store.ReadCropAsync(kept.TemplateIds[0]);
        Assert.NotNull(crop);
        Assert.Equal((112, 112, "W001"), (crop.Width, crop.Height, crop.WorkerId));
        Assert.Equal(template.Crop, crop.Rgb);
        Assert.True(Assert.Single(await on.Store.ListTemplatesAsync("W001")).HasCrop);

        await using var off = await TestStore.OpenAsync();
        var dropped = await off.Store.EnrollAsync(TestStore.Worker("W001"), [template], TestStore.Keeper);
        Assert.Null(await off.Store.ReadCropAsync(dropped.TemplateIds[0]));
        Assert.False(Assert.Single(await off.Store.ListTemplatesAsync("W001")).HasCrop);
    }

    [Fact]
    public async Task AlteredCrop_IsRefusedWithTheTemplateId()
    {
        await using var test = await TestStore.OpenAsync(o => o.KeepCrops = true);
        var enrollment = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(5, withCrop: true)], TestStore.Keeper);
        using (var raw = test.Raw())
        {
            using var flip = raw.CreateCommand();
            flip.CommandText = "UPDATE crops SET tag = zeroblob(16)";
            flip.ExecuteNonQuery();
        }

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.ReadCropAsync(enrollment.TemplateIds[0]));

        Assert.Equal(StoreFault.Corrupt, e.Fault);
        Assert.Contains($"crop of template {enrollment.TemplateIds[0]} (worker W001) fails AES-GCM authentication", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await StationStore.CheckAsync(test.Options)).UnreadableCrops);
    }

    [Fact]
    public async Task Reembed_AddsNewEmbedderTemplatesFromTheCrops_ResumesWhereItStopped_ThenPrunesTheOld()
    {
        await using var test = await TestStore.OpenAsync(o => o.KeepCrops = true);
        var a = await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1, withCrop: true), TestStore.Template(2, withCrop: true)], TestStore.Keeper);
        var b = await test.Store.EnrollAsync(TestStore.Worker("W002"), [TestStore.Template(3, withCrop: true)], TestStore.Keeper);
        var pending = await test.Store.ListTemplatesToReembedAsync(TestStore.OtherSha);
        Assert.Equal([.. a.TemplateIds, .. b.TemplateIds], pending);

        // A first run stops after one template; the next run is left with the other two.
        var crop = (await test.Store.ReadCropAsync(pending[0]))!;
        var newVector = TestStore.Template(crop.Rgb[0], TestStore.OtherSha).Embedding;
        var reembedded = await test.Store.AddReembeddedTemplateAsync(pending[0], TestStore.OtherSha, newVector);
        Assert.Equal(pending.Skip(1), await test.Store.ListTemplatesToReembedAsync(TestStore.OtherSha));
        foreach (var id in pending.Skip(1))
        {
            await test.Store.AddReembeddedTemplateAsync(id, TestStore.OtherSha, TestStore.Template(id.GetHashCode(), TestStore.OtherSha).Embedding);
        }

        Assert.Empty(await test.Store.ListTemplatesToReembedAsync(TestStore.OtherSha));
        var newGallery = await test.Store.LoadTemplatesAsync(TestStore.OtherSha);
        Assert.Equal(["W001", "W001", "W002"], newGallery.Templates.Select(t => t.WorkerId));
        Assert.Equal(newVector.ToArray(), newGallery.Templates[0].Embedding);
        Assert.Equal(3, newGallery.OtherEmbedderCount);
        Assert.Equal(crop.Rgb, (await test.Store.ReadCropAsync(reembedded))!.Rgb);

        Assert.Equal(3, await test.Store.DeleteTemplatesNotMadeByAsync(TestStore.OtherSha, TestStore.Keeper));
        Assert.Empty((await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates);
        Assert.Equal(0, (await test.Store.LoadTemplatesAsync(TestStore.OtherSha)).OtherEmbedderCount);
        Assert.Equal(crop.Rgb, (await test.Store.ReadCropAsync(reembedded))!.Rgb);
    }
}
