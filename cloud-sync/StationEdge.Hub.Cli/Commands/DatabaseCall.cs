using System.Net.Sockets;
using Npgsql;

namespace StationEdge.Hub.Cli.Commands;

/// <summary>A database call from a command: an unreachable or refusing PostgreSQL is one line naming where, exit 3.</summary>
internal static class DatabaseCall
{
    public static async Task<T> RunAsync<T>(HubOptions options, Func<HubDatabase, Task<T>> work, CancellationToken ct)
    {
        await using var database = new HubDatabase(options.Database!);
        try
        {
            return await work(database);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException && !ct.IsCancellationRequested)
        {
            var where = new NpgsqlConnectionStringBuilder(options.Database);
            throw HubCliError.Fault($"PostgreSQL at {where.Host}:{where.Port} (Hub:Database): {e.Message.ReplaceLineEndings(" ")}");
        }
    }
}
