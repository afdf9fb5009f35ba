namespace StationEdge.Hub;

/// <summary>The county's roster and commands: steps 10 to 19 (20 and up belong to other work).</summary>
internal static partial class HubMigrations
{
    // A property, not a field: the steps list in the other file reads it, and static field initialisers of a partial
    // class run in no order across files.
    private static (int Version, string Name, string Sql)[] RosterSteps =>
    [
        (10, "county roster: version per county, workers, deltas; commands sent", """
            -- One row per county: the roster's version (the last delta made) and the last one published, so a hub that
            -- stops between the two publishes the rest when it comes back.
            CREATE TABLE county_roster (
                county text PRIMARY KEY,
                version bigint NOT NULL DEFAULT 0,
                published_version bigint NOT NULL DEFAULT 0,
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- The county's workers as the stations last told of them (record: the link's worker record, templates still
            -- sealed under the county's template key, which this database never holds).
            CREATE TABLE county_workers (
                county text NOT NULL,
                worker_id text NOT NULL,
                name text NOT NULL,
                status text NOT NULL,
                home_station text NOT NULL,
                consent_scope text NOT NULL,
                record jsonb NOT NULL,
                version bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (county, worker_id)
            );

            -- Every delta, so a station that asks for a resync from its version gets each one after it, in order.
            CREATE TABLE roster_deltas (
                county text NOT NULL,
                version bigint NOT NULL,
                op text NOT NULL,
                worker_id text NOT NULL,
                source text NOT NULL,
                made_at timestamptz NOT NULL DEFAULT now(),
                delta jsonb NOT NULL,
                PRIMARY KEY (county, version)
            );
            CREATE INDEX roster_deltas_worker ON roster_deltas (county, worker_id);

            CREATE TABLE county_commands (
                id uuid PRIMARY KEY,
                station_id text NOT NULL,
                type text NOT NULL,
                by_whom text NOT NULL,
                reason text NOT NULL,
                issued_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                nonce text NOT NULL UNIQUE,
                published_at timestamptz
            );
            """),
    ];
}
