namespace StationEdge.Hub;

/// <summary>The county site's schema: its accounts and its audit log (steps 20 and up).</summary>
internal static partial class HubMigrations
{
    // A property, not a field: static fields of a partial class in two files initialise in no set order, and Steps reads this.
    private static (int Version, string Name, string Sql)[] CountySteps =>
    [
        (20, "county site accounts and audit", """
            -- A county's staff: the password as ASP.NET Core Identity's PBKDF2 hash (never the password); the stamp
            -- changes with the password or the role, which ends the sessions made before.
            CREATE TABLE county_accounts (
                name text PRIMARY KEY,
                role text NOT NULL CHECK (role IN ('county-admin', 'reviewer')),
                password_hash text NOT NULL,
                stamp text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                created_by text NOT NULL
            );

            CREATE TABLE county_audit (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                actor text NOT NULL,
                action text NOT NULL,
                target text,
                details text,
                address text
            );
            CREATE INDEX county_audit_at ON county_audit (at DESC);

            -- The visits page pages by (time, station, seq) newest first, and filters a station's or a worker's visits.
            CREATE INDEX visits_station_time ON visits (station_id, time DESC, seq DESC);
            CREATE INDEX visits_worker_time ON visits (worker_id, time DESC);
            """),
        (21, "county site alarm acknowledgements and script tokens", """
            -- An open alarm (a station's open_alarms, or offline) a county admin has seen: kept while the alarm stays
            -- open, forgotten once the site sees it closed, so the next one shows unacknowledged again.
            CREATE TABLE county_alarm_acks (
                station_id text NOT NULL,
                alarm text NOT NULL,
                acked_by text NOT NULL,
                acked_at timestamptz NOT NULL DEFAULT now(),
                note text,
                PRIMARY KEY (station_id, alarm)
            );

            -- Tokens for scripts reading the JSON API and /metrics: only a SHA-256 of the token is kept.
            CREATE TABLE county_tokens (
                name text PRIMARY KEY,
                token_sha256 bytea NOT NULL UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                created_by text NOT NULL,
                revoked_at timestamptz,
                last_used_at timestamptz
            );
            """),
        (22, "visits indexes for the worker-name, reason and method filters", """
            -- The worker filter matches an ID or a name: with both indexed the planner ORs two bitmaps instead of
            -- walking the whole time index. A rare reason (an expired pass) or method (a keeper's opening) would
            -- otherwise read every visit before it found a page.
            CREATE INDEX visits_worker_name_time ON visits (worker_name, time DESC);
            CREATE INDEX visits_reason_time ON visits (reason, time DESC);
            CREATE INDEX visits_method_time ON visits (method, time DESC);
            """),
    ];
}
