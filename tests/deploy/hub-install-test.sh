#!/usr/bin/env bash
# `./deploy.sh hub-install --root DIR` into a fake Debian root, twice: the hub's user, files, modes and owners, the
# configuration the hub itself accepts, the county CA and the broker's certificate, and the broker configuration run
# by a real Mosquitto whose TLS listener a client verifies against the county CA. Run by ./deploy.sh test.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
fake=$(mktemp -d)
failures=0
fail() {
  echo "hub-install test: $*" >&2
  failures=$((failures + 1))
}
expect() { # expect WHAT ACTUAL EXPECTED
  [ "$2" = "$3" ] || fail "$1 is '$2', expected '$3'"
}
broker_pid=""
cleanup() {
  [ -z "$broker_pid" ] || kill "$broker_pid" 2>/dev/null || true
  $sudo rm -rf "$fake" "$fake-bin"
}
trap cleanup EXIT

mkdir -p "$fake/etc"
printf 'root:x:0:0:root:/root:/bin/bash\nmosquitto:x:105:107::/var/lib/mosquitto:/usr/sbin/nologin\n' >"$fake/etc/passwd"
printf 'root:x:0:\nmosquitto:x:107:\n' >"$fake/etc/group"
printf 'root:*:20000:0:99999:7:::\nmosquitto:!:20000::::::\n' >"$fake/etc/shadow"
printf 'root:*::\nmosquitto:!::\n' >"$fake/etc/gshadow"
chmod 0640 "$fake/etc/shadow" "$fake/etc/gshadow"
mkdir -p "$fake-bin"
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$fake-bin/called" >"$fake-bin/systemctl"
chmod +x "$fake-bin/systemctl"
hub_install() { $sudo env PATH="$fake-bin:$PATH" "$ROOT/deploy.sh" hub-install --root "$fake" "$@" 2>&1; }

first=$(hub_install --county test-county --host county.example) || { echo "$first" >&2; fail "the first hub-install failed"; exit 1; }
ca_before=$(sha256sum "$fake/etc/county-hub/ca/ca.crt" | cut -d' ' -f1)
config=$fake/etc/county-hub/hub.json
$sudo sed -i 's/"County": "test-county"/"County": "test-county" /' "$config"
second=$(hub_install) || { echo "$second" >&2; fail "the second hub-install (no --county: read from hub.json) failed"; exit 1; }
grep -q "kept .*hub.json" <<<"$second" || fail "the second hub-install did not keep hub.json"
grep -q '"County": "test-county" ,' "$config" || fail "the second hub-install rewrote the county's edit of hub.json"
expect "the county CA after a second run" "$(sha256sum "$fake/etc/county-hub/ca/ca.crt" | cut -d' ' -f1)" "$ca_before"
[ ! -e "$fake-bin/called" ] || fail "--root ran systemctl $(cat "$fake-bin/called")"
refused=$($sudo "$ROOT/deploy.sh" hub-install --root "$fake" --county 'a/b' 2>&1) && fail "a county with a / was accepted"
grep -q "topic level" <<<"$refused" || fail "a bad county's error does not say why: $refused"

entry=$(grep '^county-hub:' "$fake/etc/passwd" || true)
expect "the number of county-hub users" "$(grep -c '^county-hub:' "$fake/etc/passwd")" 1
uid=$(cut -d: -f3 <<<"$entry")
[ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] || fail "county-hub's uid '$uid' is not a system uid"
expect "county-hub's shell" "$(cut -d: -f7 <<<"$entry")" /usr/sbin/nologin
gid=$(awk -F: '$1 == "county-hub" { print $3 }' "$fake/etc/group")

