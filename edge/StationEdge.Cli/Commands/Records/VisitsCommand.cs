using System.Globalization;
using StationEdge.Store;

namespace StationEdge.Cli.Commands.Records;

/// <summary><c>visits [--since ISO-TIME] [--limit N]</c>: the recorded decisions, newest first.</summary>
internal static class VisitsCommand
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100_000;
    private const string Name = "visits";
    private const string Unknown = "陌生人/unknown";

    // ISO 8601 as a keeper or a script writes it: a date, a time to the minute or beyond, 'T' or a space, an offset or Z, or none.
    private static readonly string[] SinceFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var args = CliArgs.Parse(Name, argv, [StoreCli.Data, "--since", "--limit"]);
        var since = Since(args.Value("--since"));
        var limit = args.Int("--limit", DefaultLimit, 1, MaxLimit);
        return StoreCli.RunAsync(async () =>
        {
            await using var store = await StoreCli.OpenAsync(args, ct);
            var visits = await store.ListVisitsAsync(since, limit, ct);
            if (args.Json)
            {
                JsonOutput.Write(stdout, visits);
                return 0;
            }

            var during = since is { } s ? $" since {StoreCli.LocalTime(s)}" : "";
            if (visits.Count == 0)
            {
                stdout.WriteLine($"no visits recorded{during}");
                return 0;
            }

            var names = (await store.ListWorkersAsync(ct)).ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);
            TextColumns.Write(stdout, ["TIME", "SEQ", "WHO", "DECISION", "REASON", "SCORE"],
                [.. visits.Select(v => (IReadOnlyList<string>)[
                    StoreCli.LocalTime(v.Time), $"{v.Seq}", Who(v.WorkerId, names), v.Decision == VisitDecision.Granted ? "granted" : "refused", v.Reason,
                    v.Score is { } score ? Figures.Fixed(score, 2) : "—"])]);
            var more = visits.Count == limit ? $"; the newest {limit}, --limit N for more" : "";
            stdout.WriteLine($"{DetectCommand.Plural(visits.Count, "visit")}{during}, newest first{more}");
            return 0;
        });
    }

    /// <summary>The --since time: ISO 8601; without an offset it is the station's local time.</summary>
    private static DateTimeOffset? Since(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var iso = text.Trim().Replace(' ', 'T');
        return DateTimeOffset.TryParseExact(iso, SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var since)
            ? since
            : throw CliError.BadInput($"{Name}: --since must be an ISO 8601 time such as 2026-12-01, 2026-12-01T08:00 or 2026-12-01T08:00:00+08:00 (was '{text}')");
    }

    private static string Who(string? workerId, Dictionary<string, string> names) =>
        workerId is null ? Unknown
        : names.TryGetValue(workerId, out var name) ? $"{name} ({workerId})"
        : $"{workerId} (deleted)";
}
