using StationEdge.Store;

namespace StationEdge.Cli.Commands.Records;

/// <summary>
/// <c>workers list [--search TEXT] | show ID | edit ID [--name NAME] [--valid-until DATE|none] [--consent station|county] | suspend ID | resume ID | delete ID</c>: the enrolled workers. Every
/// change is audited as <see cref="StoreCli.Keeper"/>; delete asks nothing (scripts and the keeper site call it) but
/// prints what it removed.
/// </summary>
internal static class WorkersCommand
{
    private const string Name = "workers";
    private static readonly string[] WithId = ["show", "edit", "suspend", "resume", "delete"];
    private static readonly string[] WithoutId = ["list"];

    /// <summary>One line of <c>workers list --json</c>.</summary>
    public sealed record Row(string Id, string Name, string? Phone, string? Employer, string? MemberNumber, WorkerStatus Status, DateOnly? ValidUntil,
        int TemplateCount, DateTimeOffset EnrolledAt, string EnrolledBy);

    /// <summary><c>workers show ID --json</c>: the worker and their templates' quality figures and embedder, never the vectors.</summary>
    public sealed record Details(Worker Worker, IReadOnlyList<TemplateInfo> Templates);

    /// <summary><c>workers delete ID --json</c>.</summary>
    public sealed record Deleted(string WorkerId, string Name, int TemplatesRemoved, int CropsRemoved);

    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, CancellationToken ct)
    {
        var (sub, id, flags) = StoreCli.Subcommand(Name, argv, WithId, WithoutId);
        var args = sub switch
        {
            "list" => CliArgs.Parse(Name, flags, [StoreCli.Data, "--search"]),
            "show" => CliArgs.Parse(Name, flags, [StoreCli.Data]),
            "edit" => CliArgs.Parse(Name, flags, [StoreCli.Data, StoreCli.By, "--name", StoreCli.ValidUntilFlag, StoreCli.ConsentFlag]),
            _ => CliArgs.Parse(Name, flags, [StoreCli.Data, StoreCli.By]),
        };
        return StoreCli.RunAsync(async () =>
        {
            if (id is not null)
            {
                Input.WorkerId(id);
            }

            var edit = sub == "edit" ? EditRequest.From(args) : null;

            await using var store = await StoreCli.OpenAsync(args, ct);
            return sub switch
            {
                "list" => await ListAsync(store, args, stdout, ct),
                "show" => await ShowAsync(store, id!, args, stdout, ct),
                "edit" => await EditAsync(store, id!, edit!, args, stdout, ct),
                "suspend" => await SetStatusAsync(store, id!, WorkerStatus.Suspended, args, stdout, ct),
                "resume" => await SetStatusAsync(store, id!, WorkerStatus.Active, args, stdout, ct),
                _ => await DeleteAsync(store, id!, args, stdout, ct),
            };
        });
    }

    private static async Task<int> ListAsync(StationStore store, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var search = args.Value("--search");
        var workers = search is null ? await store.ListWorkersAsync(ct) : await store.SearchWorkersAsync(search, 100_000, ct);
        var counts = await store.CountTemplatesByWorkerAsync(ct);
        var rows = workers.Select(w => new Row(w.Id, w.Name, w.Phone, w.Employer, w.MemberNumber, w.Status, w.ValidUntil,
            counts.GetValueOrDefault(w.Id), w.CreatedAt, w.EnrolledBy)).ToList();
        if (args.Json)
        {
            JsonOutput.Write(stdout, rows);
            return 0;
        }

        if (rows.Count == 0)
        {
            stdout.WriteLine(search is null ? $"no workers are enrolled in {store.DataPath}" : $"no worker's name, phone, member number or id matches '{search}'");
            return 0;
        }

        var today = DateOnly.FromDateTime(DateTime.Now);
        TextColumns.Write(stdout, ["ID", "NAME", "STATUS", "VALID UNTIL", "TEMPLATES", "ENROLLED"],
            [.. rows.Select(r => (IReadOnlyList<string>)[r.Id, r.Name, Status(r.Status), ValidUntil(r.ValidUntil, today), $"{r.TemplateCount}", StoreCli.LocalTime(r.EnrolledAt, seconds: false)])]);
        var suspended = rows.Count(r => r.Status == WorkerStatus.Suspended);
        var expired = rows.Count(r => r.ValidUntil < today);
        stdout.WriteLine($"{DetectCommand.Plural(rows.Count, "worker")}, {suspended} suspended, {expired} expired");
        return 0;
    }

    private static async Task<int> ShowAsync(StationStore store, string id, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var worker = await store.GetWorkerAsync(id, ct) ?? throw CliError.BadInput($"no worker {id} is enrolled");
        var templates = await store.ListTemplatesAsync(id, ct);
        if (args.Json)
        {
            JsonOutput.Write(stdout, new Details(worker, templates));
            return 0;
        }

        stdout.WriteLine($"{worker.Id}  {worker.Name}  {Status(worker.Status)}");
        stdout.WriteLine($"  phone          {worker.Phone ?? "—"}");
        stdout.WriteLine($"  employer       {worker.Employer ?? "—"}");
        stdout.WriteLine($"  member number  {worker.MemberNumber ?? "—"}");
        stdout.WriteLine($"  valid until    {ValidUntil(worker.ValidUntil, DateOnly.FromDateTime(DateTime.Now))}");
        stdout.WriteLine($"  consent        {worker.ConsentVersion}, {StoreCli.LocalTime(worker.ConsentAt)}");
        stdout.WriteLine($"  recognised at  {StoreCli.Scope(worker.ConsentScope)}, recorded {StoreCli.LocalTime(worker.ConsentScopeAt)} by {worker.ConsentScopeBy}");
        stdout.WriteLine($"  enrolled       {StoreCli.LocalTime(worker.CreatedAt)} by {worker.EnrolledBy}{(worker.HomeStation is { } home ? $", home station {home}" : "")}");
        stdout.WriteLine($"  changed        {StoreCli.LocalTime(worker.UpdatedAt)}");
        stdout.WriteLine($"  {DetectCommand.Plural(templates.Count, "template")}:");
        foreach (var t in templates)
        {
            var q = t.Quality;
            stdout.WriteLine(
                $"    {t.Id}  embedder {StoreCli.ShortSha(t.EmbedderSha256)}  {t.Dimensions}-d  eyes {Figures.Fixed(q.InterEyePx, 1)} px  yaw {Figures.Signed(q.YawDeg, 1)}°"
                + $"  sharpness {Figures.Fixed(q.Sharpness, 0)}  brightness {Figures.Fixed(q.Brightness, 0)}  score {Figures.Fixed(q.DetectorScore, 2)}"
                + $"  {(t.HasCrop ? "crop kept" : "no crop")}  {StoreCli.LocalTime(t.CreatedAt, seconds: false)}");
        }

        return 0;
    }

    private sealed record EditRequest(string? Name, bool SetsValidUntil, DateOnly? ValidUntil, ConsentScope? Scope)
    {
        public static EditRequest From(CliArgs args)
        {
            var name = args.Value("--name")?.Trim();
            var (given, until) = StoreCli.ValidUntil(args, allowNone: true);
            var scope = StoreCli.Consent(args);
            if (name is null && !given && scope is null)
            {
                throw CliError.BadInput($"workers: edit needs --name NAME, {StoreCli.ValidUntilFlag} DATE|none or {StoreCli.ConsentFlag} station|county");
            }

            return new EditRequest(name, given, until, scope);
        }
    }

    /// <summary>The page's edit (the store's <c>worker.edit</c> audit, naming the fields changed) for the name and the validity date.</summary>
    private static async Task<int> EditAsync(StationStore store, string id, EditRequest edit, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var keeper = StoreCli.Keeper(args);
        var before = await store.GetWorkerAsync(id, ct) ?? throw CliError.BadInput($"no worker {id} is enrolled");
        var profile = WorkerProfile.From(before);
        profile = profile with
        {
            Name = edit.Name ?? profile.Name,
            ValidUntil = edit.SetsValidUntil ? edit.ValidUntil : profile.ValidUntil,
        };
        var worker = await store.UpdateWorkerAsync(id, profile, keeper, ct);
        if (edit.Scope is { } scope)
        {
            worker = await store.SetConsentScopeAsync(id, scope, keeper, ct);
        }

        if (args.Json)
        {
            JsonOutput.Write(stdout, worker);
            return 0;
        }

        var changed = new List<string>();
        if (worker.Name != before.Name)
        {
            changed.Add($"name {worker.Name}");
        }

        if (worker.ValidUntil != before.ValidUntil)
        {
            changed.Add($"valid until {StoreCli.Date(worker.ValidUntil)} (was {StoreCli.Date(before.ValidUntil)})");
        }

        if (worker.ConsentScope != before.ConsentScope)
        {
            changed.Add($"recognised at {StoreCli.Scope(worker.ConsentScope)} (was {StoreCli.Scope(before.ConsentScope)})");
        }

        stdout.WriteLine(changed.Count == 0
            ? $"{worker.Id} {worker.Name}: nothing to change"
            : $"edited {worker.Id}: {string.Join(", ", changed)} (recorded as {keeper.Keeper})");
        return 0;
    }

    private static async Task<int> SetStatusAsync(StationStore store, string id, WorkerStatus status, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var keeper = StoreCli.Keeper(args);
        var before = await store.GetWorkerAsync(id, ct);
        var worker = await store.SetWorkerStatusAsync(id, status, keeper, ct);
        if (args.Json)
        {
            JsonOutput.Write(stdout, worker);
            return 0;
        }

        var done = status == WorkerStatus.Suspended ? "suspended" : "resumed";
        var was = before?.Status == status ? $"already {Status(status)}" : $"was {Status(before?.Status ?? status)}";
        stdout.WriteLine($"{done} {worker.Id} {worker.Name} ({was}; recorded as {keeper.Keeper})");
        return 0;
    }

    private static async Task<int> DeleteAsync(StationStore store, string id, CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var keeper = StoreCli.Keeper(args);
        var worker = await store.GetWorkerAsync(id, ct) ?? throw CliError.BadInput($"no worker {id} is enrolled");
        var deletion = await store.DeleteWorkerAsync(id, keeper, ct);
        if (args.Json)
        {
            JsonOutput.Write(stdout, new Deleted(deletion.WorkerId, worker.Name, deletion.TemplatesRemoved, deletion.CropsRemoved));
            return 0;
        }

        stdout.WriteLine(
            $"deleted {id} {worker.Name}: {DetectCommand.Plural(deletion.TemplatesRemoved, "template")} and {DetectCommand.Plural(deletion.CropsRemoved, "crop")} removed;"
            + $" their visits stay, under the id {id} only (recorded as {keeper.Keeper})");
        return 0;
    }

    private static string Status(WorkerStatus status) => status == WorkerStatus.Suspended ? "suspended" : "active";

    private static string ValidUntil(DateOnly? date, DateOnly today) => date < today ? $"{StoreCli.Date(date)} (expired)" : StoreCli.Date(date);
}
