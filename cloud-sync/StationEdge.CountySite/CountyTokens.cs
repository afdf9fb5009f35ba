using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace StationEdge.CountySite;

/// <summary>
/// Tokens for scripts reading the JSON API and <c>/metrics</c>: a random 256-bit token shown once when issued; only its
/// SHA-256 is stored (a token is random, so a slow hash adds nothing). Issuing again replaces the name's token;
/// revoking stops it at once. Issue and revoke are audited.
/// </summary>
public sealed class CountyTokens(NpgsqlDataSource data)
{
    public const string Prefix = "cst_";

    public async Task<string> IssueAsync(string name, string by, CancellationToken ct)
    {
        if (CountyAccounts.NameProblem(name) is { } problem)
        {
            throw new CountyAccountException(problem.Replace("account name", "token name", StringComparison.Ordinal));
        }

        var token = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO county_tokens (name, token_sha256, created_by) VALUES (@n, @h, @b)
            ON CONFLICT (name) DO UPDATE SET token_sha256 = excluded.token_sha256, created_at = now(), created_by = excluded.created_by, revoked_at = NULL, last_used_at = NULL
            """, connection, tx))
        {
            upsert.Parameters.AddWithValue("n", name);
            upsert.Parameters.AddWithValue("h", Hash(token));
            upsert.Parameters.AddWithValue("b", by);
            await upsert.ExecuteNonQueryAsync(ct);
        }

        await CountyAudit.WriteAsync(connection, by, "token.issue", name, null, null, ct);
        await tx.CommitAsync(ct);
        return token;
    }

    /// <summary>False when there is no such token or it was revoked already.</summary>
    public async Task<bool> RevokeAsync(string name, string by, CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using var revoke = new NpgsqlCommand("UPDATE county_tokens SET revoked_at = now() WHERE name = @n AND revoked_at IS NULL", connection, tx);
        revoke.Parameters.AddWithValue("n", name);
        if (await revoke.ExecuteNonQueryAsync(ct) == 0)
        {
            return false;
        }

        await CountyAudit.WriteAsync(connection, by, "token.revoke", name, null, null, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The token's name when it is one of ours and not revoked; its last use is noted.</summary>
    public async Task<string?> CheckAsync(string? token, CancellationToken ct)
    {
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return null;
        }

        await using var connection = await data.OpenConnectionAsync(ct);
        await using var use = new NpgsqlCommand(
            "UPDATE county_tokens SET last_used_at = now() WHERE token_sha256 = @h AND revoked_at IS NULL RETURNING name", connection);
        use.Parameters.AddWithValue("h", Hash(token));
        return await use.ExecuteScalarAsync(ct) as string;
    }

    public async Task<IReadOnlyList<(string Name, DateTime CreatedAt, string CreatedBy, DateTime? RevokedAt, DateTime? LastUsedAt)>> ListAsync(CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        await using var select = new NpgsqlCommand("SELECT name, created_at, created_by, revoked_at, last_used_at FROM county_tokens ORDER BY name", connection);
        await using var r = await select.ExecuteReaderAsync(ct);
        var list = new List<(string, DateTime, string, DateTime?, DateTime?)>();
        while (await r.ReadAsync(ct))
        {
            list.Add((r.GetString(0), r.GetDateTime(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetDateTime(4)));
        }

        return list;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
