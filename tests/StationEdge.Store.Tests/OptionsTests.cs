namespace StationEdge.Store.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_AreValid()
    {
        var options = new StoreOptions();

        Assert.True(new StoreOptionsValidator().Validate(null, options).Succeeded);
        Assert.False(options.KeepCrops);
        Assert.Equal(90, options.RetentionDays);
    }

    [Theory]
    [InlineData(0, 5000, "", "Store:RetentionDays must be between 1 and 3650 (was 0)")]
    [InlineData(90, 10, null, "Store:BusyTimeoutMs must be between 100 and 60000 (was 10)")]
    [InlineData(90, 5000, " ", "Store:DataPath must be a path or left out (was empty)")]
    public void Validator_NamesTheBadKey(int retention, int busy, string? dataPath, string expected)
    {
        var options = new StoreOptions { RetentionDays = retention, BusyTimeoutMs = busy, DataPath = dataPath == "" ? null : dataPath };

        var result = new StoreOptionsValidator().Validate(null, options);

        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public async Task Open_WithBadOptions_RefusesNamingTheKey()
    {
        var e = await Assert.ThrowsAsync<StoreException>(() => StationStore.OpenAsync(new StoreOptions { RetentionDays = -1 }));

        Assert.Equal((StoreFault.InvalidInput, "Store:RetentionDays must be between 1 and 3650 (was -1)"), (e.Fault, e.Message));
    }

    [Theory]
    [InlineData("/srv/edge", "/env/data", "/srv/edge")]
    [InlineData(null, "/env/data", "/env/data")]
    [InlineData(null, null, "/var/lib/station-edge")]
    [InlineData("", " ", "/var/lib/station-edge")]
    [InlineData("/srv/edge/", null, "/srv/edge")]
    public void DataFolder_IsTheFlagThenTheEnvironmentThenTheDefault(string? flag, string? environment, string expected)
    {
        Assert.Equal(expected, DataFolder.Resolve(flag, environment));
    }

    [Fact]
    public void DataFolder_RelativePath_IsMadeAbsolute()
    {
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "data"), DataFolder.Resolve("data", null));
    }
}
