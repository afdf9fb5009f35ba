using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StationEdge.Hub;
using StationEdge.Hub.Tests;
using HubProgram = StationEdge.Hub.Cli.Program;

namespace StationEdge.CountySite.Tests;

/// <summary><c>county-hub accounts</c> in process against a real PostgreSQL, and the strict <c>CountySite</c> section.</summary>
public sealed class CliAndOptionsTests(PostgresFixture pg) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TempFolder _folder = new("stationedge-countycli-");

    [Fact]
    public async Task Accounts_add_reads_the_password_from_stdin_never_prints_it_and_list_shows_the_role()
    {
        var database = await pg.NewDatabaseAsync();
        var config = _folder.File("hub.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { Hub = new { Database = database, County = "c1" } }));
        const string password = "县城-secret-0815";

        var add = await RunAsync(password + "\n", "accounts", "add", "zhang", "--role", "county-admin", "--config", config);
        Assert.Equal((0, "account zhang (county-admin) added"), (add.Code, add.Stdout.Trim()));
        Assert.DoesNotContain(password, add.Stdout + add.Stderr, StringComparison.Ordinal);
        var again = await RunAsync(password + "\n", "accounts", "add", "zhang", "--role", "reviewer", "--config", config);
        Assert.Equal((2, "county-hub: accounts: account 'zhang' exists already"), (again.Code, again.Stderr.Trim()));
        var role = await RunAsync(password + "\n", "accounts", "add", "li", "--role", "boss", "--config", config);
        Assert.Equal((2, "county-hub: accounts: --role must be county-admin or reviewer (was 'boss')"), (role.Code, role.Stderr.Trim()));
        var empty = await RunAsync("", "accounts", "add", "li", "--role", "reviewer", "--config", config);
        Assert.Equal(2, empty.Code);
        Assert.Contains("no password on stdin", empty.Stderr, StringComparison.Ordinal);
        var shortOne = await RunAsync("short\n", "accounts", "add", "li", "--role", "reviewer", "--config", config);
        Assert.Contains("at least 8 characters", shortOne.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("reviewer-pw-1\n", "accounts", "add", "li", "--role", "reviewer", "--config", config)).Code);

        var list = await RunAsync("", "accounts", "list", "--json", "--config", config);
        Assert.Equal(0, list.Code);
        var rows = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("role").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["li"] = "reviewer", ["zhang"] = "county-admin" }, rows);

        await using var data = Npgsql.NpgsqlDataSource.Create(database);
        var accounts = new CountyAccounts(data);
        Assert.NotNull(await accounts.CheckAsync("zhang", password, default));
        Assert.Null(await accounts.CheckAsync("zhang", password + "x", default));
        await using var db = new HubDatabase(database);
        Assert.Equal(0, await db.CountAsync($"SELECT count(*) FROM county_accounts WHERE position('{password}' in password_hash) > 0"));
        Assert.Equal(2, await db.CountAsync("SELECT count(*) FROM county_audit WHERE action = 'account.add' AND actor = 'county-hub'"));
    }

    [Fact]
    public async Task Accounts_token_prints_a_token_once_keeps_its_hash_and_revoke_stops_it()
    {
        var database = await pg.NewDatabaseAsync();
        var config = _folder.File("hub-tokens.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { Hub = new { Database = database, County = "c1" } }));
        var issued = await RunAsync("", "accounts", "token", "grafana", "--config", config);
        Assert.Equal(0, issued.Code);
        var token = issued.Stdout.Trim();
        Assert.Matches("^cst_[A-Za-z0-9_-]{43}$", token);
        Assert.Contains("shown once", issued.Stderr, StringComparison.Ordinal);

        await using var data = Npgsql.NpgsqlDataSource.Create(database);
        var tokens = new CountyTokens(data);
        Assert.Equal("grafana", await tokens.CheckAsync(token, default));
        Assert.Null(await tokens.CheckAsync(token + "x", default));
        await using var db = new HubDatabase(database);
        Assert.Equal(0, await db.CountAsync($"SELECT count(*) FROM county_tokens WHERE position('{token}' in encode(token_sha256, 'escape')) > 0"));
        Assert.Equal(1, await db.CountAsync("SELECT count(*) FROM county_audit WHERE action = 'token.issue' AND target = 'grafana' AND actor = 'county-hub'"));

        var listed = await RunAsync("", "accounts", "tokens", "--config", config);
        Assert.Contains("grafana", listed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(token, listed.Stdout, StringComparison.Ordinal);
        Assert.Equal((0, "token grafana revoked"), ((await RunAsync("", "accounts", "revoke-token", "grafana", "--config", config)) is var r ? (r.Code, r.Stdout.Trim()) : default));
        Assert.Null(await tokens.CheckAsync(token, default));
        var again = await RunAsync("", "accounts", "revoke-token", "grafana", "--config", config);
        Assert.Equal((2, "county-hub: accounts: no token named 'grafana' to revoke"), (again.Code, again.Stderr.Trim()));
        Assert.Equal(2, (await RunAsync("", "accounts", "token", "bad name", "--config", config)).Code);
    }

    [Theory]
    [InlineData("Urlz", "http://127.0.0.1:1", "CountySite:Urlz is not a known key")]
    [InlineData("TimeZone", "Mars/Olympus", "CountySite:TimeZone 'Mars/Olympus' is not a known time zone")]
    [InlineData("PageSize", "0", "CountySite:PageSize must be between 5 and 1000 (was 0)")]
    [InlineData("Urls", "ftp://x:1", "CountySite:Urls: 'ftp://x:1' is not an http://")]
    public void The_section_is_strict_naming_the_key(string key, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"CountySite:{key}"] = value });
        builder.AddCountySite();
        using var host = builder.Build();
        var e = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<CountySiteOptions>>().Value);
        Assert.Contains(expected, string.Join("; ", e.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_section_there_is_no_site_and_the_defaults_are_the_countys()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddCountySite();
        using var host = builder.Build();
        Assert.Empty(host.Services.GetServices<IHostedService>().OfType<CountySiteService>());
        var defaults = new CountySiteOptions();
        Assert.Equal("Asia/Shanghai", defaults.Zone().Id);
        Assert.True(CountySiteOptionsValidator.Instance.Validate(null, defaults).Succeeded);
    }

    [Fact]
    public async Task Run_refuses_an_unknown_site_key_by_name()
    {
        var config = _folder.File("bad.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { Hub = new { County = "c1" }, CountySit = new { Urls = "x" } }));
        var run = await RunAsync("", "accounts", "list", "--config", config);
        Assert.Equal(2, run.Code);
        Assert.Contains("'CountySit' is not a known section", run.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await HubProgram.RunAsync(args, input, stdout, stderr, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
