using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Configuration;
using StationEdge.Vision.Recognition;

namespace StationEdge.Access.Tests.Options;

/// <summary>The <c>Access:StrangerRate</c> key, read as the daemon reads its configuration (strict binding, then the validator).</summary>
public sealed class StrangerRateOptionsTests
{
    [Fact]
    public void Default_IsStandard_OneInAThousand()
    {
        var options = Load([]);

        Assert.Equal(StrangerRateLevel.Standard, options.StrangerRateLevel);
        Assert.Equal(0.001, options.ToPolicy().Gallery.StrangerRate);
    }

    [Theory]
    [InlineData("strict", 0.0001, "严格")]
    [InlineData("Standard", 0.001, "标准")]
    [InlineData("convenient", 0.01, "便利")]
    [InlineData("1/100", 0.01, "便利")]
    [InlineData("1/10,000", 0.0001, "严格")]
    [InlineData("0.001", 0.001, "标准")]
    [InlineData("1/5000", 0.0002, "自定义")]
    [InlineData("0.1", 0.1, "自定义")]
    public void Levels_AndRates_MapToTheGalleryRule(string value, double rate, string zh)
    {
        var options = Load(new() { ["Access:StrangerRate"] = value });

        Assert.Equal(rate, options.ToPolicy().Gallery.StrangerRate, 12);
        Assert.Equal(zh, options.StrangerRateLevel.NameZh);
    }

    [Fact]
    public void StricterLevel_SetsAHigherThreshold()
    {
        var strict = Load(new() { ["Access:StrangerRate"] = "strict" }).ToPolicy().Gallery.ThresholdFor(100);
        var standard = Load([]).ToPolicy().Gallery.ThresholdFor(100);
        var convenient = Load(new() { ["Access:StrangerRate"] = "convenient" }).ToPolicy().Gallery.ThresholdFor(100);

        Assert.True(strict > standard && standard > convenient, $"strict {strict}, standard {standard}, convenient {convenient}");
    }

    [Theory]
    [InlineData("lax")]
    [InlineData("0")]
    [InlineData("0.5")]
    [InlineData("-0.001")]
    [InlineData("2/100")]
    [InlineData("1/0")]
    [InlineData("1/5")]
    [InlineData("")]
    [InlineData("NaN")]
    public void AnythingElse_IsRefusedAtStartUp_NamingTheKey(string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new() { ["Access:StrangerRate"] = value }));

        var line = Assert.Single(error.Failures);
        Assert.StartsWith("Access:StrangerRate must be strict, standard, convenient, 1/N", line, StringComparison.Ordinal);
        Assert.Contains($"(was '{value}')", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Theory]
    [InlineData(0.0001, "1/10,000")]
    [InlineData(0.01, "1/100")]
    [InlineData(0.00025, "1/4,000")]
    [InlineData(0.003, "0.003")]
    public void RateText_IsOneInN_WhenWhole(double rate, string text)
    {
        Assert.Equal(text, StrangerRateLevel.ForRate(rate).RateText);
    }

    private static AccessOptions Load(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return StrictConfiguration.Load(configuration.GetSection(AccessOptions.SectionName), new AccessOptionsValidator());
    }
}
