using System.Text;
using System.Text.Json;
using Npgsql;
using StationEdge.CountySite;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>
/// <c>accounts add NAME --role county-admin|reviewer</c>: a county site account, its password read from stdin (one line)
/// or, at a terminal, asked twice without echo; never printed. <c>accounts list [--json]</c>: names, roles, who made them.
/// </summary>
internal static class AccountsCommand
{
    private const string UsageLine = "usage: county-hub accounts add NAME --role county-admin|reviewer | accounts list [--json] | accounts token NAME | accounts revoke-token NAME | accounts tokens [--json]";

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var args = HubArgs.Parse(argv, ["--role"]);
        var options = HubConfig.Load(HubConfig.PathOf(args), HubOptionsValidator.DatabaseOnly);
        switch (args.Words)
        {
            case ["add", var name]:
                {
                    if (CountyAccounts.NameProblem(name) is { } problem)
                    {
                        throw HubCliError.BadInput(problem);
                    }

                    var role = CountyAccounts.ParseRole(args.Require("--role"))
                        ?? throw HubCliError.BadInput($"--role must be county-admin or reviewer (was '{args.Value("--role")}')");
                    var password = ReadPassword(stdin, stderr);
                    var account = await WithAccountsAsync(options, a => a.AddAsync(name, role, password, "county-hub", null, ct), ct);
                    stdout.WriteLine(args.Json
                        ? JsonSerializer.Serialize(new { name = account.Name, role = CountyAccounts.RoleName(account.Role) })
                        : $"account {account.Name} ({CountyAccounts.RoleName(account.Role)}) added");
                    return 0;
                }

            case ["list"]:
                {
                    var list = await WithAccountsAsync(options, a => a.ListAsync(ct), ct);
                    if (args.Json)
                    {
                        stdout.WriteLine(JsonSerializer.Serialize(list.Select(a => new { name = a.Name, role = CountyAccounts.RoleName(a.Role), created_at = a.CreatedAt, created_by = a.CreatedBy })));
                    }
                    else if (list.Count == 0)
                    {
                        stdout.WriteLine("no county site accounts (add one: county-hub accounts add NAME --role county-admin)");
                    }
                    else
                    {
                        foreach (var a in list)
                        {
                            stdout.WriteLine($"{a.Name}\t{CountyAccounts.RoleName(a.Role)}\tmade {a.CreatedAt:yyyy-MM-dd} by {a.CreatedBy}");
                        }
                    }

                    return 0;
                }

            case ["token", var name]:
                {
                    // Printed once, here; the database keeps only its hash.
                    var token = await WithDataAsync(options, d => new CountyTokens(d).IssueAsync(name, "county-hub", ct), ct);
                    stdout.WriteLine(args.Json ? JsonSerializer.Serialize(new { name, token }) : token);
                    stderr.WriteLine($"token {name}: shown once, keep it now (Authorization: Bearer <token> on /api/... and /metrics)");
                    return 0;
                }

            case ["revoke-token", var name]:
                {
                    if (!await WithDataAsync(options, d => new CountyTokens(d).RevokeAsync(name, "county-hub", ct), ct))
                    {
                        throw HubCliError.BadInput($"no token named '{name}' to revoke");
                    }

                    stdout.WriteLine($"token {name} revoked");
                    return 0;
                }

            case ["tokens"]:
                {
                    var list = await WithDataAsync(options, d => new CountyTokens(d).ListAsync(ct), ct);
                    foreach (var t in list)
                    {
                        stdout.WriteLine(args.Json
                            ? JsonSerializer.Serialize(new { name = t.Name, created_at = t.CreatedAt, created_by = t.CreatedBy, revoked_at = t.RevokedAt, last_used_at = t.LastUsedAt })
                            : $"{t.Name}\tmade {t.CreatedAt:yyyy-MM-dd} by {t.CreatedBy}\t{(t.RevokedAt is null ? "active" : "revoked")}\tlast used {(t.LastUsedAt is { } u ? u.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) : "never")}");
                    }

                    return 0;
                }

            default:
                throw HubCliError.BadInput(UsageLine);
        }
    }

    private static Task<T> WithAccountsAsync<T>(HubOptions options, Func<CountyAccounts, Task<T>> work, CancellationToken ct) =>
        WithDataAsync(options, d => work(new CountyAccounts(d)), ct);

    private static async Task<T> WithDataAsync<T>(HubOptions options, Func<NpgsqlDataSource, Task<T>> work, CancellationToken ct) =>
        await DatabaseCall.RunAsync(options, async db =>
        {
            await db.MigrateAsync(ct);
            await using var data = NpgsqlDataSource.Create(options.Database!);
            try
            {
                return await work(data);
            }
            catch (CountyAccountException e)
            {
                throw HubCliError.BadInput(e.Message);
            }
        }, ct);

    private static string ReadPassword(TextReader stdin, TextWriter stderr)
    {
        string? password;
        if (ReferenceEquals(stdin, Console.In) && !Console.IsInputRedirected)
        {
            password = Prompt(stderr, "password: ");
            if (Prompt(stderr, "again: ") != password)
            {
                throw HubCliError.BadInput("the two passwords differ");
            }
        }
        else
        {
            password = stdin.ReadLine();
        }

        if (string.IsNullOrEmpty(password))
        {
            throw HubCliError.BadInput("no password on stdin (one line, at least 8 characters)");
        }

        return password;
    }

    private static string Prompt(TextWriter stderr, string prompt)
    {
        stderr.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                stderr.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
