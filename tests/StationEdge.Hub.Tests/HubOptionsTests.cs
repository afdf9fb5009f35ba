using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Configuration;

namespace StationEdge.Hub.Tests;

public sealed class HubOptionsTests : IDisposable
{
    private readonly TempFolder _folder = new("stationedge-hubopt-");

    [Theory]
    [InlineData("Broker", "http://x:1", "Hub:Broker must be mqtt://host:port")]
    [InlineData("Broker", "mqtt://x", "Hub:Broker must be mqtt://host:port")]
    [InlineData("County", "a/b", "Hub:County must be")]
    [InlineData("Username", "", "Hub:Username must be")]
    [InlineData("PasswordFile", "/nonexistent/pw", "Hub:PasswordFile /nonexistent/pw does not exist")]
    [InlineData("Database", "", "Hub:Database is required")]
    [InlineData("Database", "Nonsense Key=1", "Hub:Database is not a connection string")]
    [InlineData("MaxBackoffSeconds", "0", "Hub:MaxBackoffSeconds must be between 1 and 3600")]
    public void A_wrong_setting_is_refused_naming_its_key(string key, string value, string expected)
    {
        var settings = Settings();
        settings[$"Hub:{key}"] = value;
        var e = Assert.Throws<OptionsValidationException>(() => Load(settings));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("c1", Load(Settings()).County);
    }

    [Fact]
    public void An_unknown_key_is_refused_naming_it()
    {
        var settings = Settings();
        settings["Hub:Databse"] = "x";
        var e = Assert.Throws<OptionsValidationException>(() => Load(settings));
        Assert.Contains("Hub:Databse is not a known key", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private Dictionary<string, string?> Settings()
    {
        File.WriteAllText(_folder.File("pw"), "x\n");
        return new()
        {
            ["Hub:Database"] = "Host=127.0.0.1;Port=5432;Username=postgres;Database=hub",
            ["Hub:Broker"] = "mqtt://127.0.0.1:1883",
            ["Hub:County"] = "c1",
            ["Hub:Username"] = "hub",
            ["Hub:PasswordFile"] = _folder.File("pw"),
        };
    }

    private static HubOptions Load(Dictionary<string, string?> settings) =>
        StrictConfiguration.Load(new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(HubOptions.SectionName), HubOptionsValidator.ForIngest);
}
