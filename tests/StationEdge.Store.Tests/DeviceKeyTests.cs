using StationEdge.Store.Tests.Support;

namespace StationEdge.Store.Tests;

public sealed class DeviceKeyTests
{
    [Fact]
    public async Task FirstOpen_CreatesA32ByteKeyReadableByItsOwnerOnly_InAPrivateDataFolder()
    {
        await using var test = await TestStore.OpenAsync();

        Assert.Equal(32, new FileInfo(test.KeyPath).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(test.KeyPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(test.DataPath));
    }

    [Fact]
    public async Task KeyMissingAfterTemplatesExist_IsAClearError_AndNoNewKeyIsMade()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1), TestStore.Template(2)], TestStore.Keeper);
        await test.CloseAsync();
        File.Delete(test.KeyPath);

        var e = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);

        Assert.Equal(StoreFault.Key, e.Fault);
        Assert.StartsWith($"device key {test.KeyPath} is missing, but {test.DatabasePath} holds 2 templates and crops sealed with it: restore the key file", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(test.KeyPath));
    }

    [Fact]
    public async Task KeyMissingWithNothingSealed_IsMadeAgain()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.RecordVisitAsync(TestStore.Unknown());
        await test.CloseAsync();
        var before = await File.ReadAllBytesAsync(test.KeyPath);
        File.Delete(test.KeyPath);

        await test.ReopenAsync();

        Assert.NotEqual(before, await File.ReadAllBytesAsync(test.KeyPath));
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        Assert.Single((await test.Store.LoadTemplatesAsync(TestStore.Sha)).Templates);
        Assert.Single(await test.Store.ListVisitsAsync());
    }

    [Fact]
    public async Task KeyReplacedByAnother_IsRefusedWhileTemplatesExist()
    {
        await using var test = await TestStore.OpenAsync();
        await test.Store.EnrollAsync(TestStore.Worker("W001"), [TestStore.Template(1)], TestStore.Keeper);
        await test.CloseAsync();
        File.Delete(test.KeyPath);
        await File.WriteAllBytesAsync(test.KeyPath, new byte[32]);
        File.SetUnixFileMode(test.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var e = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);

        Assert.Equal(StoreFault.Key, e.Fault);
        Assert.Contains($"device key {test.KeyPath} is not the key {test.DatabasePath} was sealed with", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyOpenToGroupOrOthers_IsRefusedWithTheChmodToRun()
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        File.SetUnixFileMode(test.KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var e = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);

        Assert.Equal(StoreFault.Key, e.Fault);
        Assert.Equal($"device key {test.KeyPath} has mode 0644: it must be readable by its owner only (chmod 600 {test.KeyPath})", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(33)]
    public async Task KeyOfTheWrongSize_IsRefusedWithItsSize(int size)
    {
        await using var test = await TestStore.OpenAsync();
        await test.CloseAsync();
        await File.WriteAllBytesAsync(test.KeyPath, new byte[size]);

        var e = await Assert.ThrowsAsync<StoreException>(test.ReopenAsync);

        Assert.Equal(StoreFault.Key, e.Fault);
        Assert.StartsWith($"device key {test.KeyPath} is {size} bytes, not 32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyPathIsAFifo_IsRefusedWithoutBlocking()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("device.key");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
        }

        var open = StationStore.OpenAsync(new StoreOptions { DataPath = folder.File("data"), KeyFile = fifo });
        var finished = await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(20)));

        Assert.Same(open, finished);
        var e = await Assert.ThrowsAsync<StoreException>(() => open);
        Assert.StartsWith($"device key {fifo} is a FIFO, not a regular file", e.Message, StringComparison.Ordinal);
    }
}
