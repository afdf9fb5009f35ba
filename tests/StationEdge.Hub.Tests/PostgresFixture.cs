using StationEdge.Hub;

namespace StationEdge.Hub.Tests;

/// <summary>One throwaway PostgreSQL cluster for a test class; each test makes its own database on it.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _databases;

    public LocalPostgres Postgres { get; private set; } = null!;

    public async Task InitializeAsync() => Postgres = await LocalPostgres.StartAsync();

    public Task<string> NewDatabaseAsync() => Postgres.CreateDatabaseAsync($"hub_test_{Interlocked.Increment(ref _databases)}");

    public async Task DisposeAsync() => await Postgres.DisposeAsync();
}
