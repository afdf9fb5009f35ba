using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace StationEdge.Configuration.Tests;

public sealed class StrictConfigurationTests
{
    public enum Wiring
    {
        FailSecure,
        FailSafe,
    }

    public sealed class Line
    {
        public int? Pin { get; set; }

        public Wiring Wiring { get; set; }
    }

    public sealed class Sample
    {
        public int PulseMs { get; set; } = 3000;

        public double Threshold { get; set; } = 0.5;

        public bool Loop { get; set; }

        public string Name { get; set; } = "door";

        public TimeOnly Opens { get; set; }

        public Line Relay { get; set; } = new();

        public List<string> Hours { get; set; } = [];
    }

    private sealed class PulseValidator : IValidateOptions<Sample>
    {
        public ValidateOptionsResult Validate(string? name, Sample options) =>
            options.PulseMs is >= 100 and <= 30000
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"Sample:PulseMs must be between 100 and 30000 (was {options.PulseMs})");
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create("Sample:" + v.Key, (string?)v.Value)))
            .Build()
            .GetSection("Sample");

    private static string Failure(params (string Key, string Value)[] values) =>
        Assert.Throws<OptionsValidationException>(() => StrictConfiguration.Load<Sample>(Section(values))).Message;

    [Fact]
    public void WellFormedSection_IsBound_NestedAndListsIncluded()
    {
        var sample = StrictConfiguration.Load<Sample>(Section(
            ("PulseMs", "2500"), ("Threshold", "0.61"), ("Loop", "true"), ("Opens", "07:30"),
            ("Relay:Pin", "17"), ("Relay:Wiring", "failsafe"), ("Hours:0", "07:00-22:00")));

        Assert.Equal(2500, sample.PulseMs);
        Assert.Equal(0.61, sample.Threshold);
        Assert.True(sample.Loop);
        Assert.Equal(new TimeOnly(7, 30), sample.Opens);
        Assert.Equal(17, sample.Relay.Pin);
        Assert.Equal(Wiring.FailSafe, sample.Relay.Wiring);
        Assert.Equal(["07:00-22:00"], sample.Hours);
    }

    [Theory]
    [InlineData("PulseMs", "fast", "Sample:PulseMs must be a whole number (was 'fast')")]
    [InlineData("PulseMs", "99999999999", "Sample:PulseMs must be a whole number (was '99999999999')")]
    [InlineData("Threshold", "NaN", "Sample:Threshold must be a number (was 'NaN')")]
    [InlineData("Loop", "yes", "Sample:Loop must be true or false (was 'yes')")]
    [InlineData("Opens", "7 o'clock", "Sample:Opens must be a time of day such as 07:30 (was '7 o'clock')")]
    [InlineData("Relay:Wiring", "sideways", "Sample:Relay:Wiring must be one of FailSecure, FailSafe (was 'sideways')")]
    [InlineData("Relay", "17", "Sample:Relay must be a section with keys Pin, Wiring (was '17')")]
    [InlineData("Hours", "all day", "Sample:Hours must be a list (was 'all day')")]
    [InlineData("PulsMs", "3000", "Sample:PulsMs is not a known key")]
    [InlineData("Relay:Pn", "17", "Sample:Relay:Pn is not a known key")]
    public void BadValueOrKey_IsNamedByItsFullKey(string key, string value, string expected)
    {
        Assert.Contains(expected, Failure((key, value)));
    }

    [Fact]
    public void ValueWhereASectionBelongs_AndSectionWhereAValueBelongs_AreBothRefused()
    {
        Assert.Contains("Sample:PulseMs must be a single value, not a section", Failure(("PulseMs:x", "1")));
    }

    [Fact]
    public void Validator_RunsAfterBinding_AndItsMessageIsKept()
    {
        var failure = Assert.Throws<OptionsValidationException>(
            () => StrictConfiguration.Load(Section(("PulseMs", "5")), new PulseValidator()));
        Assert.Contains("Sample:PulseMs must be between 100 and 30000 (was 5)", failure.Message);
    }

    [Fact]
    public void MisspelledSection_IsRefused_NamingTheKnownOnes()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("Dor:PulseMs", (string?)"3000")])
            .Build();

        var failure = Assert.Throws<OptionsValidationException>(
            () => StrictConfiguration.RefuseUnknownSections(configuration, ["Gpio", "Door"]));
        Assert.Contains("'Dor' is not a known section (known: Gpio, Door)", failure.Message);
    }

    [Fact]
    public void KnownSections_AreAccepted_WhateverTheirCase()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create("door:PulseMs", (string?)"3000")])
            .Build();

        StrictConfiguration.RefuseUnknownSections(configuration, ["Gpio", "Door"]);
    }
}
