using System.Text;
using StationEdge.Passes;
using StationEdge.Store;

namespace StationEdge.Cli.Commands.Records;

/// <summary>
/// <c>passes issue --worker ID | --visitor NAME [--days N] --out FILE | list | revoke ID</c>: the keeper site's 通行码
/// page on the command line, on the station's store. Issue and revoke are audited as the pages audit them
/// (<c>pass.issue</c>, <c>pass.revoke</c>, in the same transaction), recorded as <see cref="StoreCli.Keeper"/>.
/// </summary>
internal static class PassesCommand
{
    private const string Name = "passes";
    public const int MaxDays = 366;
    private static readonly string[] WithId = ["revoke"];
    private static readonly string[] WithoutId = ["issue", "list"];

    /// <summary>One pass in <c>passes list --json</c> and <c>passes issue --json</c> (<c>file</c> for issue only).</summary>
    public sealed record Row(Guid Id, string Kind, string? WorkerId, string? VisitorName, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt,
        string IssuedBy, string State, DateTimeOffset? RevokedAt, string? RevokedBy, string? File = null);

    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var (sub, id, flags) = Subcommand(argv);
        var args = sub switch
        {
            "issue" => CliArgs.Parse(Name, flags, [StoreCli.Data, StoreCli.By, "--worker", "--visitor", "--days", "--out"]),
            "list" => CliArgs.Parse(Name, flags, [StoreCli.Data]),
            _ => CliArgs.Parse(Name, flags, [StoreCli.Data, StoreCli.By]),
        };
        return StoreCli.RunAsync(async () =>
        {
            // Every flag is checked before the store is opened, so a slip changes nothing.
            var issue = sub == "issue" ? IssueRequest.From(args) : null;
            var passId = id is null ? (Guid?)null
                : Guid.TryParse(id, out var parsed) ? parsed : throw CliError.BadInput($"passes: '{id}' is not a pass id (station-edge passes list shows them)");
            await using var store = await StoreCli.OpenAsync(args, ct);
            var book = await OpenBookAsync(store, ct);
            return sub switch
            {
                "issue" => await IssueAsync(store, book, issue!, args, stdout, ct),
                "list" => await ListAsync(store, book, args, stdout, ct),
                _ => await RevokeAsync(book, passId!.Value, args, stdout, ct),
            };
        });
    }

    private sealed record IssueRequest(string? WorkerId, string? VisitorName, int Days, string Out, bool Png)
    {
        public static IssueRequest From(CliArgs args)
        {
            var worker = args.Value("--worker");
            var visitor = args.Value("--visitor");
            if ((worker is null) == (visitor is null))
            {
                throw CliError.BadInput("passes: issue needs one of --worker ID or --visitor NAME");
            }

            if (worker is not null)
            {
                try
                {
                    Input.WorkerId(worker);
                }
                catch (StoreException e)
                {
                    throw CliError.BadInput($"passes: --worker {e.Message}");
                }
            }

            var name = visitor?.Trim();
            if (name is not null && (name.Length is 0 or > PassBook.MaxNameLength || name.Any(char.IsControl)))
            {
                throw CliError.BadInput($"passes: --visitor must be a guest's name of 1 to {PassBook.MaxNameLength} characters without control characters");
            }

            var days = args.Int("--days", 1, 1, MaxDays);
            var output = args.Require("--out");
            var extension = Path.GetExtension(output).ToLowerInvariant();
            if (extension is not (".png" or ".svg"))
            {
                throw CliError.BadInput($"passes: --out {output} must end in .png or .svg (the QR code's format)");
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
            if (!Directory.Exists(folder))
            {
                throw CliError.BadInput($"passes: --out {output}: the folder {folder} does not exist");
            }

            return new IssueRequest(worker, name, days, output, extension == ".png");
        }
    }

    private static async Task<PassBook> OpenBookAsync(StationStore store, CancellationToken ct)
    {
        try
        {
            return await PassBook.OpenAsync(store, ct: ct);
        }
        catch (PassBookException e)
        {
            throw new CliError(CliError.FaultCode, e.Message);
        }
    }

    private static async Task<int> IssueAsync(StationStore store, PassBook book, IssueRequest request, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var keeper = StoreCli.Keeper(args);
        var validFor = TimeSpan.FromDays(request.Days);
        PassRecord pass;
        string holder;
        if (request.WorkerId is { } workerId)
        {
            // The door would refuse these passes (AccessRule: pass_suspended, pass_worker_expired); the page lists only active workers.
            var worker = await store.GetWorkerAsync(workerId, ct) ?? throw CliError.BadInput($"passes: no worker {workerId} is enrolled");
            if (worker.Status == WorkerStatus.Suspended)
            {
                throw CliError.BadInput($"passes: worker {workerId} is suspended: resume them first (station-edge workers resume {workerId})");
            }

            if (worker.ValidUntil is { } until && until < DateOnly.FromDateTime(DateTime.Now))
            {
                throw CliError.BadInput($"passes: worker {workerId}'s validity ended on {StoreCli.Date(until)}: extend it first (station-edge workers edit {workerId} --valid-until DATE)");
            }

            pass = await book.IssueWorkerPassAsync(workerId, validFor, keeper, ct);
            holder = $"{worker.Id} {worker.Name}";
        }
        else
        {
            pass = await book.IssueVisitorPassAsync(request.VisitorName!, validFor, keeper, ct);
            holder = $"visitor {pass.VisitorName}";
        }

        var code = book.CodeOf(pass);
        var bytes = request.Png ? PassQr.Png(code) : Encoding.UTF8.GetBytes(PassQr.Svg(code));
        WritePrivate(request.Out, bytes);
        if (args.Json)
        {
            JsonOutput.Write(stdout, ToRow(pass, DateTimeOffset.UtcNow) with { File = Path.GetFullPath(request.Out) });
            return 0;
        }

        stdout.WriteLine($"issued pass {pass.Id} for {holder}, valid until {StoreCli.LocalTime(pass.ExpiresAt, seconds: false)}; QR code in {request.Out} (recorded as {keeper.Keeper})");
        return 0;
    }

    private static async Task<int> ListAsync(StationStore store, PassBook book, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = (await book.ListAsync(ct)).Select(p => ToRow(p, now)).ToList();
        if (args.Json)
        {
            JsonOutput.Write(stdout, rows);
            return 0;
        }

        if (rows.Count == 0)
        {
            stdout.WriteLine($"no passes are issued in {store.DataPath}");
            return 0;
        }

        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var worker in await store.ListWorkersAsync(ct))
        {
            names[worker.Id] = worker.Name;
        }

        TextColumns.Write(stdout, ["ID", "HOLDER", "STATE", "EXPIRES", "ISSUED BY"],
            [.. rows.Select(r => (IReadOnlyList<string>)[
                r.Id.ToString(),
                r.WorkerId is { } w ? (names.TryGetValue(w, out var n) ? $"{w} {n}" : w) : $"visitor {r.VisitorName}",
                r.State,
                StoreCli.LocalTime(r.ExpiresAt, seconds: false),
                r.IssuedBy])]);
        stdout.WriteLine($"{(rows.Count == 1 ? "1 pass" : $"{rows.Count} passes")}, {rows.Count(r => r.State == "active")} active, {rows.Count(r => r.State == "revoked")} revoked");
        return 0;
    }

    private static async Task<int> RevokeAsync(PassBook book, Guid id, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var keeper = StoreCli.Keeper(args);
        var pass = await book.FindAsync(id, ct) ?? throw CliError.BadInput($"passes: no pass {id} is issued (station-edge passes list shows them)");
        if (pass.RevokedAt is { } at)
        {
            throw CliError.BadInput($"passes: pass {id} was revoked already, at {StoreCli.LocalTime(at)} by {pass.RevokedBy}");
        }

        if (!await book.RevokeAsync(id, keeper, ct))
        {
            throw CliError.BadInput($"passes: pass {id} was revoked already");
        }

        if (args.Json)
        {
            JsonOutput.Write(stdout, ToRow((await book.FindAsync(id, ct))!, DateTimeOffset.UtcNow));
            return 0;
        }

        stdout.WriteLine($"revoked pass {id} (recorded as {keeper.Keeper}): the door refuses it from now on");
        return 0;
    }

    private static Row ToRow(PassRecord p, DateTimeOffset now) => new(
        p.Id, p.Kind == PassKind.Worker ? "worker" : "visitor", p.WorkerId, p.VisitorName, p.IssuedAt, p.ExpiresAt, p.IssuedBy,
        p.RevokedAt is not null ? "revoked" : now >= p.ExpiresAt ? "expired" : "active", p.RevokedAt, p.RevokedBy);

    /// <summary>A pass's image is a credential until it expires: written 0600, replacing a file of that name.</summary>
    private static void WritePrivate(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(bytes);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static (string Sub, string? Id, IReadOnlyList<string> Flags) Subcommand(IReadOnlyList<string> argv)
    {
        if (argv.Count > 0 && argv[0] == "revoke" && (argv.Count < 2 || argv[1].StartsWith("--", StringComparison.Ordinal)))
        {
            throw CliError.BadInput("passes: revoke needs a pass id: station-edge passes revoke ID");
        }

        return StoreCli.Subcommand(Name, argv, WithId, WithoutId);
    }
}
