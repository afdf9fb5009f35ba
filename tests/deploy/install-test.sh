#!/usr/bin/env bash
# `./deploy.sh install --root DIR` into a fake Raspberry Pi OS root, twice: the files, their modes and owners, the
# user, the boot-config line (once), the unit's keys, and that the installed build runs. Run by ./deploy.sh test.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

fake=$(mktemp -d)
failures=0
fail() {
  echo "install test: $*" >&2
  failures=$((failures + 1))
}
expect() { # expect WHAT ACTUAL EXPECTED
  [ "$2" = "$3" ] || fail "$1 is '$2', expected '$3'"
}

# A bookworm root: the base accounts (video exists, gpio does not: install creates it) and a boot config that
# ends inside a conditional section, as many do.
mkdir -p "$fake/etc" "$fake/boot/firmware"
printf 'root:x:0:0:root:/root:/bin/bash\n' >"$fake/etc/passwd"
printf 'root:x:0:\nvideo:x:44:\n' >"$fake/etc/group"
printf 'root:*:20000:0:99999:7:::\n' >"$fake/etc/shadow"
printf 'root:*::\nvideo:!::\n' >"$fake/etc/gshadow"
chmod 0640 "$fake/etc/shadow" "$fake/etc/gshadow"
printf 'dtparam=audio=on\ncamera_auto_detect=1\n\n[pi4]\narm_boost=1\n' >"$fake/boot/firmware/config.txt"
boot_before=$(cat "$fake/boot/firmware/config.txt")

# A systemctl that only records being called: --root must never reach the host's services.
mkdir -p "$fake-bin"
trap '$sudo rm -rf "$fake" "$fake-bin"' EXIT
printf '#!/bin/sh\necho "$*" >>"%s"\n' "$fake-bin/called" >"$fake-bin/systemctl"
chmod +x "$fake-bin/systemctl"
install_into_fake_root() { $sudo env PATH="$fake-bin:$PATH" "$ROOT/deploy.sh" install --root "$fake" 2>&1; }

first=$(install_into_fake_root) || { echo "$first" >&2; fail "the first install failed"; exit 1; }
config="$fake/etc/station-edge/appsettings.json"
# An installer's edit of the config must survive the next install.
$sudo sed -i 's/"PulseMs": 3000/"PulseMs": 4000/' "$config"
second=$(install_into_fake_root) || { echo "$second" >&2; fail "the second install failed"; exit 1; }

grep -q "reboot" <<<"$first" || fail "the first install did not say a reboot is needed"
! grep -q "reboot" <<<"$second" || fail "the second install asked for a reboot although the boot config was already set"
[ ! -e "$fake-bin/called" ] || fail "--root ran systemctl $(cat "$fake-bin/called")"

# The user: a system account with no login, in gpio and video, never root; created once.
entry=$(grep '^station-edge:' "$fake/etc/passwd" || true)
[ -n "$entry" ] || fail "no station-edge user in etc/passwd"
expect "the number of station-edge users" "$(grep -c '^station-edge:' "$fake/etc/passwd")" 1
uid=$(cut -d: -f3 <<<"$entry")
gid=$(awk -F: '$1 == "station-edge" { print $3 }' "$fake/etc/group")
[ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] || fail "station-edge's uid $uid is not a system uid (1-999)"
expect "station-edge's shell" "$(cut -d: -f7 <<<"$entry")" /usr/sbin/nologin
for group in gpio video audio; do
  members=$(awk -F: -v g="$group" '$1 == g { print $4 }' "$fake/etc/group")
  grep -qw station-edge <<<"$members" || fail "station-edge is not in the $group group (members: '$members')"
done
[ -f "$fake/etc/udev/rules.d/60-station-edge-gpio.rules" ] || fail "gpio was created but no udev rule gives it /dev/gpiochip*"

mode() { stat -c '%a %u:%g' "$1"; }
# The build and the models, owned by root, and working: doctor checks every model hash against the lock.
exe="$fake/opt/station-edge/station-edge"
[ -x "$exe" ] || fail "$exe is missing or not executable"
expect "/opt/station-edge" "$(mode "$fake/opt/station-edge")" "755 0:0"
[ -z "$(find "$fake/opt/station-edge" -perm /022 -o ! -user 0)" ] || fail "files under /opt/station-edge are writable by others or not root's"
[ ! -e "$fake/opt/station-edge.new" ] && [ ! -e "$fake/opt/station-edge.old" ] || fail "the install left a staging folder"
models="$fake/opt/station-edge/models"
for file in $(cd "$models" && find . -type f ! -name models.lock.json -printf '%P\n'); do
  grep -qF "\"$file\"" "$models/models.lock.json" || fail "/opt/station-edge/models/$file is not pinned by the lock"
done
"$exe" doctor --models "$models" >"$fake/doctor.out" 2>&1 \
  || { cat "$fake/doctor.out" >&2; fail "the installed doctor failed"; }

# The config: readable by the daemon's group only, kept when present, and one the door accepts.
expect "etc/station-edge" "$(mode "$fake/etc/station-edge")" "750 0:$gid"
expect "appsettings.json" "$(mode "$config")" "640 0:$gid"
grep -q '"PulseMs": 4000' "$config" || fail "the second install overwrote the edited config"
"$exe" door-sim --config "$config" </dev/null >/dev/null 2>"$fake/door-sim.err" \
  || { cat "$fake/door-sim.err" >&2; fail "door-sim refuses the installed config"; }

