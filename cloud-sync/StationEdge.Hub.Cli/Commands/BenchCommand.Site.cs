using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using StationEdge.CountySite;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// (5) The county site over many visits: seeded in PostgreSQL with generate_series, the site on its own Kestrel in
/// this process, a reviewer logged in over HTTP; each visits query timed (p95 of 20 after 2 warm-ups), then the whole
/// table exported as CSV with the process's memory sampled while it streams.
/// </summary>
internal static partial class BenchCommand
{
    private sealed record SiteFigures(Dictionary<string, double> ReviewP95Ms, double CsvRowsPerSecond, double CsvRssMb, long Rows);

    private static async Task<SiteFigures> SiteBenchAsync(string database, int rows, Action<string> say, CancellationToken ct)
    {
        await using var data = NpgsqlDataSource.Create(database);
        var seed = Stopwatch.StartNew();
        await using (var insert = data.CreateCommand("""
            INSERT INTO visits (station_id, seq, id, visit_seq, time, decision, reason, method, worker_id, worker_name, score, threshold, gallery_size)
            SELECT 'B' || (g % 50), g, gen_random_uuid(), g, now() - g * interval '3 seconds',
                   CASE WHEN g % 3 = 0 THEN 'refused' ELSE 'granted' END, CASE WHEN g % 3 = 0 THEN 'unknown' ELSE 'match' END,
                   CASE WHEN g % 5 = 0 THEN 'pass' ELSE 'face' END, 'w' || (g % 5000), '骑手' || (g % 5000), 0.5 + (g % 40) / 100.0, 0.42, 120
            FROM generate_series(1, @n) g
            """))
        {
            insert.CommandTimeout = 600;
            insert.Parameters.AddWithValue("n", rows);
            await insert.ExecuteNonQueryAsync(ct);
        }

        await using (var analyze = data.CreateCommand("ANALYZE visits"))
        {
            await analyze.ExecuteNonQueryAsync(ct);
        }

        say(string.Create(CultureInfo.InvariantCulture, $"site: {rows:N0} visits seeded in {seed.Elapsed.TotalSeconds:0.0} s"));
        await new CountyAccounts(data).AddAsync("bench", CountyRole.Reviewer, "bench-password-1", "bench", null, ct);

        var port = FreeTcpPort();
        var url = $"http://127.0.0.1:{port}";
        await using var app = CountySiteExtensions.Build(new CountySiteOptions { Urls = url, PageSize = 50 }, database, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await app.StartAsync(ct);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(10) };
        var login = await client.GetStringAsync(new Uri("/login", UriKind.Relative), ct);
        var token = WebUtility.HtmlDecode(CsrfField().Match(login).Groups[1].Value);
        using (var answer = await client.PostAsync(new Uri("/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__csrf"] = token,
            ["Name"] = "bench",
            ["Password"] = "bench-password-1",
        }), ct))
        {
            if (answer.StatusCode != HttpStatusCode.Redirect)
            {
                throw new InvalidOperationException($"bench: the site refused the bench login ({(int)answer.StatusCode})");
            }
        }

        var first = await client.GetStringAsync(new Uri("/visits", UriKind.Relative), ct);
        var next = WebUtility.HtmlDecode(NextLink().Match(first).Groups[1].Value);
        var week = DateTime.UtcNow.AddDays(-7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var queries = new Dictionary<string, string>
        {
            ["list"] = "/visits",
            ["next_page"] = next,
            ["station"] = "/visits?station=B7",
            ["worker"] = "/visits?worker=w1234",
            ["dates"] = $"/visits?from={week}&to={week}",
            ["decision"] = "/visits?decision=refused",
            ["reason"] = "/visits?reason=unknown",
            ["method"] = "/visits?method=pass",
        };
        var p95 = new Dictionary<string, double>();
        foreach (var (name, path) in queries)
        {
            var times = new List<double>();
            for (var i = 0; i < 22; i++)
            {
                var watch = Stopwatch.StartNew();
                using var answer = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
                await answer.Content.ReadAsByteArrayAsync(ct);
                if (answer.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"bench: {path} answered {(int)answer.StatusCode}");
                }

                if (i >= 2)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            times.Sort();
            p95[name] = Math.Round(times[(int)Math.Ceiling(times.Count * 0.95) - 1], 1);
        }

        say("site: /visits p95 ms (target < 200): " + string.Join(", ", p95.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.0}"))));

        GC.Collect();
        var peak = RssMb();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssMb());
                await Task.Delay(50, CancellationToken.None);
            }
        }, CancellationToken.None);
        var export = Stopwatch.StartNew();
        long lines = 0;
        using (var answer = await client.GetAsync(new Uri("/visits.csv", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct))
        await using (var body = await answer.Content.ReadAsStreamAsync(ct))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                lines += buffer.AsSpan(0, n).Count((byte)'\n');
            }
        }

        var seconds = export.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        var exported = lines - 1;
        var perSecond = exported / seconds;
        say(string.Create(CultureInfo.InvariantCulture, $"site: CSV of {exported:N0} visits in {seconds:0.0} s ({perSecond:N0} rows/s), the process at most {peak:0} MB while it streamed"));
        await app.StopAsync(CancellationToken.None);
        return new SiteFigures(p95, Math.Round(perSecond), Math.Round(peak, 1), exported);
    }

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    [GeneratedRegex("id=\"next\" href=\"([^\"]+)\"")]
    private static partial Regex NextLink();
}
