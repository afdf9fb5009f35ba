# shellcheck shell=bash
# Sourced by deploy.sh: `./deploy.sh package [--arch arm64|x64] [--version V]`, the station as a Debian package,
# built here on the x64 development machine for either architecture with dpkg-deb (nothing from outside Debian).
#
# Layout on the station, the same as `./deploy.sh install` so a station can move from one to the other:
#   /opt/station-edge/            the trimmed self-contained build, its pinned models and greeting sounds
#   /etc/station-edge/appsettings.json   a conffile: a keeper's edits survive upgrades, dpkg asks as Debian does
#   /lib/systemd/system/station-edge.service
#   /var/lib/station-edge/        the data folder (made by postinst, removed only on purge)
# An upgrade's first start migrates the store in one transaction, with a copy of the old file kept beside it until
# that commits (edge/StationEdge.Store/Sqlite/Schema.cs); a failed start leaves the relay at rest (ExecStopPost).
# /opt, not /usr/lib: the FHS gives /opt to add-on software from outside the distribution, which this is.

PACKAGE_NAME=station-edge
PACKAGE_MAINTAINER="StationEdge developers <stationedge@example.org>"
# ffmpeg: the camera; libgpiod: the door (bookworm has libgpiod2, trixie libgpiod3); alsa-utils: aplay for the
# greeting; the rest is what the self-contained .NET runtime and ONNX Runtime load (glibc, libstdc++, ICU for
# culture data, OpenSSL for the link's TLS and the keeper site's https, zlib); adduser-free: useradd is in passwd.
PACKAGE_DEPENDS="ffmpeg, libgpiod2 | libgpiod3, alsa-utils, passwd, libc6 (>= 2.28), libstdc++6, libgcc-s1, libicu72 | libicu76, libssl3 | libssl3t64, zlib1g"

