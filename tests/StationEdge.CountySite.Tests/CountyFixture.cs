using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using StationEdge.Hub;
using StationEdge.Hub.Tests;
using StationEdge.Sync.Contracts;

namespace StationEdge.CountySite.Tests;

/// <summary>
/// A throwaway PostgreSQL with the hub's schema, two stations and seeded visits, and the county site on a real Kestrel
/// on a free loopback port, with an admin and a reviewer account.
/// </summary>
public sealed partial class CountyFixture : IAsyncLifetime
{
    public const string Admin = "zhang";
    public const string AdminPassword = "县里的密码-admin-1";
    public const string Reviewer = "li";
    public const string ReviewerPassword = "reviewer-pass-2";
    /// <summary>The account the lock-out test locks (the others must still log in from the same address).</summary>
    public const string Locked = "zhao";
    public const string LockedPassword = "zhao-password-3";
    public const int PageSize = 20;
    public const int LoginAttempts = 3;
    public const string County = "c1";

    /// <summary>Seeded visits: 2 stations × 60, ten minutes apart, ending here (UTC), plus the two around a county midnight.</summary>
    public static readonly DateTimeOffset Last = new(2026, 3, 10, 4, 0, 0, TimeSpan.Zero);

    public static readonly string[] Formulas = ["=HYPERLINK(\"http://x\",\"y\")", "+86 123", "-1+2", "@SUM(A1)"];

    private readonly PostgresFixture _pg = new();
    private readonly string _keys = Directory.CreateTempSubdirectory("county-keys-").FullName;
    private WebApplication? _app;

    public string Database { get; private set; } = "";

    public Uri Url { get; private set; } = null!;

    public int SeededVisits { get; private set; }

    public CountySiteOptions Options { get; private set; } = null!;

    /// <summary>The site's key ring (a 0700 directory of its own).</summary>
    public string KeysDirectory => Path.Combine(_keys, "ring");

    public async Task InitializeAsync()
    {
        await _pg.InitializeAsync();
        Database = await _pg.NewDatabaseAsync();
        await using (var db = new HubDatabase(Database))
        {
            await db.MigrateAsync();
            await db.AddStationAsync(new StationRow("S1", "c1", "骑手之家 东门") { Address = "东门路 1 号", OpeningHours = "06:00-22:00", Lat = 30.25, Lon = 120.16 });
            await db.AddStationAsync(new StationRow("S2", "c1", "工会驿站 西站") { Address = "西站路 8 号", OpeningHours = "00:00-24:00" });
            await db.UpdateStatusAsync(new StationStatus(Schemas.V(Schemas.Status), "S1", StationStatus.Online, DateTimeOffset.UtcNow)
            {
                OutboxDepth = 3,
                OpenAlarms = ["door_forced"],
            }, "c1", "{}");
            foreach (var station in new[] { "S1", "S2" })
            {
                var visits = Enumerable.Range(1, 60).Select(i => Visit(station, i, Last.AddMinutes(-10 * (60 - i)) + (station == "S1" ? TimeSpan.Zero : TimeSpan.FromSeconds(1)))).ToList();
                await db.StoreVisitsAsync(new VisitBatch(Schemas.V(Schemas.VisitBatch), station, 1, DateTimeOffset.UtcNow, visits));
                SeededVisits += visits.Count;
            }

            // 23:59 on 1 March and 00:30 on 2 March in Shanghai (UTC+8): only the second is a visit of 2 March.
            await db.StoreVisitsAsync(new VisitBatch(Schemas.V(Schemas.VisitBatch), "S2", 61, DateTimeOffset.UtcNow,
            [
                Visit("S2", 61, new DateTimeOffset(2026, 3, 1, 15, 59, 0, TimeSpan.Zero)) with { WorkerName = "深夜 骑手" },
                Visit("S2", 62, new DateTimeOffset(2026, 3, 1, 16, 30, 0, TimeSpan.Zero)) with { WorkerName = "凌晨 骑手" },
            ]));
            SeededVisits += 2;
        }

        await using (var data = Npgsql.NpgsqlDataSource.Create(Database))
        {
            // The roster as the stations' notices make it (the hub's own path): R2 and R3 roam the county, R4 does not.
            await EnrolAsync(data, "S1", new WorkerRecord("R1", "陈大勇", "active", "S1", Last, "v1", CountyRoster.CountyScope) { Templates = [Template(), Template()] });
            await EnrolAsync(data, "S2", new WorkerRecord("R2", "刘晓红", "active", "S2", Last, "v1", "station"));
            await EnrolAsync(data, "S1", new WorkerRecord("R3", "王建国", "suspended", "S1", Last, "v1", CountyRoster.CountyScope) { Templates = [Template()] });
            await EnrolAsync(data, "S2", new WorkerRecord("R4", "<b>赵</b>", "active", "S2", Last, "v1", "station"));
            var accounts = new CountyAccounts(data);
            await accounts.AddAsync(Admin, CountyRole.CountyAdmin, AdminPassword, "test", null, default);
            await accounts.AddAsync(Reviewer, CountyRole.Reviewer, ReviewerPassword, "test", null, default);
            await accounts.AddAsync(Locked, CountyRole.Reviewer, LockedPassword, "test", null, default);
        }

        Url = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var options = new CountySiteOptions { Urls = Url.ToString().TrimEnd('/'), PageSize = PageSize, LoginAttempts = LoginAttempts, LockoutMinutes = 5 };
        Assert.True(CountySiteOptionsValidator.Instance.Validate(null, options).Succeeded);
        Options = options;
        _app = CountySiteExtensions.Build(options, Database, county: County, keysDirectory: KeysDirectory);
        await _app.StartAsync();
    }

    private static SealedTemplate Template() => new(Guid.NewGuid(), "arcface", 512, new byte[12], new byte[16], new byte[16]);

    private static async Task EnrolAsync(Npgsql.NpgsqlDataSource data, string station, WorkerRecord worker)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var (version, ignored) = await CountyRoster.ApplyNoticeAsync(connection, County, station,
            new StationEvent(1, Guid.NewGuid(), Last, EventTypes.WorkerEnrolled) { Worker = worker, WorkerId = worker.Id }, default);
        Assert.True(version is not null, ignored);
        await tx.CommitAsync();
    }

    private static VisitRecord Visit(string station, int i, DateTimeOffset time) =>
        new(i, Guid.CreateVersion7(), i, time, i % 3 == 0 ? "refused" : "granted", i % 3 == 0 ? "unknown" : "match", i % 5 == 0 ? "pass" : "face")
        {
            WorkerId = $"w{i % 7}",
            WorkerName = i % 7 == 1 ? "王小明" : i % 7 == 2 ? Formulas[i % Formulas.Length] : $"骑手{i % 7}",
            Score = 0.5f + (i % 10 / 100f),
            Threshold = 0.42f,
            GallerySize = 12,
        };

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _pg.DisposeAsync();
        Directory.Delete(_keys, recursive: true);
    }

    /// <summary>A browser-like client: its own cookies, redirects not followed (tests look at them).</summary>
    public HttpClient Client(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = Url };
    }

    public HttpClient Client() => Client(out _);

    public static string Token(string html) => TokenField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException("no antiforgery field in the page");

    /// <summary>Posts the login form as a browser does (the form's token first); returns the answer.</summary>
    public static async Task<HttpResponseMessage> LogInAsync(HttpClient client, string name, string password)
    {
        var page = await client.GetStringAsync("/login");
        return await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = Token(page),
            ["Name"] = name,
            ["Password"] = password,
        }));
    }

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