mode() { stat -c '%a %u %g' "$1" 2>/dev/null || echo missing; }
expect "/etc/county-hub" "$(mode "$fake/etc/county-hub")" "750 0 $gid"
expect "hub.json" "$(mode "$config")" "640 0 $gid"
expect "/var/lib/county-hub" "$(mode "$fake/var/lib/county-hub")" "700 $uid $gid"
expect "the county CA's key" "$(mode "$fake/etc/county-hub/ca/ca.key")" "600 0 0"
expect "the broker's key" "$(mode "$fake/etc/mosquitto/station-edge/server.key")" "640 0 107"
expect "the broker's password file" "$(mode "$fake/etc/mosquitto/station-edge/passwd")" "640 $uid 107"
expect "the broker's ACL" "$(mode "$fake/etc/mosquitto/station-edge/acl")" "640 $uid 107"
[ -x "$fake/opt/county-hub/county-hub" ] || fail "no /opt/county-hub/county-hub"
[ ! -e "$fake/opt/county-hub/models" ] || fail "the hub got the station's models"
grep -q '^ExecStart=/opt/county-hub/county-hub run' "$fake/etc/systemd/system/county-hub.service" 2>/dev/null || fail "county-hub.service not installed"
grep -q '^WatchdogSec=120' "$fake/etc/systemd/system/county-hub.service" || fail "county-hub.service has no WatchdogSec=120"
"$fake/opt/county-hub/county-hub" --version >/dev/null || fail "the installed county-hub does not run"
python3 - "$config" <<'EOF' || fail "hub.json does not hold the Hub section hub-install promises"
import json, sys
hub = json.load(open(sys.argv[1]))["Hub"]
assert hub["Database"] == "Host=/var/run/postgresql;Database=county;Username=county-hub", hub["Database"]
assert hub["Broker"] == "mqtt://127.0.0.1:1883" and hub["County"] == "test-county"
for key in ("PasswordFile", "SigningKeyFile", "MosquittoPasswordFile", "MosquittoAclFile"):
    assert hub[key].startswith("/"), key
EOF

# The certificate: signed by the county CA, for the host named, for a server.
ca=$fake/etc/county-hub/county-ca.crt cert=$fake/etc/mosquitto/station-edge/server.crt
openssl verify -CAfile "$ca" "$cert" >/dev/null 2>&1 || fail "the broker's certificate does not verify against the county CA"
openssl x509 -in "$cert" -noout -checkhost county.example | grep -q 'does match' || fail "the broker's certificate is not for county.example"
openssl x509 -in "$cert" -noout -ext extendedKeyUsage 2>/dev/null | grep -q 'Server Authentication' || fail "the broker's certificate is not for a server"

# The broker configuration in a real Mosquitto, on free loopback ports, the files where the fake root has them.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tls_port=$(free_port) local_port=$(free_port)
run=$fake/broker-run
$sudo mkdir -p "$run"
sed -e "s|/etc/mosquitto/station-edge|$fake/etc/mosquitto/station-edge|g" -e "s|^listener 1883 127.0.0.1|listener $local_port 127.0.0.1|" \
  -e "s|^listener 8883$|listener $tls_port 127.0.0.1|" "$fake/etc/mosquitto/conf.d/station-edge.conf" | $sudo tee "$run/mosquitto.conf" >/dev/null
echo "log_dest file $run/mosquitto.log" | $sudo tee -a "$run/mosquitto.conf" >/dev/null
[ "$(id -u)" -ne 0 ] || echo "user root" >>"$run/mosquitto.conf"
$sudo chmod -R a+rX "$fake/etc/mosquitto"
mosquitto -c "$run/mosquitto.conf" >/dev/null 2>&1 &
broker_pid=$!
# Ready when it says it listens on the TLS port (a bare TCP probe would itself be logged as a client's protocol error).
for _ in $(seq 100); do
  $sudo grep -q "listen socket on port $tls_port" "$run/mosquitto.log" 2>/dev/null && break
  sleep 0.1
done
if ! kill -0 "$broker_pid" 2>/dev/null; then
  fail "Mosquitto refused hub-install's configuration: $($sudo cat "$run/mosquitto.log" 2>/dev/null | tail -2 | tr '\n' ' ')"
else
  handshake=$(openssl s_client -connect "127.0.0.1:$tls_port" -servername localhost -CAfile "$ca" -verify_return_error \
    -verify_hostname localhost </dev/null 2>&1) || fail "a station cannot verify the broker's TLS listener against the county CA: $(grep -m1 -i 'error\|verify' <<<"$handshake")"
  grep -q 'Verify return code: 0 (ok)' <<<"$handshake" || fail "the broker's TLS handshake did not verify"
  # Its own errors (a certificate or file it cannot read); a client's dropped TLS session is logged as OpenSSL's.
  if $sudo grep -v 'OpenSSL Error\|SSL routines' "$run/mosquitto.log" 2>/dev/null | grep -qi 'error'; then
    fail "Mosquitto logged an error: $($sudo grep -v 'OpenSSL Error\|SSL routines' "$run/mosquitto.log" | grep -i -m1 error)"
  fi
  other=$(mktemp)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=other -keyout /dev/null -out "$other" 2>/dev/null
  openssl s_client -connect "127.0.0.1:$tls_port" -CAfile "$other" -verify_return_error </dev/null >/dev/null 2>&1 \
    && fail "the broker's certificate verified against another CA"
  rm -f "$other"
fi

[ "$failures" -eq 0 ] || exit 1
echo "hub-install test: passed (user, files and modes, hub.json kept, county CA and certificate, Mosquitto's TLS listener verified)"
