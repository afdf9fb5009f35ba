# shellcheck shell=bash
# Sourced by deploy.sh: `./deploy.sh hub-install [--county NAME] [--host NAME] [--root DIR]`, the county's server:
#   PostgreSQL 15 and Mosquitto 2 from Debian, the broker's TLS listener for the stations (a county CA and a server
#   certificate for --host) beside a loopback listener for the hub, the password file and ACL the hub appends to,
#   county-hub self-contained in /opt/county-hub under its own county-hub user, /etc/county-hub/hub.json, and
#   county-hub.service. The database is reached over PostgreSQL's Unix socket with peer authentication: the hub's
#   system user is its database role, so no database password exists to leak.
# With --root every file goes under DIR (a fake root for tests) and no service, database or key is touched; what is
# left to do is printed. Safe to run again: existing configuration, certificates and keys are kept.

HUB_USER=county-hub
HUB_DB=county
HUB_TLS_PORT=8883
HUB_LOCAL_PORT=1883
HUB_BROKER_DIR=/etc/mosquitto/station-edge

hub_user() {
  local dest=$1 prefix=()
  [ -z "$dest" ] || prefix=(--prefix "$dest")
  if [ -z "$(id_in_root "$dest" passwd "$HUB_USER")" ]; then
    as_root useradd "${prefix[@]}" --system --user-group --no-create-home --home-dir /var/lib/county-hub \
      --shell /usr/sbin/nologin --comment "StationEdge county hub" "$HUB_USER"
    say "hub-install: created the system user $HUB_USER (no login)"
  fi
  [ "$(id_in_root "$dest" passwd "$HUB_USER")" != 0 ] || die "hub-install: the user $HUB_USER has uid 0; the hub never runs as root"
}

# hub_tls DIR HOST: the county's CA (its key stays here, root only) and the broker's certificate for HOST, once.
hub_tls() {
  local ca=$1/etc/county-hub/ca broker=$1$HUB_BROKER_DIR host=$2 mgid=$3
  as_root install -d -m 0700 -o 0 -g 0 "$ca"
  if [ ! -s "$ca/ca.crt" ]; then
    as_root openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -sha256 \
      -subj "/O=StationEdge county/CN=StationEdge county CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -keyout "$ca/ca.key" -out "$ca/ca.crt" 2>/dev/null \
      || die "hub-install: openssl could not make the county CA"
    as_root chmod 0600 "$ca/ca.key"
    say "hub-install: made the county CA $ca/ca.crt (its key stays in $ca, root only)"
  fi
  if [ ! -s "$broker/server.crt" ]; then
    local san="DNS:$host,DNS:localhost,IP:127.0.0.1"
    [[ $host =~ ^[0-9.]+$ ]] && san="IP:$host,DNS:localhost,IP:127.0.0.1"
    as_root openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -subj "/CN=$host" \
      -keyout "$broker/server.key" -out "$broker/server.csr" 2>/dev/null || die "hub-install: openssl could not make the broker's key"
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n' "$san" | as_root tee "$broker/server.ext" >/dev/null
    as_root openssl x509 -req -in "$broker/server.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial \
      -days 825 -sha256 -extfile "$broker/server.ext" -out "$broker/server.crt" 2>/dev/null \
      || die "hub-install: openssl could not sign the broker's certificate"
    as_root rm -f "$broker/server.csr" "$broker/server.ext"
    as_root chown "0:$mgid" "$broker/server.key" && as_root chmod 0640 "$broker/server.key"
    as_root chmod 0644 "$broker/server.crt"
    say "hub-install: made the broker's certificate for $host ($broker/server.crt, signed by the county CA)"
  fi
  as_root install -m 0644 "$ca/ca.crt" "$1/etc/county-hub/county-ca.crt"
}

