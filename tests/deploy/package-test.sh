#!/usr/bin/env bash
# The Debian packages (./deploy.sh package), run by ./deploy.sh test:
# - x64: contents, conffile, control, ELF architecture, lintian; then, on a machine where nothing else is at stake
#   (no station-edge installed, run as root), installed with dpkg as a station is: the unit's ExecStart run on the
#   simulated chip and a walk-up, a keeper account, an edited config; installed and then upgraded with apt from the
#   county's signed repository (./deploy.sh repo, repo-add) to the new version from a lower version of the same tree
#   (config, keeper, every visit kept); then remove and purge leave what Debian says they leave.
# - arm64: every native file is aarch64, nothing x64 inside, and its station-edge runs under QEMU.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$ROOT/out
MODELS=$OUT/models
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'package test: %s\n' "$*" >&2; exit 1; }
failures=0
fail() {
  echo "package test: $*" >&2
  failures=$((failures + 1))
}
expect() { # expect WHAT ACTUAL EXPECTED
  [ "$2" = "$3" ] || fail "$1 is '$2', expected '$3'"
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The architecture of every ELF file under DIR, one per line as "MACHINE PATH" (62 x86-64, 183 aarch64).
elf_machines() {
  python3 - "$1" <<'EOF'
import os, struct, sys
for base, _, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(base, name)
        if os.path.islink(path):
            continue
        with open(path, "rb") as f:
            head = f.read(20)
        if len(head) == 20 and head[:4] == b"\x7fELF":
            print(struct.unpack("<H", head[18:20])[0], os.path.relpath(path, sys.argv[1]))
EOF
}

check_contents() { # check_contents DEB DEBARCH MACHINE
  local deb=$1 debarch=$2 machine=$3 tree=$work/tree-$2
  dpkg-deb -x "$deb" "$tree"
  dpkg-deb -e "$deb" "$tree/DEBIAN"
  expect "$debarch Architecture" "$(dpkg-deb -f "$deb" Architecture)" "$debarch"
  expect "$debarch conffiles" "$(cat "$tree/DEBIAN/conffiles")" /etc/station-edge/appsettings.json
  dpkg-deb -f "$deb" Depends | grep -q 'ffmpeg' || fail "$debarch Depends does not name ffmpeg"
  dpkg-deb -f "$deb" Depends | grep -q 'libgpiod2 | libgpiod3' || fail "$debarch Depends does not name libgpiod"
  local f
  for f in opt/station-edge/station-edge opt/station-edge/repo-add opt/station-edge/models/models.lock.json opt/station-edge/sounds/welcome.wav \
    lib/systemd/system/station-edge.service etc/station-edge/appsettings.json; do
    [ -e "$tree/$f" ] || fail "$debarch package has no /$f"
  done
  [ ! -e "$tree/opt/station-edge/libOpenCvSharpExtern.so" ] || fail "$debarch package carries the bench's OpenCV library"
  local foreign
  foreign=$(elf_machines "$tree" | awk -v m="$machine" '$1 != m { print $2 }')
  [ -z "$foreign" ] || fail "$debarch package has native files of another architecture: $(echo "$foreign" | head -3 | tr '\n' ' ')"
  [ "$(elf_machines "$tree" | wc -l)" -gt 3 ] || fail "$debarch package: no native files found (the check saw nothing)"
  local kb
  kb=$(dpkg-deb -f "$deb" Installed-Size)
  echo "package test: $(basename "$deb"): $(du -h "$deb" | cut -f1) file, $((kb / 1024)) MB installed"
  [ "$kb" -lt $((150 * 1024)) ] || fail "$debarch package installs $((kb / 1024)) MB, over 150 MB"
}

# Tags this package keeps, each explained in README.md ("Installing from the package"); any other error fails.
LINTIAN_EXPLAINED='dir-or-file-in-opt|no-changelog|no-copyright-file|copyright-without-copyright-notation|unstripped-binary-or-object|embedded-library|shared-library-lacks-prerequisites|shared-library-lacks-version|package-contains-no-arch-dependent-files|statically-linked-binary|executable-in-usr-lib|maintainer-script-calls-systemctl|systemd-service-file-refers-to-unusual-wantedby-target|spelling-error-in-binary|binary-or-shlib-defines-rpath|debian-changelog-file-missing|extended-description-line-too-long|file-references-package-build-path|non-standard-dir-perm|non-standard-file-perm|description-starts-with-package-name|malformed-contact|binary-without-manpage|unusual-interpreter|package-installs-java-bytecode|library-not-linked-against-libc|hardening-no-fortify-functions|hardening-no-relro|shlib-calls-exit|custom-library-search-path|spare-manual-page'
check_lintian() {
  local deb=$1
  command -v lintian >/dev/null || { fail "lintian is not installed"; return; }
  local tags
  tags=$(lintian --no-tag-display-limit "$deb" 2>/dev/null | grep -E '^E: ' | grep -vE ": ($LINTIAN_EXPLAINED)( |$)" || true)
  [ -z "$tags" ] || fail "lintian errors not explained in README.md: $(echo "$tags" | sort -u | head -5 | tr '\n' ';')"
  echo "package test: lintian: $(lintian --no-tag-display-limit "$deb" 2>/dev/null | cut -d' ' -f3 | sort | uniq -c | sort -rn | head -6 | awk '{printf "%s %s, ", $1, $2}')(the explained ones)"
}

cd "$ROOT"
say "package test: x64 package"
./deploy.sh package --arch x64 || die "./deploy.sh package --arch x64 failed"
version=$(dotnet msbuild "$ROOT/edge/StationEdge.Cli" -getProperty:Version -nologo | tr -d '[:space:]')
new_deb=$OUT/packages/station-edge_${version}_amd64.deb
[ -f "$new_deb" ] || die "no $new_deb after ./deploy.sh package"
check_contents "$new_deb" amd64 62
check_lintian "$new_deb"

# The installed station, on this machine, only where nothing else is at stake.
installed_test() {
  # The older package of the same tree: the same files under a lower version, as an upgrade from the last release.
  local old_deb=$work/station-edge_0.0.1_amd64.deb repack=$work/repack
  dpkg-deb -R "$new_deb" "$repack"
  sed -i 's/^Version: .*/Version: 0.0.1/' "$repack/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz -b "$repack" "$old_deb" >/dev/null
  rm -rf "$repack"

  # As a county's station gets it: from the county's signed repository (./deploy.sh repo), followed as repo-add
  # sets a station up (here into a scratch root, read by apt with a private state so this machine's own sources
  # are neither used nor touched).
  local repo=$work/county-repo station=$work/station-root
  "$ROOT/deploy.sh" repo --dir "$repo" --key-dir "$work/county-key" "$old_deb" >"$work/repo.log" 2>&1 \
    || { cat "$work/repo.log" >&2; fail "./deploy.sh repo failed"; return; }
  "$ROOT/deploy.sh" repo-add "file://$repo" "$repo/station-edge-county.gpg" --root "$station" >"$work/repo.log" 2>&1 \
    || { cat "$work/repo.log" >&2; fail "./deploy.sh repo-add failed"; return; }
  county_apt() {
    mkdir -p "$work/apt/parts" "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
    sed "s|^Signed-By: /|Signed-By: $station/|" "$station/etc/apt/sources.list.d/station-edge.sources" >"$work/apt/parts/station-edge.sources"
    DEBIAN_FRONTEND=noninteractive apt-get -q "$@" -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/apt/parts" \
      -o Dir::State::Lists="$work/apt/lists" -o Dir::Cache="$work/apt/cache" -o APT::Sandbox::User=root
  }
  { county_apt update && county_apt install -y --no-install-recommends station-edge; } >"$work/dpkg.log" 2>&1 \
    || { cat "$work/dpkg.log" >&2; fail "apt-get install station-edge from the county's repository failed"; return; }
  expect "the package's status" "$(dpkg-query -W -f='${Status} ${Version}' station-edge)" "install ok installed 0.0.1"
  expect "the user's shell" "$(getent passwd station-edge | cut -d: -f7)" /usr/sbin/nologin
  expect "the data folder" "$(stat -c '%a %U' /var/lib/station-edge)" "700 station-edge"
  expect "the config" "$(stat -c '%a %U %G' /etc/station-edge/appsettings.json)" "640 root station-edge"
  if command -v systemd-analyze >/dev/null; then
    local complaints
    complaints=$(systemd-analyze verify /lib/systemd/system/station-edge.service 2>&1) || fail "systemd-analyze verify failed: $complaints"
    [ -z "$complaints" ] || fail "systemd-analyze verify: $complaints"
  fi

  # As the unit runs it: its user, its working directory, its ExecStart, on the simulated chip and a walk-up.
  local exec_start as_daemon=(env STATIONEDGE_MODELS=/opt/station-edge/models setpriv --reuid station-edge --regid station-edge --init-groups)
  exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/station-edge.service)
  # shellcheck source=deploy/demo.sh
  . "$ROOT/deploy/demo.sh"
  local cam=$work/cam
  mkdir -p "$cam"
  demo_cut "${DEMO_W001_ENROL[@]}" "$cam/w001.png"
  demo_cut "${DEMO_W001_WALK[@]}" "$cam/walk.png"
  demo_walkup "$cam/walk.png" "$cam/walk.mkv"
  chmod -R a+rX "$work"
  (cd /var/lib/station-edge && "${as_daemon[@]}" /opt/station-edge/station-edge enroll --data /var/lib/station-edge --id W001 --name 王芳 --photo "$cam/w001.png") \
    >/dev/null || fail "enroll as the installed station failed"
  printf 'keeper-password-1\n' | (cd /var/lib/station-edge && "${as_daemon[@]}" /opt/station-edge/station-edge keeper add --name 值班 --data /var/lib/station-edge) \
    >/dev/null 2>&1 || fail "keeper add as the installed station failed"
  run_as_unit() {
    # shellcheck disable=SC2086 # ExecStart's words, as systemd splits them
    (cd /var/lib/station-edge && STATIONEDGE_KeeperSite__Enabled=false \
      "${as_daemon[@]}" $exec_start --gpio sim --camera "$cam/walk.mkv" --for 6) >"$work/run.log" 2>&1
  }
  run_as_unit || { tail -5 "$work/run.log" >&2; fail "the unit's ExecStart failed on the simulated chip"; }
  local visits_before
  visits_before=$(sqlite3 /var/lib/station-edge/station.db "SELECT count(*) FROM visits WHERE decision = 'granted'")
  [ "$visits_before" -ge 1 ] || fail "the installed station granted no visit to the enrolled walk-up"
  sed -i 's/"PulseMs": 3000/"PulseMs": 4000/' /etc/station-edge/appsettings.json

  say "package test: upgrade 0.0.1 -> $version from the county's repository"
  "$ROOT/deploy.sh" repo --dir "$repo" --key-dir "$work/county-key" "$new_deb" >"$work/repo.log" 2>&1 \
    || { cat "$work/repo.log" >&2; fail "./deploy.sh repo with the new package failed"; }
  { county_apt update && county_apt install -y --only-upgrade station-edge; } >"$work/dpkg.log" 2>&1 \
    || { cat "$work/dpkg.log" >&2; fail "the upgrade from the county's repository failed"; }
  # The package's own repo-add (a station installed from a .deb has no source tree) writes what deploy.sh's does.
  /opt/station-edge/repo-add "file://$repo" "$repo/station-edge-county.gpg" --root "$work/station-root-2" >/dev/null 2>&1 \
    || fail "/opt/station-edge/repo-add failed"
  diff -r "$station/etc" "$work/station-root-2/etc" >/dev/null 2>&1 || fail "/opt/station-edge/repo-add wrote other files than ./deploy.sh repo-add"
  expect "the version after the upgrade" "$(dpkg-query -W -f='${Version}' station-edge)" "$version"
  grep -q '"PulseMs": 4000' /etc/station-edge/appsettings.json || fail "the upgrade lost the keeper's edit of the config"
  [ -s /var/lib/station-edge/keepers.json ] || fail "the upgrade lost the keeper account"
  expect "granted visits after the upgrade" "$(sqlite3 /var/lib/station-edge/station.db "SELECT count(*) FROM visits WHERE decision = 'granted'")" "$visits_before"
  run_as_unit || fail "the upgraded station's ExecStart failed"
  [ -z "$(find /var/lib/station-edge -name 'station.db.before-migration-*')" ] || fail "a migration copy stayed after a good start"

  say "package test: remove, then purge"
  dpkg -r station-edge >"$work/dpkg.log" 2>&1 || fail "dpkg -r failed"
  [ ! -e /opt/station-edge/station-edge ] || fail "remove left /opt/station-edge/station-edge"
  [ -f /etc/station-edge/appsettings.json ] || fail "remove deleted the conffile (only purge may)"
  [ -f /var/lib/station-edge/station.db ] || fail "remove deleted the station's records (only purge may)"
  dpkg -P station-edge >"$work/dpkg.log" 2>&1 || fail "dpkg -P failed"
  [ ! -e /var/lib/station-edge ] || fail "purge left /var/lib/station-edge"
  [ ! -e /etc/station-edge/appsettings.json ] || fail "purge left the conffile"
  expect "dpkg's record after purge" "$(dpkg-query -W -f='${Status}' station-edge 2>/dev/null || echo none)" none
  # Debian keeps a removed package's system user; the test leaves the machine as it found it.
  userdel station-edge 2>/dev/null || true
}
if [ "$(id -u)" -ne 0 ]; then
  echo "package test: install, upgrade and purge skipped: not root"
elif dpkg-query -W station-edge >/dev/null 2>&1 || [ -e /opt/station-edge ] || [ -e /var/lib/station-edge ] || getent passwd station-edge >/dev/null; then
  echo "package test: install, upgrade and purge skipped: a station is already installed on this machine"
else
  installed_test
fi

say "package test: arm64 package"
./deploy.sh package --arch arm64 || die "./deploy.sh package --arch arm64 failed"
arm_deb=$OUT/packages/station-edge_${version}_arm64.deb
check_contents "$arm_deb" arm64 183
# shellcheck source=deploy/arm64.sh
. "$ROOT/deploy/arm64.sh"
write_arm64_cpuinfo "$work/cpuinfo"
if command -v qemu-aarch64-static >/dev/null; then
  got=$(run_arm64 "$work/cpuinfo" "$work/tree-arm64/opt/station-edge/station-edge" --version 2>&1) || fail "the arm64 package's station-edge --version failed under QEMU: $got"
  expect "the arm64 package's --version" "$got" "station-edge $version"
else
  fail "qemu-user-static is not installed (./deploy.sh arm64 installs it)"
fi

[ "$failures" -eq 0 ] || exit 1
echo "package test: passed"
