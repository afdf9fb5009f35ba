using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StationEdge.Cli.Commands.Bench;
using StationEdge.Configuration;
using StationEdge.Station.Tests.Support;
using StationEdge.Store;

namespace StationEdge.Station.Tests.Composition;

[Collection(StationCollection.Name)]
public sealed class StationHostTests(StationFixture fixture)
{
    [Fact]
    public void AddStation_AMisspelledSection_IsRefusedNamingItAndTheKnownOnes()
    {
        using var folder = new TempFolder();
        var config = folder.File("station.json");
        File.WriteAllText(config, """{ "Door": { "PulseMs": 3000 }, "Acess": { "CooldownSeconds": 30 } }""");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        var failure = Assert.Throws<OptionsValidationException>(() => builder.AddStation(new StationSources(config) { AppSettingsFolder = null, Environment = new Hashtable() }));

        Assert.Equal("'Acess' is not a known section (known: Gpio, Door, Camera, Store, Access, Vision, Greeting, KeeperSite, Passes, Sync, Logging)", failure.Message);
    }

    [Fact]
    public async Task Start_AWrongValue_FailsNamingTheKey_BeforeAnyLineIsTaken()
    {
        using var data = new TempFolder();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningStation.StartAsync(data.Path, fixture.Empty(1),
            new Dictionary<string, string?> { ["Access:AgreeFrames"] = "5" }));

        Assert.Equal("Access:AgreeFrames must be between 1 and Access:WindowFrames (3) (was 5)", failure.Message);
        Assert.False(File.Exists(Path.Combine(data.Path, DataFolder.DatabaseFileName)));
    }

    [Fact]
    public async Task Start_ADamagedDatabase_RefusesToStart_NamingTheFileAndTheRecoverCommand()
    {
        using var data = new TempFolder();
        await fixture.EnrollAsync(data.Path, "W001", "王芳", WalkUpMedia.WorkerEnrol);
        var database = Path.Combine(data.Path, DataFolder.DatabaseFileName);
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write))
        {
            file.Write(new byte[100]);
        }

        var failure = await Assert.ThrowsAsync<StoreException>(() => RunningStation.StartAsync(data.Path, fixture.Empty(1)));

        Assert.Equal(StoreFault.Corrupt, failure.Fault);
        Assert.Contains(database, failure.Message, StringComparison.Ordinal);
        Assert.Contains($"station-edge store recover --data {data.Path}", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sources_EnvironmentVariables_SetKeys_LaterSourcesWin_AndThePathVariablesAreNoSections()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("appsettings.json"), """{ "Door": { "PulseMs": 2000, "ExitPulseMs": 4000 }, "Access": { "CooldownSeconds": 10 } }""");
        var config = folder.File("station.json");
        File.WriteAllText(config, """{ "Door": { "PulseMs": 2500 } }""");
        var environment = new Hashtable
        {
            ["STATIONEDGE_Access__CooldownSeconds"] = "20",
            ["STATIONEDGE_DATA"] = "/srv/station",
            ["STATIONEDGE_MODELS"] = "/srv/models",
            ["PATH"] = "/usr/bin",
        };

        var configuration = new ConfigurationBuilder().AddStationSources(new StationSources(config)
        {
            AppSettingsFolder = folder.Path,
            Environment = environment,
            Overrides = new Dictionary<string, string?> { ["Door:ExitPulseMs"] = "4500" },
        }).Build();
        StrictConfiguration.RefuseUnknownSections(configuration, StationConfiguration.KnownSections);

        Assert.Equal(("2500", "4500", "20"), (configuration["Door:PulseMs"], configuration["Door:ExitPulseMs"], configuration["Access:CooldownSeconds"]));
        Assert.Equal(["Access", "Door"], configuration.GetChildren().Select(c => c.Key).Order());
    }

    [Fact]
    public async Task Stop_DropsTheRelayBeforeTheCameraAndTheLoopStop()
    {
        using var data = new TempFolder();
        var station = await RunningStation.StartAsync(data.Path, "lavfi:color=c=gray:size=640x480:rate=15");
        await station.DisposeAsync();

        var lines = station.Logs.Entries.Select(e => e.Message).ToList();
        var doorStopped = lines.FindIndex(m => m.Contains("DoorStopped", StringComparison.Ordinal));
        var loopStopped = lines.FindIndex(m => m.StartsWith("Access loop stopped", StringComparison.Ordinal));
        var cameraStopped = lines.FindIndex(m => m.StartsWith("Camera ", StringComparison.Ordinal) && m.EndsWith(" stopped", StringComparison.Ordinal));
        Assert.True(doorStopped >= 0 && doorStopped < cameraStopped && cameraStopped < loopStopped, string.Join(" | ", lines));
    }
}