hub_mosquitto_conf() {
  cat <<EOF
# StationEdge county broker (./deploy.sh hub-install). Stations connect over TLS on $HUB_TLS_PORT with the account
# \`county-hub stations add\` made them; the hub on loopback. No anonymous access; the ACL confines each account.
per_listener_settings false
allow_anonymous false
password_file $HUB_BROKER_DIR/passwd
acl_file $HUB_BROKER_DIR/acl
# The hub's persistent session keeps every station batch it has not acknowledged, however many.
max_queued_messages 0

listener $HUB_LOCAL_PORT 127.0.0.1

listener $HUB_TLS_PORT
certfile $HUB_BROKER_DIR/server.crt
keyfile $HUB_BROKER_DIR/server.key
tls_version tlsv1.2
EOF
}

hub_config() {
  cat <<EOF
{
  "Hub": {
    "Database": "Host=/var/run/postgresql;Database=$HUB_DB;Username=$HUB_USER",
    "Broker": "mqtt://127.0.0.1:$HUB_LOCAL_PORT",
    "County": "$1",
    "Username": "$HUB_USER",
    "PasswordFile": "/var/lib/county-hub/broker.password",
    "SigningKeyFile": "/var/lib/county-hub/county-signing.pem",
    "MosquittoPasswordFile": "$HUB_BROKER_DIR/passwd",
    "MosquittoAclFile": "$HUB_BROKER_DIR/acl"
  }
}
EOF
}

