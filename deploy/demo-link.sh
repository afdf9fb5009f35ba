# shellcheck shell=bash
# Sourced by deploy.sh for `./deploy.sh demo`: the county's side on this machine, all of it throwaway and on loopback:
# a Mosquitto and a PostgreSQL cluster of the demo's own (never Debian's services), the county hub, and the station's
# Sync settings pointing at them. link_down stops everything link_up started; the demo's EXIT trap calls it.

HUB_CLI=$OUT/county-hub/county-hub
PG_BIN=/usr/lib/postgresql/15/bin
LINK_COUNTY=demo-county
LINK_STATION=S001
LINK_PIDS=()

# A loopback port nothing listens on now.
link_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    demo_port_taken 127.0.0.1 "$port" || { echo "$port"; return; }
  done
}

# as_service USER CMD...: root runs the servers as their own Debian users (initdb refuses root; mosquitto drops to
# its user by itself); anyone else runs them as themselves.
as_service() {
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# link_up WORK: prints one line per part as it starts; sets LINK_ENV (the station's Sync settings) and LINK_PSQL.
link_up() {
  local work=$1 county=$1/county
  mkdir -p "$county/pg" "$county/broker/data"
  # The servers' own users must reach their folders inside the demo's (0700) temporary folder.
  chmod 711 "$work" "$county"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$county/pg"

  local pg_port mqtt_port
  pg_port=$(link_free_port)
  as_service postgres "$PG_BIN/initdb" -D "$county/pg/data" -U county -A trust --no-sync -E UTF8 --locale=C.UTF-8 >"$county/pg/initdb.log" 2>&1 \
    || { cat "$county/pg/initdb.log" >&2; die "demo: initdb failed"; }
  as_service postgres "$PG_BIN/pg_ctl" -D "$county/pg/data" -l "$county/pg/server.log" -w -t 30 \
    -o "-p $pg_port -k $county/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null \
    || { cat "$county/pg/server.log" >&2; die "demo: PostgreSQL did not start"; }
  LINK_PG_DATA=$county/pg/data
  LINK_PSQL=(psql -h 127.0.0.1 -p "$pg_port" -U county -d postgres -At -q)
  echo "county: PostgreSQL 15 on 127.0.0.1:$pg_port (a throwaway cluster in the demo's folder)"

  mqtt_port=$(link_free_port)
  # The county's site on its usual port when that is free, else on any free one.
  LINK_SITE_PORT=8090
  demo_port_taken 127.0.0.1 "$LINK_SITE_PORT" && LINK_SITE_PORT=$(link_free_port)
  cat >"$county/hub.json" <<EOF
{
  "CountySite": { "Urls": "http://127.0.0.1:$LINK_SITE_PORT" },
  "Hub": {
    "Database": "Host=127.0.0.1;Port=$pg_port;Username=county;Database=postgres",
    "Broker": "mqtt://127.0.0.1:$mqtt_port",
    "County": "$LINK_COUNTY",
    "Username": "hub",
    "PasswordFile": "$county/hub.password",
    "SigningKeyFile": "$county/county.key",
    "MosquittoPasswordFile": "$county/broker/passwd",
    "MosquittoAclFile": "$county/broker/acl"
  }
}
EOF
  link_hub_accounts "$county"
  # The county's template key, which seals a roaming worker's face for the county's stations only.
  (umask 077 && openssl rand -base64 32 >"$county/template.key")
  cat >"$county/broker/mosquitto.conf" <<EOF
per_listener_settings false
listener $mqtt_port 127.0.0.1
allow_anonymous false
password_file $county/broker/passwd
acl_file $county/broker/acl
persistence true
persistence_location $county/broker/data/
max_queued_messages 0
log_dest file $county/broker/mosquitto.log
EOF
  [ "$(id -u)" -ne 0 ] || chown -R mosquitto:mosquitto "$county/broker"
  mosquitto -c "$county/broker/mosquitto.conf" &
  LINK_PIDS+=($!)
  local i
  for i in $(seq 50); do demo_port_taken 127.0.0.1 "$mqtt_port" && break; sleep 0.1; done
  demo_port_taken 127.0.0.1 "$mqtt_port" || { cat "$county/broker/mosquitto.log" >&2; die "demo: Mosquitto did not start"; }
  echo "county: Mosquitto on 127.0.0.1:$mqtt_port (its own config, password file and ACL; no anonymous access)"

  "$HUB_CLI" run --config "$county/hub.json" &
  LINK_PIDS+=($!)
  for i in $(seq 100); do demo_port_taken 127.0.0.1 "$LINK_SITE_PORT" && break; sleep 0.1; done
  echo "county site: http://127.0.0.1:$LINK_SITE_PORT"
  LINK_ENV=(
    "STATIONEDGE_Sync__Broker=mqtt://127.0.0.1:$mqtt_port"
    "STATIONEDGE_Sync__StationId=$LINK_STATION"
    "STATIONEDGE_Sync__County=$LINK_COUNTY"
    "STATIONEDGE_Sync__Username=$LINK_USER"
    "STATIONEDGE_Sync__PasswordFile=$county/station.password"
    "STATIONEDGE_Sync__CountyPublicKey=$county/county.key.pub"
    "STATIONEDGE_Sync__TemplateKeyFile=$county/template.key"
  )
}

# The county's key pair, the hub's own MQTT account and the station's, with their ACL blocks.
link_hub_accounts() {
  local county=$1
  "$HUB_CLI" migrate --config "$county/hub.json" >/dev/null
  "$HUB_CLI" keys init --config "$county/hub.json" >/dev/null
  "$HUB_CLI" account --config "$county/hub.json" >/dev/null
  local added
  added=$("$HUB_CLI" stations add "$LINK_STATION" --config "$county/hub.json" --name "城关镇骑手之家")
  LINK_USER=$(awk '$1 == "Sync:Username" { print $2 }' <<<"$added")
  (umask 077 && awk '$1 == "password" { print $2 }' <<<"$added" >"$county/station.password")
  [ -s "$county/station.password" ] && [ -n "$LINK_USER" ] || die "demo: county-hub stations add printed no user or password"
  echo "county: station $LINK_STATION registered (its password written once; its ACL block lets it write only under stations/$LINK_STATION/)"
  # A county admin for the site; its password is printed only by --keep, which leaves the site up to click through.
  LINK_SITE_USER=县管理员
  LINK_SITE_PASSWORD=$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 12)
  printf '%s\n' "$LINK_SITE_PASSWORD" | "$HUB_CLI" accounts add "$LINK_SITE_USER" --role county-admin --config "$county/hub.json" >/dev/null \
    || die "demo: county-hub accounts add failed"
}

# What the county holds, read from PostgreSQL, and what the station still has to send, read from its store.
link_report() {
  local data=$1 stored waiting
  stored=$("${LINK_PSQL[@]}" -c "SELECT count(*) FROM visits WHERE station_id = '$LINK_STATION'")
  waiting=$("$CLI" store check --data "$data" --json | grep -o '"outbox": *[0-9]*' | grep -o '[0-9]*$')
  echo "county: $stored visits stored, ${waiting:-?} waiting in the station's outbox"
}

link_down() {
  local pid
  for pid in "${LINK_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${LINK_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  LINK_PIDS=()
  if [ -n "${LINK_PG_DATA:-}" ] && [ -f "$LINK_PG_DATA/postmaster.pid" ]; then
    as_service postgres "$PG_BIN/pg_ctl" -D "$LINK_PG_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
