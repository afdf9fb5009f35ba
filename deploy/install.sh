# shellcheck shell=bash
# Sourced by deploy.sh: `./deploy.sh install [--root DIR] [--arch arm64|x64]`, the station on a Raspberry Pi.
# With --root every file goes under DIR (a fake root for tests) and systemctl is never called.

INSTALL_USER=station-edge
INSTALL_GROUPS=(gpio video audio)

# The numeric id of NAME in DIR/etc/passwd or DIR/etc/group: under --root the host's own lookup knows nothing of it.
id_in_root() {
  awk -F: -v name="$3" '$1 == name { print $3 }' "$1/etc/$2"
}

# as_root CMD...: the install's writes; sudo only when not root already (like need_apt).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The Pi's boot configuration: /boot/firmware/config.txt from bookworm on, /boot/config.txt before.
boot_config_path() {
  local dest=$1
  if [ -f "$dest/boot/firmware/config.txt" ]; then
    echo "$dest/boot/firmware/config.txt"
  elif [ -f "$dest/boot/config.txt" ]; then
    echo "$dest/boot/config.txt"
  fi
}

# Raspberry Pi kernels keep a released GPIO output driven (persist_gpio_outputs), so a killed daemon would leave
# the relay energised. strict_gpiod makes a released line return to its default (an input with its pull).
# Appended under [all], so a conditional section ([pi4], [cm5]...) at the end of the file cannot swallow it.
# Prints "added" when it changed the file.
install_strict_gpiod() {
  local config=$1
  if grep -qE '^[[:space:]]*dtparam=strict_gpiod(=on)?[[:space:]]*$' "$config"; then
    return 0
  fi
  # shellcheck disable=SC2016 # $1 is sh's, not this shell's
  as_root sh -c 'printf "\n# StationEdge: released GPIO lines return to inputs, so a dead daemon does not hold the door relay on\n[all]\ndtparam=strict_gpiod\n" >>"$1"' sh "$config"
  echo added
}

# Creates the groups and the system user if needed; an existing user keeps its id and gains the groups.
install_user() {
  local dest=$1 prefix=()
  [ -z "$dest" ] || prefix=(--prefix "$dest")
  local group
  for group in "${INSTALL_GROUPS[@]}"; do
    if [ -z "$(id_in_root "$dest" group "$group")" ]; then
      as_root groupadd "${prefix[@]}" --system "$group"
      say "install: created the group $group"
      if [ "$group" = gpio ]; then
        # Raspberry Pi OS gives /dev/gpiochip* to the gpio group; a system without the group has no such rule.
        as_root mkdir -p "$dest/etc/udev/rules.d"
        echo 'SUBSYSTEM=="gpio", KERNEL=="gpiochip*", GROUP="gpio", MODE="0660"' \
          | as_root tee "$dest/etc/udev/rules.d/60-station-edge-gpio.rules" >/dev/null
      fi
    fi
  done
  local groups
  groups=$(IFS=,; echo "${INSTALL_GROUPS[*]}")
  if [ -z "$(id_in_root "$dest" passwd "$INSTALL_USER")" ]; then
    as_root useradd "${prefix[@]}" --system --user-group --no-create-home --home-dir /var/lib/station-edge \
      --shell /usr/sbin/nologin --groups "$groups" --comment "StationEdge station daemon" "$INSTALL_USER"
    say "install: created the system user $INSTALL_USER (no login; groups $groups)"
  else
    [ "$(id_in_root "$dest" passwd "$INSTALL_USER")" != 0 ] || die "install: the user $INSTALL_USER has uid 0; the daemon never runs as root"
    as_root usermod "${prefix[@]}" --shell /usr/sbin/nologin --append --groups "$groups" "$INSTALL_USER"
  fi
}