# The unit's ExecStart, as the unit runs it (its models folder, the installed config), for a few seconds on the
# simulated chip and a test picture instead of the Pi's GPIO and camera: it must start, run and stop cleanly.
for sound in welcome.wav refused.wav; do
  [ -s "$fake/opt/station-edge/sounds/$sound" ] || fail "/opt/station-edge/sounds/$sound (the greeting) is missing"
done
exec_start=$(sed -n "/^ExecStart=/{s|^ExecStart=||; s|/opt/station-edge/|$fake/opt/station-edge/|g; s|/etc/station-edge/|$fake/etc/station-edge/|g; p}" \
  "$fake/etc/systemd/system/station-edge.service")
env STATIONEDGE_MODELS="$models" $exec_start --gpio sim --camera "lavfi:testsrc=size=640x480:rate=15" --for 4 --data "$fake/run-data" \
  </dev/null >"$fake/run.out" 2>"$fake/run.err" \
  || { cat "$fake/run.err" >&2; fail "the unit's ExecStart (station-edge run) failed"; }
! grep -qE ' (fail|crit): ' "$fake/run.err" || { cat "$fake/run.err" >&2; fail "the unit's ExecStart logged errors"; }
grep -q 'door     stopped (locked)' "$fake/run.out" || fail "the unit's ExecStart did not stop with the door locked: $(tail -3 "$fake/run.out")"

expect "var/lib/station-edge" "$(mode "$fake/var/lib/station-edge")" "700 $uid:$gid"

# The boot config: the line once, under [all], and nothing else changed.
boot="$fake/boot/firmware/config.txt"
expect "the number of dtparam=strict_gpiod lines" "$(grep -cx 'dtparam=strict_gpiod' "$boot")" 1
[ "$(head -c ${#boot_before} "$boot")" = "$boot_before" ] || fail "the boot config's own lines changed"
[ "$(grep -x -B1 'dtparam=strict_gpiod' "$boot" | head -1)" = "[all]" ] || fail "dtparam=strict_gpiod is not under [all]"

# The unit: every key the door's safety and the sandbox rely on.
unit="$fake/etc/systemd/system/station-edge.service"
expect "station-edge.service" "$(mode "$unit")" "644 0:0"
for key in \
  "Type=notify" \
  "ExecStart=/opt/station-edge/station-edge run --config /etc/station-edge/appsettings.json" \
  "ExecStopPost=/opt/station-edge/station-edge door --rest --config /etc/station-edge/appsettings.json" \
  "Restart=always" \
  "WatchdogSec=10" \
  "User=station-edge" \
  "Group=station-edge" \
  "SupplementaryGroups=gpio video audio" \
  "NoNewPrivileges=yes" \
  "ProtectSystem=strict" \
  "ReadWritePaths=/var/lib/station-edge" \
  "PrivateTmp=yes" \
  "DevicePolicy=closed" \
  "DeviceAllow=char-gpiochip rw" \
  "DeviceAllow=char-video4linux rw" \
  "DeviceAllow=char-alsa rw" \
  "WantedBy=multi-user.target"; do
  grep -qxF "$key" "$unit" || fail "station-edge.service has no line '$key'"
done
grep -qE '^RestartSec=[1-9][0-9]*$' "$unit" || fail "station-edge.service has no RestartSec"
! grep -qE '^(User|Group)=root$' "$unit" || fail "station-edge.service runs as root"

# --lan: the keeper site on the LAN over https only, the admin's other edits kept, and nothing more a second time.
lan=$($sudo env PATH="$fake-bin:$PATH" "$ROOT/deploy.sh" install --root "$fake" --lan 2>&1) || { echo "$lan" >&2; fail "install --lan failed"; }
grep -q '"Urls": "http://127.0.0.1:8080;https://0.0.0.0:8443"' "$config" || fail "install --lan did not put the keeper site on the LAN over https: $(grep Urls "$config")"
grep -q '"PulseMs": 4000' "$config" || fail "install --lan lost the edited config"
grep -q "over https only" <<<"$lan" || fail "install --lan did not say what it changed"
lan_again=$($sudo env PATH="$fake-bin:$PATH" "$ROOT/deploy.sh" install --root "$fake" --lan 2>&1) || fail "a second install --lan failed"
grep -q "over https only\|left as it is, for" <<<"$lan_again" && fail "a second install --lan changed the config again"
env STATIONEDGE_MODELS="$models" $exec_start --gpio sim --camera "lavfi:testsrc=size=640x480:rate=15" --for 2 --data "$fake/run-data-lan" \
  </dev/null >"$fake/run-lan.out" 2>"$fake/run-lan.err" && fail "the daemon started on the LAN without a keeper account"
grep -qi "keeper" "$fake/run-lan.err" || fail "the daemon's refusal on the LAN does not say a keeper is needed: $(tail -1 "$fake/run-lan.err")"

if [ "$failures" -gt 0 ]; then
  echo "install test: $failures check(s) failed" >&2
  exit 1
fi
echo "install test: passed (two installs into a fake root, then --lan twice)"
