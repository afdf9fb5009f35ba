using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace StationEdge.CountySite;

public enum CountyRole
{
    Reviewer,
    CountyAdmin,
}

public sealed record CountyAccount(string Name, CountyRole Role, string Stamp, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>A one-line refusal of an account operation (bad name, a name taken, a short password).</summary>
public sealed class CountyAccountException(string message) : Exception(message);

/// <summary>
/// The county's staff in PostgreSQL (<c>county_accounts</c>), passwords hashed with Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, random salt) as the keeper site does. No default account:
/// the first is made with <c>county-hub accounts add</c>. Every change is written to <c>county_audit</c> in its transaction.
/// </summary>
public sealed class CountyAccounts(NpgsqlDataSource data)
{
    public const int MinPasswordLength = 8;
    private static readonly PasswordHasher<string> Hasher = new();

    public static string RoleName(CountyRole role) => role == CountyRole.CountyAdmin ? "county-admin" : "reviewer";

    public static CountyRole? ParseRole(string? text) => text switch
    {
        "county-admin" => CountyRole.CountyAdmin,
        "reviewer" => CountyRole.Reviewer,
        _ => null,
    };

    public static string? NameProblem(string name) =>
        name.Length is < 1 or > 64 || name.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is ',' or ';' or '/' or '\\' or '<' or '>' or '"' or '\'')
            ? $"account name '{name}' must be 1-64 characters without spaces, control characters or , ; / \\ < > \" '"
            : null;

    public async Task<CountyAccount> AddAsync(string name, CountyRole role, string password, string by, string? address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(password);
        if (NameProblem(name) is { } problem)
        {
            throw new CountyAccountException(problem);
        }

        if (password.Length < MinPasswordLength)
        {
            throw new CountyAccountException($"the password must have at least {MinPasswordLength} characters");
        }

        var stamp = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO county_accounts (name, role, password_hash, stamp, created_by) VALUES (@n, @r, @h, @s, @b) ON CONFLICT DO NOTHING", connection))
        {
            insert.Parameters.AddWithValue("n", name);
            insert.Parameters.AddWithValue("r", RoleName(role));
            insert.Parameters.AddWithValue("h", Hasher.HashPassword(name, password));
            insert.Parameters.AddWithValue("s", stamp);
            insert.Parameters.AddWithValue("b", by);
            if (await insert.ExecuteNonQueryAsync(ct) == 0)
            {
                throw new CountyAccountException($"account '{name}' exists already");
            }
        }

        await CountyAudit.WriteAsync(connection, by, "account.add", name, RoleName(role), address, ct);
        await tx.CommitAsync(ct);
        return new CountyAccount(name, role, stamp, DateTimeOffset.UtcNow, by);
    }

    public async Task<IReadOnlyList<CountyAccount>> ListAsync(CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("SELECT name, role, stamp, created_at, created_by FROM county_accounts ORDER BY name", connection);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var list = new List<CountyAccount>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<CountyAccount?> FindAsync(string name, CancellationToken ct) => (await FindWithHashAsync(name, ct))?.Account;

    /// <summary>The account when the password is right, else null; an unknown name costs a hash too (no timing tell).</summary>
    public async Task<CountyAccount?> CheckAsync(string name, string password, CancellationToken ct)
    {
        var found = await FindWithHashAsync(name, ct);
        if (found is null)
        {
            Hasher.HashPassword(name, password);
            return null;
        }

        return Hasher.VerifyHashedPassword(name, found.Value.Hash, password) == PasswordVerificationResult.Failed ? null : found.Value.Account;
    }

    private async Task<(CountyAccount Account, string Hash)?> FindWithHashAsync(string name, CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("SELECT name, role, stamp, created_at, created_by, password_hash FROM county_accounts WHERE name = @n", connection);
        select.Parameters.AddWithValue("n", name);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (Read(reader), reader.GetString(5)) : null;
    }

    private static CountyAccount Read(NpgsqlDataReader r) =>
        new(r.GetString(0), ParseRole(r.GetString(1)) ?? CountyRole.Reviewer, r.GetString(2), new DateTimeOffset(r.GetDateTime(3), TimeSpan.Zero), r.GetString(4));
}

/// <summary>The county site's audit log: who did what, to what, from where.</summary>
public static class CountyAudit
{
    public static async Task WriteAsync(NpgsqlConnection connection, string actor, string action, string? target, string? details, string? address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var insert = new NpgsqlCommand(
            "INSERT INTO county_audit (actor, action, target, details, address) VALUES (@a, @c, @t, @d, @ip)", connection);
        insert.Parameters.AddWithValue("a", actor);
        insert.Parameters.AddWithValue("c", action);
        insert.Parameters.AddWithValue("t", (object?)target ?? DBNull.Value);
        insert.Parameters.AddWithValue("d", (object?)details ?? DBNull.Value);
        insert.Parameters.AddWithValue("ip", (object?)address ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(ct);
    }

    public static async Task WriteAsync(NpgsqlDataSource data, string actor, string action, string? target, string? details, string? address, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        await using var connection = await data.OpenConnectionAsync(ct);
        await WriteAsync(connection, actor, action, target, details, address, ct);
    }
}

/// <summary>
/// Failed logins per address and name: after <c>CountySite:LoginAttempts</c> failures within the lock-out time the
/// pair is locked for <c>CountySite:LockoutMinutes</c> (HTTP 429), whatever password comes next. In memory and bounded.
/// </summary>
public sealed class CountyLoginGuard(int attempts, TimeSpan lockout, TimeProvider time)
{
    private const int MaxTracked = 10_000;
    private readonly Dictionary<string, List<long>> _failures = new(StringComparer.Ordinal);

    public TimeSpan? LockedFor(string address, string name)
    {
        lock (_failures)
        {
            if (!_failures.TryGetValue(address + "\n" + name, out var list))
            {
                return null;
            }

            list.RemoveAll(t => time.GetElapsedTime(t) > lockout);
            var left = list.Count >= attempts ? lockout - time.GetElapsedTime(list[^1]) : TimeSpan.Zero;
            return left > TimeSpan.Zero ? left : null;
        }
    }

    public void Failed(string address, string name)
    {
        lock (_failures)
        {
            var key = address + "\n" + name;
            if (!_failures.TryGetValue(key, out var list))
            {
                if (_failures.Count >= MaxTracked)
                {
                    // Unlocked pairs go first, so filling the table with names cannot lift a running lock-out.
                    var victim = _failures.Where(p => p.Value.Count < attempts).Select(p => p.Key).FirstOrDefault() ?? _failures.Keys.First();
                    _failures.Remove(victim);
                }

                _failures[key] = list = [];
            }

            list.Add(time.GetTimestamp());
        }
    }

    public void Succeeded(string address, string name)
    {
        lock (_failures)
        {
            _failures.Remove(address + "\n" + name);
        }
    }
}
