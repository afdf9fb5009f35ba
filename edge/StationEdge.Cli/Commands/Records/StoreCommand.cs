using StationEdge.Store;

namespace StationEdge.Cli.Commands.Records;

/// <summary>
/// <c>store check</c>: the integrity report of <see cref="StationStore.CheckAsync"/> (changes nothing, runs beside
/// the daemon), exit 0 healthy, 3 with what to do. <c>store recover</c>: <see cref="StationStore.RecoverAsync"/>, and
/// exactly what it did; refused while the daemon has the store open.
/// </summary>
internal static class StoreCommand
{
    private const string Name = "store";
    private const string StopDaemon = "systemctl stop station-edge";

    public static Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var (sub, _, flags) = StoreCli.Subcommand(Name, argv, [], ["check", "recover"]);
        var args = CliArgs.Parse(Name, flags, [StoreCli.Data]);
        return StoreCli.RunAsync(() => sub == "check" ? CheckAsync(args, stdout, stderr, ct) : RecoverAsync(args, stdout, ct));
    }

    private static async Task<int> CheckAsync(CliArgs args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var options = StoreCli.ExistingStore(args);
        var report = await StationStore.CheckAsync(options, ct);
        var recover = $"station-edge store recover --data {options.DataPath}";
        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
        }
        else
        {
            stdout.WriteLine($"{report.DatabasePath}: {(report.Healthy ? "healthy" : DetectCommand.Plural(report.Problems.Count, "problem"))}");
            if (report.Counts is { } n)
            {
                stdout.WriteLine($"  schema version {report.SchemaVersion}; {DetectCommand.Plural((int)n.Workers, "worker")}, {DetectCommand.Plural((int)n.Templates, "template")},"
                    + $" {DetectCommand.Plural((int)n.Crops, "crop")}, {DetectCommand.Plural((int)n.Visits, "visit")}, {DetectCommand.Plural((int)n.DoorEvents, "door event")},"
                    + $" {(n.Passes == 1 ? "1 pass" : $"{n.Passes} passes")}, {n.AuditEntries} in the audit log, {n.Outbox} queued for the sync");
            }

            foreach (var problem in report.Problems)
            {
                stdout.WriteLine($"  problem: {problem}");
            }

            if (report.DatabaseDamaged)
            {
                stdout.WriteLine($"what to do: stop the daemon ({StopDaemon}), run '{recover}' (it keeps a copy of the damaged files), then start it again");
            }
        }

        if (report.Healthy)
        {
            return 0;
        }

        // The report went to stdout; the one error line says what the state is and what to do.
        var reason = report.DatabaseDamaged
            ? $"{report.DatabasePath} is damaged ({DetectCommand.Plural(report.Problems.Count, "problem")}): stop the daemon and run '{recover}'"
            : $"{report.DatabasePath} has {DetectCommand.Plural(report.Problems.Count, "problem")}: {report.Problems[0]}";
        throw CliError.Fault(reason);
    }

    private static async Task<int> RecoverAsync(CliArgs args, TextWriter stdout, CancellationToken ct)
    {
        var options = StoreCli.ExistingStore(args);
        var report = await StationStore.RecoverAsync(options, ct: ct);
        if (args.Json)
        {
            JsonOutput.Write(stdout, report);
            return 0;
        }

        var kept = Directory.GetFiles(report.DamagedCopyFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        stdout.WriteLine($"{report.DatabasePath} rebuilt");
        stdout.WriteLine($"  the damaged files, untouched: {report.DamagedCopyFolder} ({string.Join(", ", kept)})");
        stdout.WriteLine(report.HeaderRepaired ? "  the file header was damaged and was rewritten" : "  the file header was intact");
        TextColumns.Write(stdout, ["  TABLE", "ROWS KEPT", "UNREADABLE STRETCHES (rows in them lost)"],
            [.. report.Tables.Select(t => (IReadOnlyList<string>)["  " + t.Table, $"{t.Recovered}", $"{t.UnreadableStretches}"])]);
        stdout.WriteLine($"  the next visit is number {report.NextVisitSeq} or higher: no visit number is reused");
        if (report.Tables.All(t => t.Recovered == 0))
        {
            stdout.WriteLine("nothing could be read: the store is empty (the device key is kept); enroll the workers again");
        }

        stdout.WriteLine($"next: station-edge store check --data {options.DataPath}, then start the daemon (systemctl start station-edge)");
        return 0;
    }
}