# The files station-edge runs on, as the lock names them (a converted model by its output), and the lock itself:
# not whatever else an older set-up left in the models folder.
pinned_model_files() {
  python3 -c 'import json, sys
print("models.lock.json")
for a in json.load(open(sys.argv[1]))["artifacts"]:
    print((a.get("convert") or {}).get("to") or a["file"])' "$MODELS/models.lock.json"
}

# Replaces DIR with a fresh copy of the build and the models (not with no-models, for the county hub): a running
# daemon keeps the files it has open, and nothing is ever half old, half new.
install_build() {
  local build=$1 target=$2 models=${3:-models} files
  as_root rm -rf "$target.new" "$target.old"
  as_root mkdir -p "$target.new"
  as_root cp -a "$build/." "$target.new/"
  if [ "$models" != no-models ]; then
    files=$(pinned_model_files) || die "install: cannot read $MODELS/models.lock.json"
    as_root mkdir -p "$target.new/models"
    (cd "$MODELS" && echo "$files" | as_root xargs -d '\n' cp --parents -p -t "$target.new/models/")
  fi
  as_root chown -R 0:0 "$target.new"
  as_root chmod -R u+rwX,go+rX,go-w "$target.new"
  [ ! -e "$target" ] || as_root mv "$target" "$target.old"
  as_root mv "$target.new" "$target"
  as_root rm -rf "$target.old"
}

# systemd-analyze verify on the installed unit. Under --root its programs are looked up under DIR, so the copy it
# checks names them there. Any complaint fails the install (verify itself exits 0 on an unknown key).
verify_unit() {
  local dest=$1 unit=$2
  if ! command -v systemd-analyze >/dev/null; then
    say "install: systemd-analyze not found, the unit was not verified"
    return 0
  fi
  local check complaints
  check=$(mktemp -d)
  sed "s|/opt/station-edge/|$dest/opt/station-edge/|g" "$unit" >"$check/station-edge.service"
  complaints=$(systemd-analyze verify "$check/station-edge.service" 2>&1) || complaints+=" (systemd-analyze verify failed)"
  rm -rf "$check"
  [ -z "$complaints" ] || die "install: $unit: $complaints"
}

# The keeper site for the keepers' phones on the LAN: https on every address (the keeper cert the install makes),
# plain http on loopback only for the Pi's own screen. Only the default line is rewritten; a config the station's
# admin changed is left as it is, with what to do.
INSTALL_LAN_URLS="http://127.0.0.1:8080;https://0.0.0.0:8443"
install_lan_urls() {
  local config=$1
  if grep -q "\"Urls\": \"$INSTALL_LAN_URLS\"" "$config"; then
    return 0
  elif grep -q '"KeeperSite": { "Enabled": true, "Urls": "http://127.0.0.1:8080",' "$config"; then
    as_root sed -i "s|\"KeeperSite\": { \"Enabled\": true, \"Urls\": \"http://127.0.0.1:8080\",|\"KeeperSite\": { \"Enabled\": true, \"Urls\": \"$INSTALL_LAN_URLS\",|" "$config"
    say "install: the keeper site now answers on the LAN over https only (KeeperSite:Urls $INSTALL_LAN_URLS)"
  else
    say "install: --lan: $config has its own KeeperSite:Urls, left as it is; for the LAN set it to $INSTALL_LAN_URLS"
  fi
}