# The trimmed publish for one RID (packaging/NOTES.md says why each property is there), without what a station never
# loads: the debugger's libraries (OpenCV is in no station build: its peer is tools/StationEdge.OpenCvPeer).
publish_trimmed() {
  local rid=$1 version=$2 dir="$OUT/packages/build-$1"
  rm -rf "$dir"
  dotnet publish "$ROOT/edge/StationEdge.Cli" -c Release -r "$rid" --self-contained true -o "$dir" \
    -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true \
    -p:EnableConfigurationBindingGenerator=false -p:JsonSerializerIsReflectionEnabledByDefault=true \
    -p:Version="$version" -p:IncludeSourceRevisionInInformationalVersion=false \
    -nologo -clp:ErrorsOnly -v:q >&2 || die "package: dotnet publish -r $rid failed"
  rm -f "$dir"/libmscordaccore.so "$dir"/libmscordbi.so "$dir"/createdump "$dir"/*.pdb "$dir"/*.dbg
  echo "$dir"
}

product_version() {
  dotnet msbuild "$ROOT/edge/StationEdge.Cli" -getProperty:Version -nologo 2>/dev/null | tr -d '[:space:]'
}

# The maintainer scripts carry install.sh's own functions (declare -f), so a .deb and `./deploy.sh install` make
# the same user, groups, udev rule and boot line.
maintainer_prelude() {
  cat <<'EOF'
#!/bin/bash
set -e
say() { echo "station-edge: $*" >&2; }
die() { echo "station-edge: $*" >&2; exit 1; }
as_root() { "$@"; }
EOF
  declare -p INSTALL_USER INSTALL_GROUPS
  declare -f id_in_root boot_config_path install_strict_gpiod install_user
}

write_postinst() {
  maintainer_prelude
  cat <<'EOF'
# configure (first install or upgrade), abort-upgrade, abort-remove: every step is safe to run again.
case "$1" in
  configure | abort-upgrade | abort-remove | abort-deconfigure) ;;
  *) exit 0 ;;
esac
install_user ""
gid=$(id_in_root "" group "$INSTALL_USER")
uid=$(id_in_root "" passwd "$INSTALL_USER")
chown 0:"$gid" /etc/station-edge /etc/station-edge/appsettings.json
chmod 0750 /etc/station-edge
chmod 0640 /etc/station-edge/appsettings.json
install -d -m 0700 -o "$uid" -g "$gid" /var/lib/station-edge
boot=$(boot_config_path "")
if [ -z "$boot" ]; then
  say "no /boot/firmware/config.txt or /boot/config.txt (not a Raspberry Pi?): dtparam=strict_gpiod not set"
elif [ "$(install_strict_gpiod "$boot")" = added ]; then
  say "added dtparam=strict_gpiod to $boot: REBOOT for it to take effect (until then a killed daemon may leave the relay driven)"
fi
if [ ! -e /var/lib/station-edge/keeper-site.pfx ] \
  && setpriv --reuid "$uid" --regid "$gid" --init-groups /opt/station-edge/station-edge keeper cert --data /var/lib/station-edge >/dev/null 2>&1; then
  say "made /var/lib/station-edge/keeper-site.pfx (self-signed; add an https:// address to KeeperSite:Urls to use it)"
fi
[ -e /var/lib/station-edge/keepers.json ] \
  || say "the keeper site has no account yet: sudo -u $INSTALL_USER /opt/station-edge/station-edge keeper add --name NAME"
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable station-edge.service >/dev/null 2>&1 || true
  systemctl restart station-edge.service || say "station-edge.service did not start: journalctl -u station-edge shows why"
fi
exit 0
EOF
}

write_prerm() {
  cat <<'EOF'
#!/bin/sh
set -e
# Stopping runs the unit's ExecStopPost (door --rest): the relay is at rest before any file changes.
if [ -d /run/systemd/system ] && { [ "$1" = remove ] || [ "$1" = upgrade ] || [ "$1" = deconfigure ]; }; then
  systemctl stop station-edge.service || true
fi
exit 0
EOF
}

write_postrm() {
  cat <<'EOF'
#!/bin/sh
set -e
case "$1" in
  remove)
    [ ! -d /run/systemd/system ] || systemctl daemon-reload || true
    ;;
  purge)
    # Only on purge, as the package description warns: the visits, workers, face templates and keys.
    rm -rf /var/lib/station-edge
    rm -f /etc/udev/rules.d/60-station-edge-gpio.rules
    [ ! -d /run/systemd/system ] || systemctl daemon-reload || true
    ;;
esac
exit 0
EOF
}

# package_station [--arch arm64|x64] [--version V]: out/packages/station-edge_V_ARCH.deb. Prints its path.
package_station() {
  local arch="" version=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --arch) [ $# -ge 2 ] || die "package: --arch needs arm64 or x64"; arch=$2; shift 2 ;;
      --version) [ $# -ge 2 ] || die "package: --version needs a version"; version=$2; shift 2 ;;
      *) die "package: unknown argument '$1' (expected --arch arm64|x64, --version V)" ;;
    esac
  done
  local debarch
  case "${arch:-x64}" in
    x64) arch=x64 debarch=amd64 ;;
    arm64) debarch=arm64 ;;
    *) die "package: --arch $arch: expected arm64 or x64" ;;
  esac
  setup
  need_apt python3
  [ -n "$version" ] || version=$(product_version)
  [[ $version =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || die "package: '$version' is not a Debian version"
  say "package: $PACKAGE_NAME $version ($debarch), trimmed publish for linux-$arch"
  local build tree deb
  build=$(publish_trimmed "linux-$arch" "$version")
  make_sounds "$build/sounds"
  tree="$OUT/packages/tree-$debarch"
  rm -rf "$tree"
  mkdir -p "$tree/DEBIAN" "$tree/opt/station-edge/models" "$tree/etc/station-edge" "$tree/lib/systemd/system" \
    "$tree/usr/share/doc/$PACKAGE_NAME"
  cp -a "$build/." "$tree/opt/station-edge/"
  local files
  files=$(pinned_model_files) || die "package: cannot read $MODELS/models.lock.json"
  # Checked against the lock again, as set-up checks them: a package never carries a model the lock does not name.
  dotnet "$ROOT/models/StationEdge.ModelTools/bin/Release/net10.0/station-models.dll" install \
    --lock "$ROOT/models/models.lock.json" --out "$MODELS" >&2
  (cd "$MODELS" && echo "$files" | xargs -d '\n' cp --parents -p -t "$tree/opt/station-edge/models/")
  install -m 0644 "$ROOT/deploy/appsettings.json" "$tree/etc/station-edge/appsettings.json"
  install -m 0644 "$ROOT/deploy/station-edge.service" "$tree/lib/systemd/system/station-edge.service"
  cat >"$tree/usr/share/doc/$PACKAGE_NAME/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: StationEdge

Files: *
Copyright: 2026 StationEdge developers
License: proprietary
 The bundled .NET runtime, ONNX Runtime and face models keep their own licences
 (MIT; the models' licences are listed in /opt/station-edge/models/models.lock.json).
EOF
  # A native package's changelog: the version and when it was built, as dpkg-parsechangelog reads it.
  printf '%s (%s) stable; urgency=medium\n\n  * Built from the StationEdge repository.\n\n -- %s  %s\n' \
    "$PACKAGE_NAME" "$version" "$PACKAGE_MAINTAINER" "$(date -R)" | gzip -9n >"$tree/usr/share/doc/$PACKAGE_NAME/changelog.gz"
  # The publish marks every file executable; only the program itself is.
  find "$tree" -type d -exec chmod 0755 {} +
  find "$tree" -type f -exec chmod 0644 {} +
  write_repo_add_program >"$tree/opt/station-edge/repo-add"
  chmod 0755 "$tree/opt/station-edge/station-edge" "$tree/opt/station-edge/repo-add"

  echo /etc/station-edge/appsettings.json >"$tree/DEBIAN/conffiles"
  write_postinst >"$tree/DEBIAN/postinst"
  write_prerm >"$tree/DEBIAN/prerm"
  write_postrm >"$tree/DEBIAN/postrm"
  chmod 0755 "$tree/DEBIAN/postinst" "$tree/DEBIAN/prerm" "$tree/DEBIAN/postrm"
  local size
  size=$(du -sk --exclude=DEBIAN "$tree" | cut -f1)
  cat >"$tree/DEBIAN/control" <<EOF
Package: $PACKAGE_NAME
Version: $version
Architecture: $debarch
Maintainer: $PACKAGE_MAINTAINER
Installed-Size: $size
Depends: $PACKAGE_DEPENDS
Section: misc
Priority: optional
Description: face-recognition door for union stations (工会驿站)
 StationEdge opens a union station's door for the riders, couriers and
 sanitation workers enrolled there, by face, and keeps the station's visits,
 syncing them to the county union. The daemon runs as station-edge.service
 under its own station-edge user and drives the door relay over GPIO.
 .
 Removing the package keeps the data folder /var/lib/station-edge (workers,
 face templates, visits, keys). WARNING: purging it (apt purge station-edge)
 deletes that folder, the station's records and its encryption keys, for good.
EOF
  mkdir -p "$OUT/packages"
  deb="$OUT/packages/${PACKAGE_NAME}_${version}_${debarch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" >&2 || die "package: dpkg-deb failed"
  rm -rf "$tree" "$build"
  say "package: $deb ($(du -h "$deb" | cut -f1) file, $((size / 1024)) MB installed)"
  echo "$deb"
}
