namespace StationEdge.Hub;

/// <summary>
/// The county database's schema, as ordered steps. Each step runs once, in its own transaction, under an advisory
/// lock, so two hub processes starting together apply it once; a step never changes after release (add a new one).
/// </summary>
internal static partial class HubMigrations
{
    public static readonly IReadOnlyList<(int Version, string Name, string Sql)> Steps =
    [
        (1, "stations, visits by month, events, progress, dead letters", """
            CREATE TABLE stations (
                id text PRIMARY KEY,
                county text NOT NULL,
                name text NOT NULL,
                address text,
                lat double precision,
                lon double precision,
                opening_hours text,
                mqtt_user text,
                mqtt_password_hash text,
                registered_at timestamptz NOT NULL DEFAULT now(),
                last_seen timestamptz,
                online boolean NOT NULL DEFAULT false,
                outbox_depth bigint,
                oldest_unsent_s double precision,
                software_version text,
                open_alarms text[],
                status_at timestamptz,
                status jsonb
            );

            -- Partitioned by month of the visit's own time: a county keeps years of visits and drops old months whole.
            -- The unique key must hold the partition key; (station_id, seq) alone is unique in practice, since a
            -- resend carries the visit's time unchanged.
            CREATE TABLE visits (
                station_id text NOT NULL,
                seq bigint NOT NULL,
                id uuid NOT NULL,
                visit_seq bigint NOT NULL,
                time timestamptz NOT NULL,
                decision text NOT NULL,
                reason text NOT NULL,
                method text NOT NULL,
                worker_id text,
                worker_name text,
                score real,
                margin real,
                liveness real,
                threshold real,
                gallery_size integer,
                pass_id text,
                by_whom text,
                received_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (station_id, seq, time)
            ) PARTITION BY RANGE (time);
            CREATE TABLE visits_default PARTITION OF visits DEFAULT;
            CREATE INDEX visits_time ON visits (time);

            CREATE TABLE events (
                station_id text NOT NULL,
                seq bigint NOT NULL,
                id uuid NOT NULL,
                time timestamptz NOT NULL,
                type text NOT NULL,
                details text,
                worker_id text,
                command_id text,
                worker jsonb,
                received_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (station_id, seq)
            );

            -- The highest seq of a station's outbox committed without a gap (visits and events share one outbox).
            CREATE TABLE station_progress (
                station_id text NOT NULL,
                kind text NOT NULL,
                acked_seq bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (station_id, kind)
            );

            CREATE TABLE dead_letters (
                id bigserial PRIMARY KEY,
                received_at timestamptz NOT NULL DEFAULT now(),
                topic text NOT NULL,
                reason text NOT NULL,
                payload_bytes integer NOT NULL,
                payload bytea NOT NULL
            );
            """),
        .. RosterSteps,

        // The county site's steps (20 and up, HubMigrations.County.cs) stay last.
        .. CountySteps,
    ];
}
