using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class PassKeyTests
{
    [Fact]
    public async Task ThePassKey_RestsSealedUnderTheDeviceKey_AndIsTheSameAfterAReopen()
    {
        await using var test = await TestStore.OpenAsync();
        var key = await test.Store.PassKeyAsync(32);

        var stored = MetaValue(test);
        Assert.StartsWith("sealed1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(key), stored, StringComparison.Ordinal);
        await test.ReopenAsync();
        Assert.Equal(key, await test.Store.PassKeyAsync(32));
        Assert.True((await StationStore.CheckAsync(test.Options)).Healthy);
    }

    [Fact]
    public async Task AKeyKeptInTheClear_AsBeforeSealingOrJustMovedInFromPassesDb_IsSealedInPlaceAndKept()
    {
        await using var test = await TestStore.OpenAsync();
        var clear = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        Exec(test, $"INSERT OR REPLACE INTO meta (key, value) VALUES ('pass_hmac_key', '{Convert.ToBase64String(clear)}')");

        Assert.Equal(clear, await test.Store.PassKeyAsync(32));

        Assert.StartsWith("sealed1:", MetaValue(test), StringComparison.Ordinal);
        Assert.Equal(clear, await test.Store.PassKeyAsync(32));
    }

    [Fact]
    public async Task AnAlteredSealedKey_IsRefusedByTheStore_AndReportedByStoreCheck()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.PassKeyAsync(32);
        var stored = MetaValue(test);
        var bytes = Convert.FromBase64String(stored["sealed1:".Length..]);
        bytes[14] ^= 0x01;
        Exec(test, $"UPDATE meta SET value = 'sealed1:{Convert.ToBase64String(bytes)}' WHERE key = 'pass_hmac_key'");

        var e = await Assert.ThrowsAsync<StoreException>(() => test.Store.PassKeyAsync(32));
        Assert.Equal(StoreFault.Key, e.Fault);
        Assert.Contains("does not open with the device key", e.Message, StringComparison.Ordinal);
        var check = await StationStore.CheckAsync(test.Options);
        Assert.False(check.Healthy);
        Assert.Contains(check.Problems, p => p.StartsWith("the pass key fails AES-GCM authentication", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StoreCheck_FlagsAPassesDbBesideAStoreThatHoldsItsPasses()
    {
        await using var test = await TestStore.OpenAsync();
        Assert.True((await StationStore.CheckAsync(test.Options)).Healthy);
        var leftover = Path.Combine(test.DataPath, "passes.db");
        await File.WriteAllBytesAsync(leftover, [1, 2, 3]);

        var check = await StationStore.CheckAsync(test.Options);

        Assert.False(check.Healthy);
        Assert.Contains(check.Problems, p => p.StartsWith(leftover + " is not part of the store", StringComparison.Ordinal));
    }

    private static string MetaValue(TestStore test)
    {
        using var raw = test.Raw();
        using var select = raw.CreateCommand();
        select.CommandText = "SELECT value FROM meta WHERE key = 'pass_hmac_key'";
        return (string)select.ExecuteScalar()!;
    }

    private static void Exec(TestStore test, string sql)
    {
        using var raw = test.Raw();
        using var command = raw.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
