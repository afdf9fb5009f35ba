using System.Diagnostics;
using System.Net;
using System.Text.Json;
using StationEdge.Broker;
using StationEdge.Hub.Tests;
using HubProgram = StationEdge.Hub.Cli.Program;

namespace StationEdge.CountySite.Tests;

/// <summary><c>county-hub run</c> with a <c>CountySite</c> section serves the site beside the ingest (real Mosquitto and PostgreSQL).</summary>
public sealed class RunTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder _folder = new("stationedge-countyrun-");

    [Fact]
    public async Task Run_serves_the_county_site_on_its_urls_and_stops_with_the_hub()
    {
        await using var broker = await LocalMosquitto.StartAsync([new BrokerUser("hub", "hub-pw", MosquittoAcl.HubBlock("hub", "c1"))]);
        File.WriteAllText(_folder.File("hub-password"), "hub-pw\n");
        var url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var config = _folder.File("hub.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new
        {
            Hub = new { Database = await pg.NewDatabaseAsync(), Broker = broker.Uri, County = "c1", Username = "hub", PasswordFile = _folder.File("hub-password") },
            CountySite = new { Urls = url.ToString().TrimEnd('/'), TimeZone = "Asia/Shanghai", PageSize = 25, KeysDirectory = _folder.File("site-keys") },
        }));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var run = HubProgram.RunAsync(["run", "--config", config], TextReader.Null, stdout, stderr, stop.Token);
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.StartNew();
        HttpResponseMessage? login = null;
        while (login is null && !run.IsCompleted && started.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                login = await client.GetAsync("/login");
            }
            catch (HttpRequestException)
            {
                await Task.WhenAny(run, Task.Delay(100));
            }
        }

        Assert.False(run.IsCompleted, $"county-hub run ended early: {stderr}");
        Assert.NotNull(login);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("name=\"Password\"", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/visits")).StatusCode);
        // The login form's antiforgery token was sealed with a key from the configured ring, on disk.
        Assert.NotEmpty(Directory.GetFiles(_folder.File("site-keys"), "key-*.xml"));

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/login"));
    }

    public void Dispose() => _folder.Dispose();
}
