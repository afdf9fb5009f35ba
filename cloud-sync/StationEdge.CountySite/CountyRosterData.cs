using Npgsql;
using StationEdge.Hub;
using StationEdge.Sync.Contracts;

namespace StationEdge.CountySite;

/// <summary>A deletion the county sent, and which stations have reported a roster version that includes it.</summary>
public sealed record RosterDeletion(long Version, string WorkerId, DateTimeOffset MadeAt, string Source, IReadOnlyList<string> Confirmed, IReadOnlyList<string> Waiting);

/// <summary>
/// The county's roster as the site shows and changes it: reads and changes go through <see cref="CountyRoster"/> (the
/// same methods <c>county-hub workers</c> calls), so the site never holds a second copy of the roster's rules.
/// </summary>
public sealed class CountyRosterData(NpgsqlDataSource data, string? county)
{
    /// <summary>The hub's <c>Hub:County</c>; null when the site runs without one (the bench), and the roster page says so.</summary>
    public string? County { get; } = county;

    public Task<IReadOnlyList<CountyWorker>> ListAsync(CancellationToken ct) => CountyRoster.ListAsync(data, County!, ct);

    public Task<(long Version, long Published)> HeadAsync(CancellationToken ct) => CountyRoster.HeadAsync(data, County!, ct);

    /// <summary>
    /// Suspend, resume or delete as <paramref name="actor"/>: the delta's source names the account (<c>county-site:NAME</c>,
    /// as the CLI's is <c>county-hub</c>), and <c>county_audit</c> gets <c>worker.suspend|resume|delete</c>.
    /// </summary>
    /// <returns>The new roster version, or null when the worker was in that state already.</returns>
    /// <exception cref="KeyNotFoundException">No such worker in the county.</exception>
    public async Task<long?> ChangeAsync(string op, string workerId, string actor, string? address, CancellationToken ct)
    {
        var version = await CountyRoster.ChangeAsync(data, County!, op, workerId, "county-site:" + actor, ct);
        await CountyAudit.WriteAsync(data, actor, "worker." + op, workerId,
            version is { } v ? $"roster version {v}" : "unchanged (already in that state)", address, ct);
        return version;
    }

    /// <summary>
    /// The newest deletions and, for each, the county's stations whose last status reported a roster version at or past
    /// it (they applied it: a station applies deltas in order) and those still waiting.
    /// </summary>
    public async Task<IReadOnlyList<RosterDeletion>> DeletionsAsync(int limit, CancellationToken ct)
    {
        var stations = new List<(string Id, long? Version)>();
        await using (var select = data.CreateCommand("SELECT id, (status->>'roster_version')::bigint FROM stations WHERE county = @c ORDER BY id"))
        {
            select.Parameters.AddWithValue("c", County!);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                stations.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)));
            }
        }

        var list = new List<RosterDeletion>();
        await using (var select = data.CreateCommand("SELECT version, worker_id, made_at, source FROM roster_deltas WHERE county = @c AND op = @op ORDER BY version DESC LIMIT @n"))
        {
            select.Parameters.AddWithValue("c", County!);
            select.Parameters.AddWithValue("op", RosterDelta.Delete);
            select.Parameters.AddWithValue("n", limit);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var version = reader.GetInt64(0);
                list.Add(new RosterDeletion(version, reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                    [.. stations.Where(s => s.Version >= version).Select(s => s.Id)], [.. stations.Where(s => !(s.Version >= version)).Select(s => s.Id)]));
            }
        }

        return list;
    }
}