# The database role and database, over the socket as the postgres user; the cluster started if it is down.
hub_database() {
  pg_lsclusters -h 2>/dev/null | awk '$1 == 15 && $4 == "online"' | grep -q . || as_root pg_ctlcluster 15 main start \
    || die "hub-install: PostgreSQL 15's main cluster does not start (pg_lsclusters shows it)"
  local psql=(runuser -u postgres -- psql -X -q -At -v ON_ERROR_STOP=1)
  [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$HUB_USER'")" = 1 ] \
    || "${psql[@]}" -c "CREATE ROLE \"$HUB_USER\" LOGIN" || die "hub-install: could not create the database role $HUB_USER"
  [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$HUB_DB'")" = 1 ] \
    || runuser -u postgres -- createdb -O "$HUB_USER" -E UTF8 -T template0 "$HUB_DB" || die "hub-install: could not create the database $HUB_DB"
}

hub_install() {
  local dest="" county="" host
  host=$(hostname -f 2>/dev/null || hostname)
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "hub-install: --root needs a folder"; dest=$2; shift 2 ;;
      --county) [ $# -ge 2 ] || die "hub-install: --county needs a name"; county=$2; shift 2 ;;
      --host) [ $# -ge 2 ] || die "hub-install: --host needs the server's name or address"; host=$2; shift 2 ;;
      -h | --help) echo "usage: ./deploy.sh hub-install [--county NAME] [--host NAME] [--root DIR]"; return 0 ;;
      *) die "hub-install: unknown argument '$1' (expected --county NAME, --host NAME, --root DIR)" ;;
    esac
  done
  if [ -n "$dest" ]; then
    [ -d "$dest" ] || die "hub-install: --root $dest: folder not found"
    dest=$(cd "$dest" && pwd)
    [ "$dest" != / ] || dest=""
  fi
  [ -f "$dest/etc/passwd" ] && [ -f "$dest/etc/group" ] || die "hub-install: $dest/etc/passwd or $dest/etc/group is missing"
  local config=$dest/etc/county-hub/hub.json
  if [ -z "$county" ] && [ -f "$config" ]; then
    county=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["Hub"]["County"])' "$config" 2>/dev/null) || true
  fi
  [ -n "$county" ] || die "hub-install: --county NAME is needed the first time (the county's id, as stations' Sync:County)"
  [[ $county =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "hub-install: --county '$county': letters, digits, - and _ only (it is an MQTT topic level)"
  [[ $host =~ ^[A-Za-z0-9.-]{1,253}$ ]] || die "hub-install: --host '$host' is not a host name or IPv4 address"

  command -v dotnet >/dev/null || die "hub-install: the .NET 10 SDK is required (dotnet not on PATH)"
  need_apt postgresql-15 mosquitto openssl python3
  local arch
  case "$(dpkg --print-architecture)" in
    amd64) arch=x64 ;;
    arm64) arch=arm64 ;;
    *) die "hub-install: no build for $(dpkg --print-architecture)" ;;
  esac
  local build=$OUT/county-hub-linux-$arch
  dotnet publish "$ROOT/cloud-sync/StationEdge.Hub.Cli" -c Release -r "linux-$arch" --self-contained true -o "$build" \
    -nologo -clp:ErrorsOnly -v:q >&2 || die "hub-install: dotnet publish of county-hub failed"
  say "hub-install: county $county on ${dest:-/}, broker certificate for $host"

  hub_user "$dest"
  install_build "$build" "$dest/opt/county-hub" no-models
  local uid gid mgid
  uid=$(id_in_root "$dest" passwd "$HUB_USER")
  gid=$(id_in_root "$dest" group "$HUB_USER")
  mgid=$(id_in_root "$dest" group mosquitto)
  [ -n "$mgid" ] || die "hub-install: no mosquitto group in $dest/etc/group (is the mosquitto package installed?)"
  as_root install -d -m 0750 -o 0 -g "$gid" "$dest/etc/county-hub"
  if [ -e "$config" ]; then
    say "hub-install: kept $config as it is"
  else
    hub_config "$county" | as_root install -m 0640 -o 0 -g "$gid" /dev/stdin "$config"
    say "hub-install: wrote $config"
  fi
  as_root install -d -m 0700 -o "$uid" -g "$gid" "$dest/var/lib/county-hub"

  # The broker: the hub appends accounts to the password file and ACL (county-hub stations add); Mosquitto reads them.
  as_root install -d -m 0755 -o 0 -g "$mgid" "$dest$HUB_BROKER_DIR"
  local f
  for f in passwd acl; do
    [ -e "$dest$HUB_BROKER_DIR/$f" ] || as_root install -m 0640 -o "$uid" -g "$mgid" /dev/null "$dest$HUB_BROKER_DIR/$f"
  done
  hub_tls "$dest" "$host" "$mgid"
  hub_mosquitto_conf | as_root install -D -m 0644 -o 0 -g 0 /dev/stdin "$dest/etc/mosquitto/conf.d/station-edge.conf"

  local unit=$dest/etc/systemd/system/county-hub.service
  as_root install -D -m 0644 -o 0 -g 0 "$ROOT/deploy/county-hub.service" "$unit"

  if [ -n "$dest" ]; then
    say "hub-install: done under $dest (--root: no database, broker, key or service touched)"
    return 0
  fi
  hub_database
  local hub=(runuser -u "$HUB_USER" -- /opt/county-hub/county-hub)
  (cd /var/lib/county-hub && "${hub[@]}" migrate --config "$config" >/dev/null) || die "hub-install: county-hub migrate failed"
  [ -e /var/lib/county-hub/county-signing.pem ] || (cd /var/lib/county-hub && "${hub[@]}" keys init --config "$config" >/dev/null) \
    || die "hub-install: county-hub keys init failed"
  [ -e /var/lib/county-hub/broker.password ] || (cd /var/lib/county-hub && "${hub[@]}" account --config "$config" >/dev/null) \
    || die "hub-install: county-hub account failed"
  as_root install -m 0644 /var/lib/county-hub/county-signing.pem.pub /etc/county-hub/county-signing.pub
  if [ -d /run/systemd/system ]; then
    as_root systemctl enable --now postgresql.service mosquitto.service >/dev/null 2>&1 || true
    as_root systemctl restart mosquitto.service || die "hub-install: mosquitto did not restart (journalctl -u mosquitto)"
    as_root systemctl daemon-reload
    as_root systemctl enable county-hub.service
    as_root systemctl restart county-hub.service
    say "hub-install: county-hub.service (re)started (journalctl -u county-hub -f shows it)"
  else
    say "hub-install: no systemd here: start mosquitto and /opt/county-hub/county-hub run --config $config yourself"
  fi
  say "hub-install: for each station: sudo -u $HUB_USER /opt/county-hub/county-hub stations add ID --name NAME, then systemctl reload mosquitto"
  say "hub-install: give each station Sync:Broker mqtts://$host:$HUB_TLS_PORT, Sync:CountyPublicKey /etc/county-hub/county-signing.pub and Sync:BrokerCaFile /etc/county-hub/county-ca.crt (copies of both files)"
}
