using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using StationEdge.Access;
using StationEdge.Configuration;
using StationEdge.Vision.Alignment;

namespace StationEdge.Access.Tests.Vision;

/// <summary>The <c>Vision:Alignment</c> key, read as the daemon reads its configuration (strict binding, then the validator).</summary>
public sealed class StationVisionOptionsTests
{
    [Fact]
    public void Alignment_DefaultsToLandmarks()
    {
        Assert.Equal(AlignmentMethod.Landmarks, Load([]).Alignment);
    }

    [Theory]
    [InlineData("keypoints", AlignmentMethod.Keypoints)]
    [InlineData("landmarks", AlignmentMethod.Landmarks)]
    [InlineData("Keypoints", AlignmentMethod.Keypoints)]
    public void Alignment_TakesEitherName(string value, AlignmentMethod expected)
    {
        Assert.Equal(expected, Load(new() { ["Vision:Alignment"] = value }).Alignment);
    }

    [Theory]
    [InlineData("sideways")]
    [InlineData("1")]
    public void Alignment_AnythingElse_IsRefusedNamingTheKeyAndTheChoices(string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new() { ["Vision:Alignment"] = value }));

        Assert.Contains($"Vision:Alignment must be one of Landmarks, Keypoints (was '{value}')", error.Message, StringComparison.Ordinal);
    }

    private static StationVisionOptions Load(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return StrictConfiguration.Load(configuration.GetSection(StationVisionOptions.SectionName), new StationVisionOptionsValidator());
    }
}