install_station() {
  local dest="" arch="" lan=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --root) [ $# -ge 2 ] || die "install: --root needs a folder"; dest=$2; shift 2 ;;
      --arch) [ $# -ge 2 ] || die "install: --arch needs arm64 or x64"; arch=$2; shift 2 ;;
      --lan) lan=1; shift ;;
      *) die "install: unknown argument '$1' (expected --root DIR, --arch arm64|x64, --lan)" ;;
    esac
  done
  if [ -n "$dest" ]; then
    [ -d "$dest" ] || die "install: --root $dest: folder not found"
    dest=$(cd "$dest" && pwd)
    [ "$dest" != / ] || dest=""
  fi
  if [ -z "$arch" ]; then
    case "$(dpkg --print-architecture)" in
      arm64) arch=arm64 ;;
      amd64) arch=x64 ;;
      *) die "install: no build for $(dpkg --print-architecture); pass --arch arm64 or --arch x64" ;;
    esac
  fi
  case "$arch" in arm64 | x64) ;; *) die "install: --arch $arch: expected arm64 or x64" ;; esac
  [ -f "$dest/etc/passwd" ] && [ -f "$dest/etc/group" ] || die "install: $dest/etc/passwd or $dest/etc/group is missing"

  setup
  need_apt python3
  local build
  build=$(publish_self_contained "linux-$arch")
  say "install: station-edge (linux-$arch) into ${dest:-/}"

  make_sounds "$build/sounds"
  install_user "$dest"
  install_build "$build" "$dest/opt/station-edge"

  local uid gid
  uid=$(id_in_root "$dest" passwd "$INSTALL_USER")
  gid=$(id_in_root "$dest" group "$INSTALL_USER")
  as_root install -d -m 0750 -o 0 -g "$gid" "$dest/etc/station-edge"
  local config="$dest/etc/station-edge/appsettings.json"
  if [ -e "$config" ]; then
    say "install: kept $config as it is"
  else
    as_root install -m 0640 -o 0 -g "$gid" "$ROOT/deploy/appsettings.json" "$config"
    say "install: wrote $config (check the pins and the lock type before the door is wired)"
  fi
  as_root install -d -m 0700 -o "$uid" -g "$gid" "$dest/var/lib/station-edge"
  [ -z "$lan" ] || install_lan_urls "$config"

  local unit="$dest/etc/systemd/system/station-edge.service"
  as_root install -D -m 0644 -o 0 -g 0 "$ROOT/deploy/station-edge.service" "$unit"
  verify_unit "$dest" "$unit"

  local boot
  boot=$(boot_config_path "$dest")
  if [ -z "$boot" ]; then
    say "install: no /boot/firmware/config.txt or /boot/config.txt (not a Raspberry Pi?): dtparam=strict_gpiod not set"
  elif [ "$(install_strict_gpiod "$boot")" = added ]; then
    say "install: added dtparam=strict_gpiod to $boot: reboot for it to take effect"
  fi

  if [ -n "$dest" ]; then
    say "install: done under $dest (--root: systemctl not called)"
    return 0
  fi
  # The keeper site's https address (phones need it for their own camera): a self-signed certificate, once.
  if [ ! -e /var/lib/station-edge/keeper-site.pfx ] \
    && as_root sudo -u "$INSTALL_USER" /opt/station-edge/station-edge keeper cert --data /var/lib/station-edge >/dev/null 2>&1; then
    say "install: made /var/lib/station-edge/keeper-site.pfx (self-signed; add an https:// address to KeeperSite:Urls to use it)"
  fi
  [ -e /var/lib/station-edge/keepers.json ] \
    || say "install: the keeper site has no account yet: sudo -u $INSTALL_USER /opt/station-edge/station-edge keeper add --name NAME"
  as_root systemctl daemon-reload
  as_root systemctl enable station-edge.service
  # On the LAN the daemon refuses to start before a keeper exists (nobody could sign in to the pages it serves).
  if [ -n "$lan" ] && [ ! -e /var/lib/station-edge/keepers.json ]; then
    say "install: station-edge.service enabled, not started: add the keeper first, then systemctl restart station-edge"
    return 0
  fi
  # A build that cannot even print run's help would only restart every RestartSec: it is not started.
  if /opt/station-edge/station-edge run --help >/dev/null 2>&1; then
    as_root systemctl restart station-edge.service
    say "install: station-edge.service (re)started (journalctl -u station-edge -f shows it)"
  else
    say "install: station-edge.service enabled, not started: /opt/station-edge/station-edge run --help fails"
  fi
}
